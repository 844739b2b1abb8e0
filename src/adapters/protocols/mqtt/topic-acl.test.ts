import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayPublish, maySubscribe, type MqttIdentity } from './topic-acl.js';

const plan = { sensorTopic: 'vigil/sensors/+/events', unitsTopic: 'vigil/units/+/position', sirenPrefix: 'vigil/sirens' };
const sensor: MqttIdentity = { kind: 'device', id: 'a', commanded: false };
const siren: MqttIdentity = { kind: 'device', id: 's', commanded: true };
const unit: MqttIdentity = { kind: 'unit', id: 'u1' };

test('MQTT topic rules: each device its own topics, only Vigil commands, no wildcard reads', () => {
  assert.equal(mayPublish(sensor, 'vigil/sensors/a/events', plan), true);
  assert.equal(mayPublish(sensor, 'vigil/sensors/b/events', plan), false);
  assert.equal(mayPublish(sensor, 'vigil/sensors/a/events/extra', plan), false);
  assert.equal(mayPublish(sensor, 'vigil/sirens/a/ack', plan), false, 'a sensor has no commands to acknowledge');
  assert.equal(mayPublish(siren, 'vigil/sirens/s/ack', plan), true);
  assert.equal(mayPublish(siren, 'vigil/sirens/s/command', plan), false, 'not even its own command');
  assert.equal(mayPublish(unit, 'vigil/units/u1/position', plan), true);
  assert.equal(mayPublish(unit, 'vigil/sensors/u1/events', plan), false);
  assert.equal(mayPublish({ kind: 'vigil' }, 'vigil/sirens/s/command', plan), true);
  assert.equal(mayPublish({ kind: 'vigil' }, '$SYS/x', plan), false);
  assert.equal(maySubscribe(siren, 'vigil/sirens/s/command', plan), true);
  for (const f of ['#', 'vigil/#', 'vigil/sirens/+/command', 'vigil/sirens/t/command', 'vigil/sensors/s/events'])
    assert.equal(maySubscribe(siren, f, plan), false, f);
  assert.equal(maySubscribe(sensor, 'vigil/sirens/a/command', plan), false);
  assert.equal(maySubscribe(unit, 'vigil/units/u1/position', plan), false);
  // An id that is not one topic level never matches: no wildcard or separator smuggled in.
  for (const id of ['+', '#', 'a/b', '']) assert.equal(mayPublish({ kind: 'device', id, commanded: true }, `vigil/sensors/${id}/events`, plan), false, id);
});
