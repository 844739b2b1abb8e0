import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { parseSensorMessage } from '../../../alarms/index.js';
import { serveVigil } from '../../../app.js';
import { loadConfig } from '../../../kernel/config.js';
import { ManualClock } from '../../../kernel/time.js';
import { flood } from '../../../../test/support/alert-fixtures.js';
import { signedIn } from '../../../../test/support/api-client.js';
import { MQTT_URL, requireMqtt } from '../../../../test/support/services.js';
import { inArea, targetAreaOf } from '../../targeting/area-geometry.js';
import { until } from '../../../../test/support/until.js';

/** Noise sensors report over the real Mosquitto; sirens and loudspeakers are commanded 15 dB above what they measured, capped at the maximum. */
test('measured ambient noise: readings over MQTT become events only on meaningful change; the commanded level is ambient + 15 dB, capped', async (t) => {
  if (!(await requireMqtt(t))) return;
  const root = `test-${process.pid}-${Date.now().toString(36)}`;
  const clock = new ManualClock(Date.now());
  const listener = await mqtt.connectAsync(MQTT_URL);
  const commands = new Map<string, Record<string, unknown>>();
  listener.on('message', (topic, payload) => commands.set(topic.split('/')[2]!, JSON.parse(payload.toString()) as Record<string, unknown>));
  await listener.subscribeAsync(`${root}/sirens/+/command`, { qos: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-noise-'));
  const vigil = await serveVigil(
    {
      ...loadConfig({
        VIGIL_DC09_PORT: 'off',
        VIGIL_MQTT_EMBEDDED_PORT: 'off',
        VIGIL_LOG_LEVEL: 'silent',
        VIGIL_MQTT_URL: MQTT_URL,
        VIGIL_MQTT_TOPIC: `${root}/sensors/+/events`,
        VIGIL_SIREN_MQTT_URL: MQTT_URL,
        VIGIL_SIREN_TOPIC: `${root}/sirens`,
      }),
      dataDir: dir,
      port: 0,
      host: '127.0.0.1',
      nodeId: `n${process.pid}`,
    },
    { clock },
  );
  const sensor = await mqtt.connectAsync(MQTT_URL);
  try {
    const devices = [...vigil.capabilities.city.service.state.devices.values()];
    const area = targetAreaOf([{ areaDesc: 'Monaco', circle: ['43.7384,7.4246 2'] }]);
    const speaker = devices.find((d) => d.kind === 'loudspeaker' && inArea(d.position, area))!;
    const [loudSiren, quietSiren] = devices.filter((d) => d.kind === 'siren' && inArea(d.position, area));
    const sensorOf = (id: string) => devices.find((d) => d.kind === 'noise-sensor' && d.parentId === id)!.id;
    const events = async (deviceId: string) =>
      (await vigil.ctx.log.read({ typePrefixes: ['alerts.ambient.measured'], limit: 100_000 })).filter(
        (e) => e.type === 'alerts.ambient.measured' && (e.data as { deviceId: string }).deviceId === deviceId,
      );
    const publish = (id: string, body: unknown) => sensor.publishAsync(`${root}/sensors/${id}/events`, JSON.stringify(body), { qos: 1 });
    const t0 = clock.now() - 60_000;
    // 20 readings a second apart around 72 dB(A): one event. Then 80 dB(A) twenty seconds on: a second.
    for (let i = 0; i < 20; i++)
      await publish(sensorOf(speaker!.id), {
        type: 'noise',
        state: 'normal',
        value: 72 + (i % 3) - 1,
        unit: 'dB(A)',
        at: new Date(t0 + i * 1000).toISOString(),
      });
    await publish(sensorOf(speaker!.id), { type: 'noise', state: 'normal', value: 80, unit: 'dB(A)', at: new Date(t0 + 20_000).toISOString() });
    // Refused: no value, out of range, wrong unit. Nothing recorded for the quiet siren.
    await publish(sensorOf(quietSiren!.id), { type: 'noise', state: 'normal' });
    await publish(sensorOf(quietSiren!.id), { type: 'noise', state: 'normal', value: 300 });
    await publish(sensorOf(quietSiren!.id), { type: 'noise', state: 'normal', value: 60, unit: 'ppm' });
    // A siren's own microphone may report too (the device itself as sensor): 110 dB(A), capped at 120.
    await publish(loudSiren!.id, { type: 'noise', state: 'normal', value: 110, at: new Date(t0).toISOString() });
    await until(
      () => vigil.capabilities.alerts.ambient.state.latest.get(speaker!.id)?.laeqDb === 80 && vigil.capabilities.alerts.ambient.state.latest.has(loudSiren!.id),
      'the readings to arrive',
    );
    const recorded = (await events(speaker!.id)).map((e) => (e.data as { laeqDb: number }).laeqDb);
    assert.equal(recorded.length, 2, `21 readings, two events (${recorded.join(', ')})`);
    assert.ok(recorded[0]! >= 71 && recorded[0]! <= 73 && recorded[1] === 80);
    assert.equal((await events(quietSiren!.id)).length, 0, 'bad readings recorded nothing');

    const officer = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    const everywhere = {
      ...flood,
      channels: ['sirens'],
      info: flood.info.map((i) => ({ ...i, area: [{ areaDesc: 'Monaco', circle: ['43.7384,7.4246 2'] }] })),
    };
    const { json } = await officer('POST', '/api/alerts', everywhere);
    await officer('POST', `/api/alerts/${json.alert.alertId}/submit`);
    await second('POST', `/api/alerts/${json.alert.alertId}/approve`);
    await until(() => commands.has(speaker!.id) && commands.has(loudSiren!.id) && commands.has(quietSiren!.id), 'the commands');
    assert.deepEqual(
      [commands.get(speaker!.id)!.levelDb, commands.get(speaker!.id)!.ambientDb, commands.get(speaker!.id)!.ambientSource],
      [95, 80, 'measured'],
    );
    assert.deepEqual([commands.get(loudSiren!.id)!.levelDb, commands.get(loudSiren!.id)!.ambientSource], [120, 'measured'], 'capped at the siren maximum');
    assert.deepEqual(
      [commands.get(quietSiren!.id)!.levelDb, commands.get(quietSiren!.id)!.ambientDb, commands.get(quietSiren!.id)!.ambientSource],
      [85, 70, 'default'],
    );
    const details = await officer('GET', `/api/alerts/${json.alert.alertId}/channels`);
    const row = details.json.sirens.find((d: { deviceId: string }) => d.deviceId === speaker!.id);
    assert.deepEqual([row.ambientDb, row.ambientSource, row.levelDb], [80, 'measured', 95]);

    // Sixteen minutes later with no new reading the measurement is stale: the default applies again.
    clock.advance(16 * 60_000);
    assert.deepEqual(vigil.capabilities.alerts.ambient.ambientOf({ id: speaker!.id, kind: 'loudspeaker' }), {
      ambientDb: 60,
      ambientSource: 'default',
      measuredAt: null,
    });
  } finally {
    await sensor.endAsync();
    await listener.endAsync();
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('property: a noise reading parses only with a value of 0–194 dB(A); any payload is read without throwing', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc
          .record(
            {
              type: fc.constant('noise'),
              state: fc.constantFrom('normal', 'alarm'),
              value: fc.oneof(fc.double(), fc.constant(undefined)),
              unit: fc.oneof(fc.constantFrom('dB(A)', 'dBA', 'ppm'), fc.constant(undefined)),
            },
            { requiredKeys: ['type', 'state'] },
          )
          .map((x) => JSON.stringify(x)),
        fc.json(),
        fc.string(),
      ),
      (text) => {
        const r = parseSensorMessage(Buffer.from(text));
        if (r.ok && r.message.type === 'noise') {
          assert.ok(r.message.value! >= 0 && r.message.value! <= 194);
          assert.ok(r.message.unit === undefined || r.message.unit === 'dB(A)' || r.message.unit === 'dBA');
        }
      },
    ),
    { numRuns: 2000 },
  );
});
