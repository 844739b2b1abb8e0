import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { flood } from '../../../../test/support/alert-fixtures.js';
import { signedIn } from '../../../../test/support/api-client.js';
import { MQTT_URL, requireMqtt } from '../../../../test/support/services.js';
import { inArea, targetAreaOf } from '../../targeting/area-geometry.js';
import { wavSeconds } from '../../messages/voice.js';
import { until } from '../../../../test/support/until.js';
import { startTestNode, stopTestNode } from '../../../../test/support/test-node.js';

/** Sirens and loudspeakers in the area get an MQTT command on the real broker; loudspeakers a WAV per language. */
test('sirens and loudspeakers: MQTT commands to the devices inside the area, with level and voice files per language', async (t) => {
  if (!(await requireMqtt(t))) return;
  const prefix = `test-${process.pid}-${Date.now().toString(36)}/sirens`;
  const listener = await mqtt.connectAsync(MQTT_URL);
  const commands = new Map<string, Record<string, unknown>>();
  listener.on('message', (topic, payload) => commands.set(topic.split('/')[2]!, JSON.parse(payload.toString()) as Record<string, unknown>));
  await listener.subscribeAsync(`${prefix}/+/command`, { qos: 1 });
  const vigil = await startTestNode('sirens', { VIGIL_SIREN_MQTT_URL: MQTT_URL, VIGIL_SIREN_TOPIC: prefix });
  try {
    // The whole principality: a circle of 2 km around the centre, so sirens and loudspeakers are both inside.
    const everywhere = {
      ...flood,
      channels: ['sirens'],
      info: flood.info.map((i) => ({ ...i, area: [{ areaDesc: 'Monaco', circle: ['43.7384,7.4246 2'] }] })),
    };
    const area = targetAreaOf(everywhere.info[0]!.area);
    const expected = [...vigil.capabilities.city.service.state.devices.values()].filter(
      (d) => (d.kind === 'siren' || d.kind === 'loudspeaker') && inArea(d.position, area),
    );
    assert.ok(expected.some((d) => d.kind === 'siren') && expected.some((d) => d.kind === 'loudspeaker'), 'the demo has both inside');
    const author = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    const { json } = await author('POST', '/api/alerts', everywhere);
    await author('POST', `/api/alerts/${json.alert.alertId}/submit`);
    await second('POST', `/api/alerts/${json.alert.alertId}/approve`);
    await until(() => commands.size === expected.length, `${expected.length} device commands (got ${commands.size})`);
    const progress = vigil.capabilities.alerts.delivery.of(json.alert.alertId).find((p) => p.channel === 'sirens')!;
    await until(
      () => vigil.capabilities.alerts.delivery.of(json.alert.alertId).find((p) => p.channel === 'sirens')?.status === 'done',
      'the sirens channel to finish',
    );
    assert.equal(progress.queued, expected.length);
    const siren = expected.find((d) => d.kind === 'siren')!;
    const sirenCommand = commands.get(siren.id)!;
    assert.deepEqual([sirenCommand.action, sirenCommand.signal, sirenCommand.levelDb, sirenCommand.voice], ['sound', 'evacuate', 85, []]);
    const speaker = expected.find((d) => d.kind === 'loudspeaker')!;
    const voice = commands.get(speaker.id)!.voice as { language: string; url: string }[];
    assert.deepEqual(
      voice.map((v) => v.language),
      ['fr-MC', 'en-GB'],
    );
    // Each language's voice file is a real WAV of the message.
    for (const v of voice) {
      const res = await fetch(`${vigil.url}${new URL(v.url).pathname}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'audio/wav');
      const wav = Buffer.from(await res.arrayBuffer());
      assert.equal(wav.toString('latin1', 0, 4), 'RIFF');
      assert.equal(wav.readUInt32LE(4), wav.length - 8, 'header sizes are the real ones');
      assert.ok(wavSeconds(wav) > 3, `${v.language}: ${wavSeconds(wav)} s of speech`);
    }
    // The all-clear stops them.
    commands.clear();
    const cancel = await author('POST', `/api/alerts/${json.alert.alertId}/cancel`);
    await author('POST', `/api/alerts/${cancel.json.alert.alertId}/submit`);
    await until(() => commands.size === expected.length, 'stop commands');
    assert.deepEqual([commands.get(siren.id)!.action, commands.get(siren.id)!.signal], ['stop', 'all-clear']);
  } finally {
    await stopTestNode(vigil);
    await listener.endAsync();
  }
});
