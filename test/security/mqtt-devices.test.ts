import assert from 'node:assert/strict';
import { once, type EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import { flood } from '../support/alert-fixtures.js';
import { signedIn, type ApiCall } from '../support/api-client.js';
import { until } from '../support/until.js';
import { selfSignedCert, testPki, type TestPki } from '../support/tls-certs.js';

/**
 * Devices authenticate (issue 13, item 1), against the real embedded broker with the
 * mqtt client: anonymous clients and wrong secrets are refused; a device publishes only
 * its own topics and subscribes only to its own commands; only Vigil commands a siren;
 * mqtts with a certificate; a siren that does not acknowledge its command is reported.
 */

interface Credential {
  deviceId: string;
  username: string;
  secret: string;
}

let dir: string;
let vigil: RunningVigil;
let admin: ApiCall;
let creds: Map<string, Credential>;
let cert: Buffer;
let pki: TestPki;
const clients: MqttClient[] = [];
// Inside the fixture's Fontvieille polygon, so a flood alert's sirens channel commands both sirens.
const at: [number, number] = [7.416, 43.729];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-mqtt-devices-'));
  selfSignedCert(join(dir, 'key.pem'), join(dir, 'cert.pem'), '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  cert = readFileSync(join(dir, 'cert.pem'));
  pki = testPki(dir);
  vigil = await serveVigil({
    ...loadConfig({
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_ROUTING_OSM: 'off',
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: '0',
      VIGIL_MQTT_TLS_CERT: join(dir, 'cert.pem'),
      VIGIL_MQTT_TLS_KEY: join(dir, 'key.pem'),
      VIGIL_MQTT_TLS_PORT: '0',
      VIGIL_MQTT_CLIENT_CA: pki.caFile,
      VIGIL_SIREN_ACK_TIMEOUT_MS: '3000',
    }),
    dataDir: dir,
    port: 0,
  });
  admin = await signedIn(vigil, 'admin');
  const device = (id: string, kind: string) => ({ id, kind, label: `Test ${id}`, position: at, protocol: 'mqtt' });
  const registered = await admin('POST', '/api/city/devices', {
    devices: [device('t-sensor-a', 'smoke-detector'), device('t-sensor-b', 'smoke-detector'), device('t-siren-s', 'siren'), device('t-siren-t', 'siren')],
  });
  assert.equal(registered.status, 200, registered.body);
  const issued = (registered.json as { mqttCredentials?: Credential[] }).mqttCredentials ?? [];
  creds = new Map(issued.map((c) => [c.deviceId, c]));
  assert.deepEqual(
    [...creds.keys()].sort(),
    ['t-sensor-a', 't-sensor-b', 't-siren-s', 't-siren-t'],
    'each MQTT device gets its credential with its registration',
  );
});

after(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
  await vigil?.close();
  rmSync(dir, { recursive: true, force: true });
});

const plainUrl = () => `mqtt://127.0.0.1:${vigil.capabilities.alarms.receiver.mqttPort}`;

/** A connected client, or the connection's refusal as an error. */
async function connect(options: IClientOptions, url = plainUrl()): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...options });
  clients.push(client);
  return client;
}

const as = (deviceId: string, url?: string, extra: IClientOptions = {}): Promise<MqttClient> => {
  const c = creds.get(deviceId)!;
  return connect({ clientId: `${deviceId}-${Math.random().toString(36).slice(2)}`, username: c.username, password: c.secret, ...extra }, url);
};

/** A QoS 1 publish's outcome: acknowledged by the broker, or refused (the broker closes the connection). */
async function publishOutcome(client: MqttClient, topic: string, payload: string): Promise<'acknowledged' | 'refused'> {
  return Promise.race([
    client.publishAsync(topic, payload, { qos: 1 }).then(
      () => 'acknowledged' as const,
      () => 'refused' as const,
    ),
    once(client as unknown as EventEmitter, 'close').then(() => 'refused' as const),
  ]);
}

async function signalsOf(deviceId: string): Promise<number> {
  let n = 0;
  for (let afterSeq = 0; ;) {
    const batch = await vigil.ctx.log.read({ afterSeq, limit: 5000 });
    if (batch.length === 0) return n;
    for (const e of batch) if (e.type === 'alarms.signal.received' && (e.data as { signal: { deviceId?: string } }).signal.deviceId === deviceId) n++;
    afterSeq = batch.at(-1)!.seq;
  }
}

/** The QoS the broker granted a subscription (128: refused; mqtt.js rejects then, with the SUBACK). */
async function grantedQos(client: MqttClient, filter: string): Promise<number | undefined> {
  try {
    return (await client.subscribeAsync(filter, { qos: 1 }))[0]?.qos;
  } catch (error) {
    const granted = (error as { packet?: { granted?: number[] } }).packet?.granted;
    if (!granted) throw error;
    return granted[0];
  }
}

const smoke = JSON.stringify({ type: 'smoke', state: 'alarm' });

test('anonymous clients and wrong secrets are refused; a device connects with its own credential', async () => {
  await assert.rejects(connect({ clientId: 'anonymous-1' }), /not authori[sz]ed|Connection refused/i, 'anonymous');
  const a = creds.get('t-sensor-a')!;
  await assert.rejects(
    connect({ clientId: 'wrong-1', username: a.username, password: 'not-the-secret' }),
    /not authori[sz]ed|bad user name or password|Connection refused/i,
  );
  // Another device's secret under this device's name.
  await assert.rejects(
    connect({ clientId: 'wrong-2', username: a.username, password: creds.get('t-sensor-b')!.secret }),
    /not authori[sz]ed|bad user|Connection refused/i,
  );
  // Vigil's own clients' ids are reserved: a device cannot take over the siren channel's session.
  await assert.rejects(as('t-sensor-a', undefined, { clientId: 'vigil-sirens-1' }), /not authori[sz]ed|bad user|Connection refused/i);
  const client = await as('t-sensor-a');
  assert.equal(client.connected, true);
});

test("a device cannot publish on another device's topic nor a siren command; its own topic is ingested", async () => {
  const a = await as('t-sensor-a');
  assert.equal(await publishOutcome(a, 'vigil/sensors/t-sensor-b/events', smoke), 'refused', "A on B's topic");
  const a2 = await as('t-sensor-a');
  assert.equal(
    await publishOutcome(a2, 'vigil/sirens/t-siren-s/command', JSON.stringify({ action: 'sound', signal: 'evacuate' })),
    'refused',
    'A commanding a siren',
  );
  const a3 = await as('t-sensor-a');
  assert.equal(await publishOutcome(a3, 'vigil/units/u1/position', JSON.stringify({ lat: 43.7, lon: 7.4 })), 'refused', 'A as a unit');
  // A siren cannot command itself or another siren either.
  const s = await as('t-siren-s');
  assert.equal(await publishOutcome(s, 'vigil/sirens/t-siren-t/command', JSON.stringify({ action: 'sound' })), 'refused', 'S commanding T');
  // Its own topic: acknowledged once durable, and recorded as its signal.
  const b = await as('t-sensor-b');
  assert.equal(await publishOutcome(b, 'vigil/sensors/t-sensor-b/events', smoke), 'acknowledged');
  assert.equal(await signalsOf('t-sensor-b'), 1, "only B's own message became B's signal");
  assert.equal(await signalsOf('t-sensor-a'), 0);
});

test("a device cannot subscribe to '#', to another device's data or commands; a siren subscribes to its own commands", async () => {
  const a = await as('t-sensor-a');
  for (const filter of ['#', 'vigil/#', 'vigil/sensors/+/events', 'vigil/sensors/t-sensor-b/events', 'vigil/sirens/t-siren-s/command', '$SYS/#']) {
    assert.equal(await grantedQos(a, filter), 128, `${filter} refused`);
  }
  const s = await as('t-siren-s');
  assert.equal(await grantedQos(s, 'vigil/sirens/t-siren-t/command'), 128, "S on T's commands");
  assert.equal(await grantedQos(s, 'vigil/sirens/t-siren-s/command'), 1, 'S on its own commands');
});

test('mqtts with the configured certificate: devices connect over TLS, anonymous clients are refused there too', async () => {
  const tlsPort = vigil.capabilities.alarms.receiver.mqttTlsPort;
  assert.ok(tlsPort, 'an mqtts listener');
  const url = `mqtts://localhost:${tlsPort}`;
  await assert.rejects(connect({ clientId: 'anonymous-tls', ca: cert }, url), /not authori[sz]ed|Connection refused/i);
  const client = await as('t-sensor-a', url, { ca: cert });
  assert.equal(client.connected, true);
  await assert.rejects(connect({ clientId: 'untrusting', username: 'x', password: 'y', rejectUnauthorized: true }, url), /self[- ]signed|certificate/i);
});

test('mqtts client certificates (VIGIL_MQTT_CLIENT_CA): CN device:<id> is that device, within its topics; other CAs and unknown devices are refused', async () => {
  const url = `mqtts://localhost:${vigil.capabilities.alarms.receiver.mqttTlsPort}`;
  const withCert = (cn: string, options: { untrusted?: boolean } = {}, extra: IClientOptions = {}) =>
    connect({ clientId: `cert-${Math.random().toString(36).slice(2)}`, ca: cert, ...pki.client(cn, options), ...extra }, url);
  const before = await signalsOf('t-sensor-b');
  const b = await withCert('device:t-sensor-b');
  assert.equal(b.connected, true, 'no username, no secret: the certificate authenticates');
  assert.equal(await publishOutcome(b, 'vigil/sensors/t-sensor-b/events', smoke), 'acknowledged');
  assert.equal(await signalsOf('t-sensor-b'), before + 1, 'ingested as t-sensor-b');
  assert.equal(await grantedQos(b, '#'), 128, 'and held to its topics');
  const b2 = await withCert('device:t-sensor-b');
  assert.equal(await publishOutcome(b2, 'vigil/sensors/t-sensor-a/events', smoke), 'refused', "not another device's topic");
  assert.equal(await publishOutcome(await withCert('device:t-sensor-b'), 'vigil/sirens/t-siren-s/command', '{"action":"sound"}'), 'refused');
  await assert.rejects(withCert('device:t-sensor-b', { untrusted: true }), /not authori[sz]ed|Connection refused/i, 'a certificate of another CA');
  await assert.rejects(withCert('device:nobody'), /not authori[sz]ed|Connection refused/i, 'a device that is not registered');
  await assert.rejects(withCert('vigil'), /not authori[sz]ed|Connection refused/i, 'Vigil itself is never a certificate');
  await assert.rejects(
    withCert('device:t-sensor-b', {}, { username: creds.get('t-sensor-a')!.username }),
    /not authori[sz]ed|Connection refused/i,
    'a username other than the certificate’s name, without its secret',
  );
});

test('sirens acknowledge commands; a siren that does not is reported (event, channel details)', async () => {
  const received: { deviceId: string; command: { commandId: string; alertId: string; action: string } }[] = [];
  const sirenS = await as('t-siren-s');
  const sirenT = await as('t-siren-t');
  for (const [client, id] of [
    [sirenS, 't-siren-s'],
    [sirenT, 't-siren-t'],
  ] as const) {
    await client.subscribeAsync(`vigil/sirens/${id}/command`, { qos: 1 });
    client.on('message', (_topic, payload) => received.push({ deviceId: id, command: JSON.parse(payload.toString()) as (typeof received)[0]['command'] }));
  }
  // S acknowledges what it is told; T stays silent.
  sirenS.on('message', (_topic, payload) => {
    const { commandId } = JSON.parse(payload.toString()) as { commandId: string };
    void sirenS.publishAsync('vigil/sirens/t-siren-s/ack', JSON.stringify({ commandId }), { qos: 1 });
  });
  const officer = await signedIn(vigil, 'alert-officer');
  const { json } = await officer('POST', '/api/alerts', {
    ...flood,
    scope: 'Restricted',
    restriction: 'test',
    channels: ['sirens'],
    info: [{ ...flood.info[1], severity: 'Minor' }],
  });
  const alertId = (json as { alert: { alertId: string } }).alert.alertId;
  assert.equal((await officer('POST', `/api/alerts/${alertId}/submit`)).json.alert.state, 'issued');
  await until(() => received.some((r) => r.deviceId === 't-siren-s') && received.some((r) => r.deviceId === 't-siren-t'), 'both sirens commanded');
  // The commands the sirens got are Vigil's, for this alert, each with its id.
  for (const r of received.filter((x) => x.command.alertId === alertId)) assert.match(r.command.commandId, /^cmd/);
  type Row = { deviceId: string; label: string | null; ack: { state: string; commandId: string } | null };
  const sirens = async (): Promise<Row[]> => ((await officer('GET', `/api/alerts/${alertId}/channels`)).json as { sirens: Row[] }).sirens;
  await until(
    async () => (await sirens()).find((r) => r.deviceId === 't-siren-t')?.ack?.state === 'unacknowledged',
    'T reported as not acknowledging',
    60_000,
    100,
  );
  const rows = await sirens();
  const s = rows.find((r) => r.deviceId === 't-siren-s')!;
  const t = rows.find((r) => r.deviceId === 't-siren-t')!;
  assert.equal(s.ack?.state, 'acknowledged');
  assert.equal(s.ack?.commandId, received.find((r) => r.deviceId === 't-siren-s' && r.command.alertId === alertId)!.command.commandId);
  assert.equal(t.label, 'Test t-siren-t', 'the UI names the siren');
  const events = await vigil.ctx.log.read({ afterSeq: 0, limit: 100_000 });
  const missed = events.filter((e) => e.type === 'alerts.siren.unacknowledged').map((e) => e.data as { deviceId: string; alertId: string });
  // (The demo's own loudspeakers in the area are silent too; of the two test sirens only T is reported.)
  assert.deepEqual(
    missed.filter((m) => m.alertId === alertId && m.deviceId.startsWith('t-')).map((m) => m.deviceId),
    ['t-siren-t'],
  );
});

test('a credential is shown once, can be rotated (the old secret stops working) and is kept only as a hash', async () => {
  const old = creds.get('t-sensor-a')!;
  const rotated = await admin('POST', '/api/city/devices/t-sensor-a/mqtt-credential');
  assert.equal(rotated.status, 201, rotated.body);
  const fresh = rotated.json as Credential;
  assert.notEqual(fresh.secret, old.secret);
  await assert.rejects(connect({ clientId: 'old-a', username: old.username, password: old.secret }), /not authori[sz]ed|bad user|Connection refused/i);
  const client = await connect({ clientId: 'new-a', username: fresh.username, password: fresh.secret });
  assert.equal(client.connected, true);
  const shown = await admin('GET', '/api/city/devices/t-sensor-a/mqtt-credential');
  assert.equal(JSON.stringify(shown.json).includes(fresh.secret), false, 'never shown again');
  // Another organisation cannot rotate it.
  const operator = await signedIn(vigil, 'supervisor');
  assert.equal((await operator('POST', '/api/city/devices/t-sensor-a/mqtt-credential')).status, 403);
  const events = await vigil.ctx.log.read({ afterSeq: 0, limit: 100_000 });
  assert.equal(JSON.stringify(events).includes(fresh.secret), false, 'the secret is not in the event log');
});

test("a unit's GPS tracker publishes only its own position", async () => {
  const commander = await signedIn(vigil, 'commander');
  const units = [...vigil.capabilities.units.service.state.units.values()];
  // A unit of the commander's organisation (another organisation's is refused).
  const commanderOrg = [...vigil.capabilities.identity.service.state.users.values()].find((u) => u.username === 'commander')!.orgId;
  const target = units.find((u) => u.orgId === commanderOrg)!;
  const foreign = units.find((u) => u.orgId !== commanderOrg)!;
  assert.equal((await commander('POST', `/api/units/${encodeURIComponent(foreign.unitId)}/mqtt-credential`)).status, 403);
  const issued = await commander('POST', `/api/units/${encodeURIComponent(target.unitId)}/mqtt-credential`);
  assert.equal(issued.status, 201, issued.body);
  const { username, secret } = issued.json as { username: string; secret: string };
  const other = units.find((u) => u.unitId !== target.unitId)!;
  const fix = JSON.stringify({ lat: 43.73, lon: 7.42, at: new Date().toISOString() });
  const tracker = await connect({ clientId: `tracker-${Math.random().toString(36).slice(2)}`, username, password: secret });
  assert.equal(await publishOutcome(tracker, `vigil/units/${other.unitId}/position`, fix), 'refused', "another unit's position");
  const tracker2 = await connect({ clientId: `tracker-${Math.random().toString(36).slice(2)}`, username, password: secret });
  assert.equal(await publishOutcome(tracker2, `vigil/units/${target.unitId}/position`, fix), 'acknowledged', 'its own position');
  assert.equal(await publishOutcome(tracker2, 'vigil/sensors/t-sensor-a/events', smoke), 'refused', 'a sensor topic');
});
