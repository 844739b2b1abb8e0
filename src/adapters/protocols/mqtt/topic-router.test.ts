import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MqttTopicRouter, mqttMessage, topicMatches } from './topic-router.js';

test('topic filters: + is one level, # the rest', () => {
  assert.ok(topicMatches('vigil/sensors/+/events', 'vigil/sensors/dev:1/events'));
  assert.ok(!topicMatches('vigil/sensors/+/events', 'vigil/sensors/a/b/events'));
  assert.ok(!topicMatches('vigil/sensors/+/events', 'vigil/sensors/a'));
  assert.ok(topicMatches('vigil/#', 'vigil/units/u1/position'));
});

test('MQTT router: a topic goes to its route; a shared topic is split by the JSON type; the rest is not ours', async () => {
  const router = new MqttTopicRouter();
  const got: string[] = [];
  router.route({ filter: 'vigil/sensors/+/events', handle: async (m) => void got.push(`sensors:${m.topic}`) });
  router.route({ filter: 'vigil/units/+/position', handle: async (m) => void got.push(`units:${m.topic}`) });
  const remove = router.route({
    filter: 'vigil/sensors/+/events',
    type: 'people-count',
    handle: async (m) => void got.push(`crowd:${(m.json() as { value: number }).value}`),
  });
  assert.deepEqual(router.filters(), ['vigil/sensors/+/events', 'vigil/units/+/position']);
  assert.equal(await router.deliver('vigil/sensors/cam1/events', Buffer.from('{"type":"people-count","state":"normal","value":4}')), true);
  await router.deliver('vigil/sensors/gas1/events', Buffer.from('{"type":"gas","state":"alarm"}'));
  await router.deliver('vigil/sensors/junk/events', Buffer.from('not json'));
  await router.deliver('vigil/units/u1/position', Buffer.from('{"lon":7.4,"lat":43.7}'));
  assert.equal(await router.deliver('other/topic', Buffer.from('hello')), false);
  assert.equal(router.listensOn('other/topic'), false);
  remove();
  await router.deliver('vigil/sensors/cam1/events', Buffer.from('{"type":"people-count","state":"normal","value":5}'));
  assert.deepEqual(got, [
    'crowd:4',
    'sensors:vigil/sensors/gas1/events',
    'sensors:vigil/sensors/junk/events',
    'units:vigil/units/u1/position',
    'sensors:vigil/sensors/cam1/events',
  ]);
});

test('MQTT message: the payload is parsed once, undefined when it is not JSON', () => {
  const m = mqttMessage('t', Buffer.from('{"a":1}'));
  assert.equal(m.json(), m.json());
  assert.equal(mqttMessage('t', Buffer.from('{')).json(), undefined);
  assert.equal(mqttMessage('t', Buffer.from('null')).json(), null);
});
