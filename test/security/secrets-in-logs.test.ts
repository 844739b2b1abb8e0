import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { serveVigil } from '../../src/app.js';
import { vapidKeys } from '../../src/alerts/index.js';
import { loadConfig, repoRoot } from '../../src/kernel/config.js';
import { SecretBox } from '../../src/kernel/secrets.js';
import type { Principal } from '../../src/platform/access.js';
import { flood } from '../support/alert-fixtures.js';
import { sessionCookieOf, signedIn } from '../support/api-client.js';
import { until } from '../support/until.js';

/**
 * Secrets never in logs (issue 13, item 4): a node with every kind of secret configured
 * (MQTT, SMPP, SMTP, CBC and database URL passwords, the installation key and the VAPID
 * key derived from it) runs at debug level through a workload that uses them — sign-in
 * sessions, an API key, a device's MQTT credential, a DC-09 AES key, a webhook secret, an
 * alert over SMS, e-mail, sirens, webhooks and cell broadcast to peers that fail — and
 * the captured log lines are searched for each secret.
 */

/** A port nothing listens on (a peer that is down: its failures are logged). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

test('no configured or issued secret appears in the log lines of a node at debug level', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-secrets-log-'));
  const lines: string[] = [];
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const pw = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;
  const secrets: Record<string, string> = {
    mqtt: pw('mqttpw'),
    smpp: pw('smpppw'),
    smtp: pw('smtppw'),
    cbc: pw('cbcpw'),
    installationKey: randomBytes(32).toString('hex'),
  };
  const down = await closedPort();
  const config = {
    ...loadConfig({
      VIGIL_LOG_LEVEL: 'debug',
      VIGIL_ROUTING_OSM: 'off',
      VIGIL_DC09_PORT: 'off',
      VIGIL_SECRET_KEY: secrets.installationKey,
      // The machine's Mosquitto (it lets this user in); the URL used to be logged with its password.
      VIGIL_MQTT_URL: `mqtt://vigil:${secrets.mqtt}@127.0.0.1:1883`,
      VIGIL_SMPP_URL: `smpp://vigil:${secrets.smpp}@127.0.0.1:${down}`,
      VIGIL_SMTP_URL: `smtp://vigil:${secrets.smtp}@127.0.0.1:${down}`,
      VIGIL_CBC_URL: `http://cbc:${secrets.cbc}@127.0.0.1:${down}/cbs`,
      VIGIL_WEBHOOK_ALLOW_PRIVATE: 'true',
      VIGIL_DELIVERY_BACKOFF_MS: '10',
      VIGIL_WEBHOOK_RETRY_MS: '10',
    }),
    dataDir: dir,
    port: 0,
  };
  secrets.vapidPrivateKey = vapidKeys(new SecretBox(Buffer.from(secrets.installationKey!, 'hex'))).privateKey;
  const vigil = await serveVigil(config, { logDestination: destination });
  try {
    // A session cookie, also sent where a careless client would put it (a bearer header, the URL).
    const login = await vigil.server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'supervisor', password: 'vigil-demo' } });
    const session = sessionCookieOf(login.headers)!.slice('vigil_session='.length);
    secrets.session = session;
    await vigil.server.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `vigil_session=${session}`, authorization: `Bearer ${session}` } });
    await vigil.server.app.inject({ method: 'GET', url: `/api/alarms/queue?token=${session}`, headers: { cookie: `vigil_session=${session}` } });
    // An API key, used.
    const cityOrg = [...vigil.capabilities.identity.service.state.orgs.values()].find((o) => o.name.toLowerCase().includes('city'))!;
    const admin: Principal = {
      kind: 'user',
      actor: 'user:test-admin',
      userId: 'test-admin',
      orgId: cityOrg.id,
      roles: ['admin'],
      authLevel: 2,
      displayName: 'Admin',
      visibleOrgIds: new Set([cityOrg.id]),
      actableOrgIds: new Set([cityOrg.id]),
      platformOrg: true,
    };
    const { key } = await vigil.capabilities.identity.service.createApiKey({ name: 'gateway', roles: ['analyst'] }, admin);
    secrets.apiKey = key;
    await vigil.server.app.inject({ method: 'GET', url: '/api/city', headers: { 'x-api-key': key } });
    // A device's MQTT credential, issued and used against the broker.
    const cityAdmin = await signedIn(vigil, 'admin');
    const registered = await cityAdmin('POST', '/api/city/devices', {
      devices: [{ id: 'log-siren', kind: 'siren', label: 'Log siren', position: [7.416, 43.729], protocol: 'mqtt' }],
    });
    const credential = (registered.json as { mqttCredentials: { secret: string }[] }).mqttCredentials[0]!;
    secrets.deviceSecret = credential.secret;
    // A wrong secret on purpose, as an attacker would try (the refusal is logged, never the secret tried).
    const rotated = await cityAdmin('POST', '/api/city/devices/log-siren/mqtt-credential');
    secrets.rotatedDeviceSecret = (rotated.json as { secret: string }).secret;
    // A DC-09 AES key.
    const supervisor = await signedIn(vigil, 'supervisor');
    const panel = [...vigil.capabilities.city.service.state.devices.values()].find((d) => d.kind === 'alarm-panel' && d.account && d.orgId !== cityOrg.id)!;
    secrets.dc09Key = randomBytes(16).toString('hex').toUpperCase();
    const keyed = await supervisor('PUT', `/api/alarms/accounts/${panel.account}`, { key: secrets.dc09Key, keyFormat: 'hex' });
    assert.equal(keyed.status, 200, keyed.body);
    // A webhook secret, and a delivery to a peer that is down.
    const officer = await signedIn(vigil, 'alert-officer');
    const hook = await officer('POST', '/api/alerts/webhooks', {
      name: 'down',
      url: `http://127.0.0.1:${down}/hook`,
      events: ['issued'],
      includeExercise: true,
      format: 'json',
    });
    secrets.webhook = (hook.json as { secret: string }).secret;
    // An alert over every channel, to peers that fail: their errors are logged.
    const created = await officer('POST', '/api/alerts', {
      ...flood,
      scope: 'Restricted',
      restriction: 'test',
      channels: ['sms', 'email', 'sirens', 'webhook', 'cell-broadcast'],
      info: [{ ...flood.info[1], severity: 'Minor' }],
    });
    assert.equal(created.status, 201, created.body);
    const alertId = (created.json as { alert: { alertId: string } }).alert.alertId;
    await officer('POST', `/api/alerts/${alertId}/submit`);
    // A siren connecting to the external broker with a URL that carries a password (a client-side log of ours would show it).
    const external = await mqtt.connectAsync(`mqtt://vigil:${secrets.mqtt}@127.0.0.1:1883`, { reconnectPeriod: 0 });
    await external.publishAsync('vigil/sensors/log-siren/events', JSON.stringify({ type: 'smoke', state: 'alarm' }), { qos: 1 });
    await external.endAsync();
    await until(
      () => {
        const progress = vigil.capabilities.alerts.delivery.of(alertId);
        return progress.length >= 3 && progress.every((p) => p.status !== 'sending');
      },
      'the channels to finish or fail',
      120_000,
      100,
    );
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (process.env.SHOW_LOG) console.log(lines.join('\n'));
  assert.ok(lines.length >= 3, `the node's log was captured (${lines.length} lines)`);
  assert.ok(
    lines.some((l) => l.includes('MQTT sensor ingest subscribed')),
    'the MQTT URL line is there, redacted',
  );
  for (const [name, secret] of Object.entries(secrets)) {
    const hit = lines.find((l) => l.includes(secret));
    assert.equal(hit, undefined, `${name} appears in the log: ${hit?.slice(0, 300)}`);
  }
});

test('a real `vigil serve` (its own process, debug level): no secret in its stdout or stderr, from start to shutdown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-secrets-proc-'));
  const pw = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;
  const down = await closedPort();
  const secrets: Record<string, string> = {
    mqtt: pw('mqttpw'),
    smpp: pw('smpppw'),
    smtp: pw('smtppw'),
    cbc: pw('cbcpw'),
    demoPassword: pw('demopw'),
    installationKey: randomBytes(32).toString('hex'),
    triedPassword: pw('guess'),
  };
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), 'serve'], {
    env: {
      ...process.env,
      VIGIL_DATA_DIR: dir,
      VIGIL_PORT: '0',
      VIGIL_HOST: '127.0.0.1',
      VIGIL_LOG_LEVEL: 'debug',
      VIGIL_ROUTING_OSM: 'off',
      VIGIL_DC09_PORT: 'off',
      VIGIL_DATABASE_URL: '',
      VIGIL_NATS_URL: '',
      VIGIL_SECRET_KEY: secrets.installationKey,
      VIGIL_DEMO_PASSWORD: secrets.demoPassword,
      VIGIL_MQTT_URL: `mqtt://vigil:${secrets.mqtt}@127.0.0.1:1883`,
      VIGIL_SMPP_URL: `smpp://vigil:${secrets.smpp}@127.0.0.1:${down}`,
      VIGIL_SMTP_URL: `smtp://vigil:${secrets.smtp}@127.0.0.1:${down}`,
      VIGIL_CBC_URL: `http://cbc:${secrets.cbc}@127.0.0.1:${down}/cbs`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await until(() => /serving on http:\/\/localhost:\d+/.test(stdout) || child.exitCode !== null, 'the node to start', 120_000, 100);
    const base = `http://127.0.0.1:${/serving on http:\/\/localhost:(\d+)/.exec(stdout)?.[1]}`;
    assert.ok(base.match(/\d+$/), `started: ${stderr.slice(0, 500)}`);
    // The demo city (and its users) loads behind a node that already answers.
    await until(
      async () => ((await (await fetch(`${base}/api/health`)).json()) as { demo?: string }).demo !== 'loading',
      'the demo city to load',
      120_000,
      200,
    );
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'operator', password: secrets.demoPassword }),
    });
    assert.equal(login.status, 200);
    const session = /vigil_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1]!;
    secrets.session = session;
    await fetch(`${base}/api/auth/me?token=${session}`, { headers: { cookie: `vigil_session=${session}`, authorization: `Bearer ${session}` } });
    await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'operator', password: secrets.triedPassword }),
    });
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
  const output = `${stdout}\n${stderr}`;
  if (process.env.SHOW_LOG) console.log(output);
  assert.match(stdout, /MQTT sensor ingest subscribed/, 'the node logged its MQTT URL (redacted) on stdout');
  assert.match(stdout, /shutting down/, 'and its shutdown');
  for (const [name, secret] of Object.entries(secrets)) {
    const at = output.indexOf(secret);
    assert.equal(at, -1, `${name} appears in the output: ${output.slice(Math.max(0, at - 200), at + 100)}`);
  }
});
