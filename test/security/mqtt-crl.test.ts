import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import { signedIn } from '../support/api-client.js';
import { until } from '../support/until.js';
import { testPki, type TestPki } from '../support/tls-certs.js';

/**
 * Device certificates can be revoked (issue 13): the mqtts listener checks client
 * certificates against VIGIL_MQTT_CLIENT_CRL, a file it reloads when it changes. A
 * revoked certificate is no identity (and its connected client is put out); a bad new
 * list is refused and the previous one stays in force. Real embedded broker, the mqtt
 * client, a CRL made by `openssl ca -gencrl` (test/support/tls-certs.ts).
 */

let dir: string;
let vigil: RunningVigil;
let pki: TestPki;
let crlFile: string;
/** The node's log, as JSON lines: reloads and refusals of the list are logged. */
const log: { msg?: string; disconnected?: number; problem?: string }[] = [];
const clients: MqttClient[] = [];
const smoke = JSON.stringify({ type: 'smoke', state: 'alarm' });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-mqtt-crl-'));
  pki = testPki(dir);
  writeFileSync(join(dir, 'server.pem'), pki.serverCert);
  writeFileSync(join(dir, 'server.key'), pki.serverKey);
  crlFile = join(dir, 'devices.crl.pem');
  writeFileSync(crlFile, pki.crl([]));
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      try {
        log.push(JSON.parse(line) as (typeof log)[0]);
      } catch {
        // not a JSON line
      }
    }
  });
  vigil = await serveVigil(
    {
      ...loadConfig({
        VIGIL_LOG_LEVEL: 'info',
        VIGIL_ROUTING_OSM: 'off',
        VIGIL_DC09_PORT: 'off',
        VIGIL_MQTT_EMBEDDED_PORT: '0',
        VIGIL_MQTT_TLS_CERT: join(dir, 'server.pem'),
        VIGIL_MQTT_TLS_KEY: join(dir, 'server.key'),
        VIGIL_MQTT_TLS_PORT: '0',
        VIGIL_MQTT_CLIENT_CA: pki.caFile,
        VIGIL_MQTT_CLIENT_CRL: crlFile,
        VIGIL_MQTT_CLIENT_CRL_POLL_MS: '100',
      }),
      dataDir: dir,
      port: 0,
    },
    { logDestination: destination },
  );
  const admin = await signedIn(vigil, 'admin');
  const device = (id: string) => ({ id, kind: 'smoke-detector', label: `Test ${id}`, position: [7.416, 43.729], protocol: 'mqtt' });
  const registered = await admin('POST', '/api/city/devices', { devices: [device('crl-a'), device('crl-b')] });
  assert.equal(registered.status, 200, registered.body);
});

after(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
  await vigil?.close();
  rmSync(dir, { recursive: true, force: true });
});

const reloads = (): number => log.filter((l) => l.msg === 'MQTT client certificate revocation list reloaded').length;
const refusals = (): number => log.filter((l) => l.msg === 'MQTT client certificate revocation list refused; the previous one stays').length;

async function withCert(cert: { cert: Buffer; key: Buffer }, extra: IClientOptions = {}): Promise<MqttClient> {
  const url = `mqtts://localhost:${vigil.capabilities.alarms.receiver.mqttTlsPort}`;
  const client = await mqtt.connectAsync(url, {
    clientId: `crl-${Math.random().toString(36).slice(2)}`,
    ca: pki.ca,
    ...cert,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...extra,
  });
  clients.push(client);
  return client;
}

/** Whether a certificate is let in as its device now (a fresh connection each time). */
async function admitted(cert: { cert: Buffer; key: Buffer }): Promise<boolean> {
  try {
    const client = await withCert(cert);
    await client.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

/** Replaces the CRL file at once (a rename), as an operator's tooling would. */
function installCrl(content: Buffer | string): void {
  const next = `${crlFile}.next`;
  writeFileSync(next, content);
  renameSync(next, crlFile);
}

test('a certificate the CRL revokes is refused; the file is reloaded when it changes and connected clients must come back under it', async () => {
  const a = pki.client('device:crl-a');
  const b = pki.client('device:crl-b');
  const loadsAtStart = reloads();

  // Both devices connect with their certificates under the empty list; A stays connected.
  const connectedA = await withCert(a);
  await connectedA.publishAsync('vigil/sensors/crl-a/events', smoke, { qos: 1 }); // acknowledged: A is crl-a
  assert.equal(await admitted(b), true);

  // The CA revokes A's certificate: the node reloads the file, puts A's client out, and A cannot come back.
  installCrl(pki.crl([a.cert]));
  await until(() => reloads() > loadsAtStart, 'the new list loaded', 60_000, 50);
  await until(() => !connectedA.connected, "A's connected client put out", 60_000, 50);
  // Every certificate client is put out to reconnect under the new list: A's, and B's probe connection
  // when the broker has not yet seen it close (it was ended a moment before).
  const putOut = log.filter((l) => l.msg === 'MQTT client certificate revocation list reloaded').at(-1)?.disconnected ?? 0;
  assert.ok(putOut >= 1 && putOut <= 2, `A's client and at most B's closing probe (${putOut})`);
  assert.equal(await admitted(a), false, 'a revoked certificate is no identity');
  assert.equal(await admitted(b), true, 'a certificate the list does not name still is');

  // A revoked certificate with a username of its device but no secret is refused too (no fallback identity).
  await assert.rejects(withCert(a, { username: 'device:crl-a' }), /not authori[sz]ed|Connection refused/i);

  // A broken file is refused: the previous list stays in force.
  const loads = reloads();
  const refused = refusals();
  installCrl('-----BEGIN X509 CRL-----\nnot a list\n-----END X509 CRL-----\n');
  await until(() => refusals() > refused, 'the broken list refused', 60_000, 50);
  assert.equal(reloads(), loads);
  assert.equal(await admitted(a), false, 'still revoked');
  assert.equal(await admitted(b), true);

  // A list that revokes B instead: A is back, B is out.
  installCrl(pki.crl([b.cert]));
  await until(() => reloads() > loads, 'the third list loaded', 60_000, 50);
  assert.equal(await admitted(a), true, 'no longer revoked');
  assert.equal(await admitted(b), false, 'revoked now');
});
