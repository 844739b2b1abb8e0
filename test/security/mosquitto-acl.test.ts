import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { mosquittoAcl, mosquittoUsername } from '../../src/adapters/protocols/mqtt/mosquitto-acl.js';
import { until } from '../support/until.js';

/**
 * The external broker (VIGIL_MQTT_URL) as docs/security.md configures Mosquitto: a
 * password_file made with mosquitto_passwd, the acl_file `vigil mosquitto-acl` prints,
 * allow_anonymous false. A real `mosquitto -c` on a free port: anonymous clients are
 * refused, a device's publish outside its topics is dropped, it reads no other data.
 */

const plan = { sensorTopic: 'vigil/sensors/+/events', unitsTopic: 'vigil/units/+/position', sirenPrefix: 'vigil/sirens' };
const users = { vigil: 'vigil-secret-1', 'device.sensor-a': 'a-secret-2', 'device.sensor-b': 'b-secret-3', 'device.siren-s': 's-secret-4' } as const;
let dir: string;
let broker: ChildProcess;
let port: number;
const clients: MqttClient[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-mosquitto-'));
  const passwords = join(dir, 'passwords');
  writeFileSync(passwords, '');
  for (const [user, password] of Object.entries(users)) execFileSync('mosquitto_passwd', ['-b', passwords, user, password]);
  writeFileSync(
    join(dir, 'acl'),
    mosquittoAcl({
      vigilUser: 'vigil',
      devices: [
        { id: 'sensor-a', commanded: false },
        { id: 'sensor-b', commanded: false },
        { id: 'siren-s', commanded: true },
        { id: 'dev:with:colons', commanded: false },
      ],
      units: ['u1'],
      plan,
    }),
  );
  port = await freePort();
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    // Started as root, Mosquitto drops to the user 'mosquitto' unless told which user to run as: this test's, who owns the files.
    [
      `user ${userInfo().username}`,
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwords}`,
      `acl_file ${join(dir, 'acl')}`,
      'persistence false',
      'log_dest stderr',
    ].join('\n') + '\n',
  );
  broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  broker.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  broker.on('exit', (code) => {
    if (code) stderr += `\nmosquitto exited with ${code}`;
  });
  await until(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = tcpConnect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    'mosquitto listening',
    30_000,
    50,
  ).catch((error: Error) => {
    throw new Error(`${error.message}: ${stderr}`);
  });
});

after(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
  broker?.kill('SIGTERM');
  if (broker && broker.exitCode === null) await once(broker, 'exit');
  rmSync(dir, { recursive: true, force: true });
});

async function connect(options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 10_000, protocolVersion: 4, ...options });
  clients.push(client);
  return client;
}
const as = (user: keyof typeof users) => connect({ clientId: `${user}-${Math.random().toString(36).slice(2)}`, username: user, password: users[user] });

test('the generated acl_file names each device by its own user; an id Mosquitto cannot hold is left out, said so', () => {
  const acl = mosquittoAcl({
    vigilUser: 'vigil',
    devices: [
      { id: 'siren-s', commanded: true },
      { id: 'dev:x', commanded: false },
    ],
    units: ['u1'],
    plan,
  });
  assert.match(
    acl,
    /^user device\.siren-s\ntopic write vigil\/sensors\/siren-s\/events\ntopic read vigil\/sirens\/siren-s\/command\ntopic write vigil\/sirens\/siren-s\/ack$/m,
  );
  assert.match(acl, /^user unit\.u1\ntopic write vigil\/units\/u1\/position$/m);
  assert.match(acl, /^# device dev:x: /m);
  assert.equal(mosquittoUsername('device', 'siren-s'), 'device.siren-s');
});

test('Mosquitto with the documented configuration refuses anonymous clients and wrong passwords', async () => {
  await assert.rejects(connect({ clientId: 'anonymous' }), /not authori[sz]ed|Connection refused/i);
  await assert.rejects(connect({ clientId: 'wrong', username: 'device.sensor-a', password: 'nope' }), /not authori[sz]ed|bad user|Connection refused/i);
});

test("a device's publish outside its topics is dropped; it reads no one else's data; Vigil gets what is allowed", async () => {
  const vigil = await as('vigil');
  const seenByVigil: string[] = [];
  vigil.on('message', (topic, payload) => seenByVigil.push(`${topic} ${payload.toString()}`));
  await vigil.subscribeAsync('vigil/#', { qos: 1 });
  const siren = await as('device.siren-s');
  const seenBySiren: string[] = [];
  siren.on('message', (topic) => seenBySiren.push(topic));
  await siren.subscribeAsync('#', { qos: 1 });
  await siren.subscribeAsync('vigil/sirens/siren-s/command', { qos: 1 });
  const a = await as('device.sensor-a');
  // Forbidden: B's sensor topic, a siren command. Mosquitto (MQTT 3.1.1) acknowledges and drops them.
  await a.publishAsync('vigil/sensors/sensor-b/events', 'forged', { qos: 1 });
  await a.publishAsync('vigil/sirens/siren-s/command', 'forged', { qos: 1 });
  // Allowed: A's own topic, then Vigil's command to the siren. Order on one broker is kept, so when these arrive the forged ones would have.
  await a.publishAsync('vigil/sensors/sensor-a/events', 'own', { qos: 1 });
  await vigil.publishAsync('vigil/sirens/siren-s/command', 'from-vigil', { qos: 1 });
  await until(() => seenByVigil.some((m) => m.startsWith('vigil/sirens/siren-s/command from-vigil')) && seenBySiren.length > 0, 'the allowed messages');
  assert.deepEqual(seenByVigil, ['vigil/sensors/sensor-a/events own', 'vigil/sirens/siren-s/command from-vigil']);
  // The siren's '#' read nothing of A's: only its own command reached it.
  assert.deepEqual(seenBySiren, ['vigil/sirens/siren-s/command']);
});
