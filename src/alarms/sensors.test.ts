import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { MQTT_URL, requireMqtt } from '../../test/support/services.js';
import { parseSensorMessage } from './ingest/sensor-message.js';
import { startTestNode, stopTestNode } from '../../test/support/test-node.js';
import { until } from '../../test/support/until.js';

test('MQTT sensors through a real broker: validated, durable, alarms raised and restored', async (t) => {
  if (!(await requireMqtt(t))) return;
  const topicRoot = `vigiltest${process.pid}`;
  const vigil = await startTestNode('mqtt', {
    VIGIL_MQTT_EMBEDDED_PORT: '0',
    VIGIL_MQTT_URL: MQTT_URL,
    VIGIL_MQTT_TOPIC: `${topicRoot}/sensors/+/events`,
    VIGIL_NODE_ID: `t${process.pid}`,
  });
  const publisher = await mqtt.connectAsync(MQTT_URL);
  try {
    const gas = [...vigil.capabilities.city.service.state.devices.values()].find((d) => d.kind === 'gas-sensor')!;
    const send = (device: string, body: unknown) =>
      publisher.publishAsync(`${topicRoot}/sensors/${device}/events`, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
    const state = vigil.capabilities.alarms.state;
    await send(gas.id, { type: 'gas', state: 'alarm', value: 312, unit: 'ppm', battery: 80 });
    await until(() => state.queue().length === 1, 'the gas alarm');
    const alarm = state.queue()[0]!;
    assert.equal(alarm.kind, 'gas');
    assert.equal(alarm.siteId, gas.siteId);
    assert.equal(alarm.orgId, gas.orgId);
    await send(gas.id, { type: 'gas', state: 'normal', value: 5, unit: 'ppm' });
    await until(() => state.alarms.get(alarm.alarmId)!.restored, 'the restore');
    // Invalid payloads are refused and recorded nowhere; the stream goes on.
    const before = state.signalCount;
    await send(gas.id, 'not json');
    await send(gas.id, { type: 'gas', state: 'on fire' });
    await send(gas.id, { type: 'gas', state: 'alarm', extra: 1 });
    await send(gas.id, { type: 'heartbeat', state: 'normal' });
    await send('dev:unknown:1', { type: 'smoke', state: 'alarm' });
    await until(() => state.signalCount === before + 1, 'the unknown device signal');
    const last = [...state.signals.values()].at(-1)!;
    assert.deepEqual(last.flags, ['unknown-device']);
    assert.equal(last.kind, 'fire');
  } finally {
    await publisher.endAsync();
    await stopTestNode(vigil);
  }
});

test('camera webhook: an operator API key reports video analytics as signals', async () => {
  const vigil = await startTestNode('cam', { VIGIL_MQTT_EMBEDDED_PORT: '0' });
  try {
    const identity = vigil.capabilities.identity.service;
    const police = identity.listOrgs().find((o) => o.kind === 'police')!;
    await identity.createUser({ username: 'vmsadmin', orgId: police.id, roles: ['admin'], password: 'vms admin password' }, 'system');
    const { key } = await identity.createApiKey({ name: 'video management system', roles: ['operator'] }, identity.resolvePrincipalOf('vmsadmin'));
    const camera = [...vigil.capabilities.city.service.state.devices.values()].find((d) => d.kind === 'camera' && d.orgId === police.id)!;
    const post = (payload: object) => vigil.server.app.inject({ method: 'POST', url: '/api/alarms/webhooks/camera', headers: { 'x-api-key': key }, payload });
    const ok = await post({ cameraId: camera.id, event: 'line-crossing', confidence: 0.92, snapshotUrl: 'https://vms.example/snap/1.jpg' });
    assert.equal(ok.statusCode, 202, ok.body);
    assert.equal(ok.json().signal.kind, 'burglary');
    assert.equal((await post({ cameraId: camera.id, event: 'dancing' })).statusCode, 400);
    assert.equal((await post({ cameraId: 'dev:camera:none', event: 'smoke' })).statusCode, 404);
    assert.equal(vigil.capabilities.alarms.state.queue().filter((a) => a.kind === 'burglary').length, 1);
  } finally {
    await stopTestNode(vigil);
  }
});

test('fuzz: sensor payloads — any bytes are either a valid message or refused with a reason', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        fc.json().map((j) => Buffer.from(j)),
        fc.record({ type: fc.string(), state: fc.string(), value: fc.anything() }).map((o) => Buffer.from(JSON.stringify(o))),
      ),
      (payload) => {
        const r = parseSensorMessage(payload);
        if (r.ok) assert.ok(['alarm', 'normal', 'trouble', 'test'].includes(r.message.state));
        else assert.ok(r.problem.length > 0);
      },
    ),
    { numRuns: 1000 },
  );
});

test('embedded MQTT broker (one-machine default): a sensor QoS 1 publish is ACKed only once durable', async () => {
  const vigil = await startTestNode('aedes', { VIGIL_MQTT_EMBEDDED_PORT: '0' });
  const port = vigil.capabilities.alarms.receiver.mqttPort!;
  const sensor = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'smoke-1', ...vigil.capabilities.mqttInternal });
  try {
    const device = [...vigil.capabilities.city.service.state.devices.values()].find((d) => d.kind === 'gas-sensor')!;
    const before = await vigil.ctx.log.lastSeq();
    await sensor.publishAsync(`vigil/sensors/${device.id}/events`, JSON.stringify({ type: 'gas', state: 'alarm', value: 500, unit: 'ppm' }), { qos: 1 });
    // publishAsync resolved on PUBACK: the signal must already be in the log.
    const written = await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['alarms.signal.received'] });
    assert.equal(written.length, 1);
    assert.equal((written[0]!.data as { signal: { deviceId: string } }).signal.deviceId, device.id);
    // Topics outside the sensor filter are ordinary broker traffic, not signals.
    await sensor.publishAsync('other/topic', 'hello', { qos: 1 });
    assert.equal((await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['alarms.signal.received'] })).length, 1);
  } finally {
    await sensor.endAsync();
    await stopTestNode(vigil);
  }
});
