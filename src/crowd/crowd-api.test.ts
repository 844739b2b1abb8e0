import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import type { RunningVigil } from '../app.js';
import { MQTT_URL, requireMqtt } from '../../test/support/services.js';
import { signedIn } from '../../test/support/api-client.js';
import { until } from '../../test/support/until.js';
import { FORECOURT_RING } from '../../test/support/crowd-zones.js';
import { restartTestNode, startTestNode, stopTestNode } from '../../test/support/test-node.js';

const SQUARE = 'czn:casino-square';

const node = (env: Record<string, string> = {}): Promise<RunningVigil> =>
  startTestNode('crowd', { VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_CROWD_WINDOW_MS: '200', ...env });

test('crowd: counts over MQTT push a zone to warning then critical with one crowd alarm; the commander closes the feeding gate (foot graph closed there); back to normal restores the alarm; a restart rebuilds the same levels', async () => {
  let vigil = await node();
  const counters = await mqtt.connectAsync(`mqtt://127.0.0.1:${vigil.capabilities.alarms.receiver.mqttPort}`, {
    clientId: 'crowd-counters',
    ...vigil.capabilities.mqttInternal,
  });
  try {
    await vigil.capabilities.routing.loaded;
    const crowd = vigil.capabilities.crowd.service;
    const square = crowd.state.zones.get(SQUARE)!;
    assert.ok(square.areaM2 > 8000 && square.areaM2 < 9500, `Place du Casino zone is ${square.areaM2} m²`);
    const publish = (counter: string, m: object) =>
      counters.publishAsync(`vigil/sensors/${counter}/events`, JSON.stringify({ type: 'people-count', state: 'normal', ...m }), { qos: 1 });
    const perHalf = (density: number) => Math.round((density * square.areaM2) / 2);
    const before = await vigil.ctx.log.lastSeq();
    // Two cameras each count half the square; a line counter sees people coming in through the north gate.
    await Promise.all([
      publish('cam:casino-square:west', { value: perHalf(2.2) }),
      publish('cam:casino-square:east', { value: perHalf(2.2) }),
      publish('line:casino-north', { in: 900, out: 40 }),
    ]);
    assert.equal(crowd.state.zones.get(SQUARE)!.level, 'warning');
    const counted = await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['crowd.zone.counted'], subject: `crowd-zone:${SQUARE}` });
    assert.ok(counted.length <= 2, `${counted.length} count events for 3 readings: they are aggregated per window`);
    const alarm = () =>
      [...vigil.capabilities.alarms.state.alarms.values()].find((a) => a.kind === 'crowd' && a.correlationKey === `device:crowd-zone:${SQUARE}`);
    assert.ok(alarm(), 'a crowd alarm is raised');
    assert.equal(alarm()!.priority, 2);

    const commander = await signedIn(vigil, 'commander');
    const alarms = await commander('GET', '/api/alarms');
    assert.ok(
      alarms.json.alarms.some((a: { kind: string; title: string }) => a.kind === 'crowd' && /Place du Casino/.test(a.title)),
      'the commander sees the crowd alarm',
    );
    // Suggestions: close the north gate (people come in there), re-route on foot toward an exit or the emptiest neighbour.
    let view = (await commander('GET', `/api/crowd/zones/${SQUARE}`)).json.zone;
    const close = view.suggestions.find((s: { suggestionId: string }) => s.suggestionId === 'close:gte:casino-north');
    assert.ok(close, JSON.stringify(view.suggestions));
    assert.ok(close.flowPerMin > 0);
    const reroute = view.suggestions.find((s: { kind: string }) => s.kind === 'reroute');
    assert.ok(reroute?.route?.distanceM > 0, 'a foot route out of the square');
    assert.notEqual(reroute.gateId, 'gte:casino-north', 'not through the gate people come in by');

    // Critical: the same alarm (same burst), not a second one.
    await Promise.all([publish('cam:casino-square:west', { value: perHalf(4.3) }), publish('cam:casino-square:east', { value: perHalf(4.3) })]);
    assert.equal(crowd.state.zones.get(SQUARE)!.level, 'critical');
    assert.equal([...vigil.capabilities.alarms.state.alarms.values()].filter((a) => a.kind === 'crowd').length, 1);

    // The steward sees the zone but may not act; the commander applies the suggestion.
    const steward = await signedIn(vigil, 'steward');
    assert.equal((await steward('GET', '/api/crowd')).json.zones.length, 4);
    assert.equal((await steward('POST', `/api/crowd/zones/${SQUARE}/suggestions/close:gte:casino-north/apply`)).status, 403);
    const applied = await commander('POST', `/api/crowd/zones/${SQUARE}/suggestions/close:gte:casino-north/apply`);
    assert.equal(applied.status, 200, applied.body);
    const gate = crowd.state.gates.get('gte:casino-north')!;
    assert.equal(gate.state, 'closed');
    assert.ok(
      gate.closureId && vigil.capabilities.routing.service.state.closures.get(gate.closureId)?.profiles.includes('foot'),
      'the foot graph is closed at the gate',
    );
    assert.ok(!applied.json.zone.suggestions.some((s: { suggestionId: string }) => s.suggestionId === 'close:gte:casino-north'));
    assert.equal((await commander('POST', '/api/crowd/gates/gte:casino-north/close')).status, 409);
    // Dismissing lasts for this level episode.
    view = (await commander('GET', `/api/crowd/zones/${SQUARE}`)).json.zone;
    const other = view.suggestions[0];
    if (other) {
      const dismissed = await commander('POST', `/api/crowd/zones/${SQUARE}/suggestions/${other.suggestionId}/dismiss`);
      assert.equal(dismissed.status, 200);
      assert.ok(!dismissed.json.zone.suggestions.some((s: { suggestionId: string }) => s.suggestionId === other.suggestionId));
    }
    assert.equal((await commander('POST', `/api/crowd/zones/${SQUARE}/suggestions/nonsense/apply`)).status, 404);

    // Oscillating just under the critical threshold (inside the hysteresis band) keeps it critical.
    await Promise.all([publish('cam:casino-square:west', { value: perHalf(3.8) }), publish('cam:casino-square:east', { value: perHalf(3.8) })]);
    assert.equal(crowd.state.zones.get(SQUARE)!.level, 'critical');
    // Back to normal: the alarm is restored (still to be handled by the operator).
    await Promise.all([publish('cam:casino-square:west', { value: perHalf(0.5) }), publish('cam:casino-square:east', { value: perHalf(0.5) })]);
    assert.equal(crowd.state.zones.get(SQUARE)!.level, 'normal');
    const trail = async () =>
      JSON.stringify((await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['alarms.alarm', 'crowd.level'] })).map((e) => [e.type, e.data]));
    assert.equal(alarm()!.restored, true, await trail());
    // Opening the gate reopens the foot graph there.
    assert.equal((await commander('POST', '/api/crowd/gates/gte:casino-north/open')).status, 200);
    assert.equal(vigil.capabilities.routing.service.state.closures.size, 0);
    // Leave Quai Albert at warning for the restart.
    const quai = crowd.state.zones.get('czn:quai-albert')!;
    await publish('cam:quai-albert', { value: Math.round(quai.areaM2 * 2.5) });
    assert.equal(crowd.state.zones.get('czn:quai-albert')!.level, 'warning');

    const levels = () => [...vigil.capabilities.crowd.service.state.zones.values()].map((z) => [z.zoneId, z.level, z.occupancy, z.density]);
    const gates = () => [...vigil.capabilities.crowd.service.state.gates.values()].map((g) => [g.gateId, g.state]);
    const was = { levels: levels(), gates: gates() };
    await counters.endAsync();
    vigil = await restartTestNode(vigil);
    assert.deepEqual(levels(), was.levels, 'a restart rebuilds the same levels from the log');
    assert.deepEqual(gates(), was.gates);
  } finally {
    if (counters.connected) await counters.endAsync();
    await stopTestNode(vigil);
  }
});

test('crowd: counts over HTTP with an API key and from the camera analytics webhook; bad input is refused and stores nothing', async () => {
  const vigil = await node({ VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_ROUTING_OSM: 'off' });
  try {
    const identity = vigil.capabilities.identity.service;
    const events = identity.listOrgs().find((o) => o.kind === 'event-organiser')!;
    await identity.createUser({ username: 'eventsadmin', orgId: events.id, roles: ['admin'], password: 'events admin password' }, 'system');
    const { key } = await identity.createApiKey({ name: 'Counting gateway', roles: ['operator'] }, identity.resolvePrincipalOf('eventsadmin'));
    const post = (url: string, payload: object) => vigil.server.app.inject({ method: 'POST', url, headers: { 'x-api-key': key }, payload });
    const crowd = vigil.capabilities.crowd.service;
    const quai = crowd.state.zones.get('czn:quai-albert')!;
    const ok = await post('/api/crowd/counts', {
      readings: [
        { counterId: 'cam:quai-albert', count: 300 },
        { counterId: 'line:quai-albert', in: 40, out: 5 },
      ],
    });
    assert.equal(ok.statusCode, 202, ok.body);
    assert.deepEqual(ok.json(), { accepted: 2, refused: 0 });
    // Answered once durable: the read model already has it.
    assert.equal(crowd.state.zones.get('czn:quai-albert')!.occupancy, 300);
    assert.equal(crowd.state.gates.get('gte:quai-albert')!.flows.at(-1)!.slice(1).join(), '40,5');
    const seq = await vigil.ctx.log.lastSeq();
    for (const bad of [
      { readings: [] },
      { readings: [{ counterId: 'cam:quai-albert', count: -1 }] },
      { readings: [{ counterId: 'cam:quai-albert', count: 1, in: 2 }] },
      { readings: [{ counterId: 'cam:quai-albert' }] },
      { readings: [{ counterId: 'cam:quai-albert', count: 5, at: 'tomorrow' }] },
      { readings: [{ counterId: 'cam:quai-albert', count: 5 }], extra: 1 },
    ]) {
      assert.equal((await post('/api/crowd/counts', bad)).statusCode, 400, JSON.stringify(bad));
    }
    assert.equal(
      (
        await post('/api/crowd/counts', {
          readings: [
            { counterId: 'cam:quai-albert', count: 5 },
            { counterId: 'cam:nowhere', count: 5 },
          ],
        })
      ).statusCode,
      404,
    );
    // A count sent to a line counter (or crossings to a camera) is refused.
    assert.equal((await post('/api/crowd/counts', { readings: [{ counterId: 'line:quai-albert', count: 5 }] })).statusCode, 400);
    // Only crowd events count: the node's own background work (citizen-report notices) may write meanwhile.
    const storedAfter = await vigil.ctx.log.read({ afterSeq: seq, typePrefixes: ['crowd.'] });
    assert.deepEqual(
      storedAfter.map((e) => [e.type, e.subject]),
      [],
      'nothing stored for refused requests',
    );
    // The camera analytics webhook carries people counts too.
    const cam = await post('/api/alarms/webhooks/camera', { cameraId: 'cam:quai-albert', event: 'people-count', count: Math.round(quai.areaM2 * 2.1) });
    assert.equal(cam.statusCode, 202, cam.body);
    assert.equal(crowd.state.zones.get('czn:quai-albert')!.level, 'warning');
    assert.equal((await post('/api/alarms/webhooks/camera', { cameraId: 'cam:quai-albert', event: 'people-count', count: 2.5 })).statusCode, 400);
    assert.equal((await post('/api/alarms/webhooks/camera', { cameraId: 'cam:quai-albert', event: 'people-count' })).statusCode, 400);
    // Zones: defined by a commander of the owning organisation, polygon checked strictly, thresholds ordered.
    const commander = await signedIn(vigil, 'commander');
    const ring = FORECOURT_RING;
    const made = await commander('POST', '/api/crowd/zones', {
      name: 'Stade Louis II forecourt',
      polygon: { type: 'Polygon', coordinates: [ring] },
      occupancyCounters: ['cam:stade'],
    });
    assert.equal(made.status, 201, made.body);
    // A zone is drawn for a major event the caller takes part in, never for one that does not exist.
    assert.equal(
      (await commander('POST', '/api/crowd/zones', { name: 'x', polygon: { type: 'Polygon', coordinates: [ring] }, eventId: 'evt:grand-prix' })).status,
      404,
    );
    assert.ok(Math.abs(made.json.zone.areaM2 - 80.5 * 66.7) < 200, String(made.json.zone.areaM2));
    assert.equal(made.json.zone.warningDensity, 2);
    assert.equal(made.json.zone.criticalDensity, 4);
    assert.equal((await commander('POST', '/api/crowd/zones', { name: 'x', polygon: { type: 'Polygon', coordinates: [ring.slice(0, 4)] } })).status, 400);
    assert.equal(
      (await commander('POST', '/api/crowd/zones', { name: 'x', polygon: { type: 'Polygon', coordinates: [ring] }, warningDensity: 3, criticalDensity: 2 }))
        .status,
      400,
    );
    assert.equal(
      (await commander('POST', '/api/crowd/zones', { name: 'x', polygon: { type: 'Polygon', coordinates: [ring] }, occupancyCounters: ['cam:quai-albert'] }))
        .status,
      409,
      'a counter feeds one zone',
    );
    assert.equal(
      (await commander('POST', '/api/crowd/gates', { name: 'g', position: [7.42, 43.73], inside: 'czn:quai-albert' })).status,
      404,
      "not the commander's organisation's zone",
    );
    // The police commander's zone is not visible to the organiser's gateway: its counter is unknown to it, answered as
    // one that does not exist (before: 400 against 404, which told the gateway the counter exists elsewhere).
    const foreign = await post('/api/crowd/counts', { readings: [{ counterId: 'cam:stade', count: 5 }] });
    const none = await post('/api/crowd/counts', { readings: [{ counterId: 'cam:nowhere-at-all', count: 5 }] });
    assert.equal(foreign.statusCode, 404, foreign.body);
    assert.equal(none.statusCode, 404, none.body);
    assert.equal(foreign.json().error.code, none.json().error.code);
  } finally {
    await stopTestNode(vigil);
  }
});

test('crowd: people counts through the real Mosquitto broker', async (t) => {
  if (!(await requireMqtt(t))) return;
  const root = `vigilcrowd${process.pid}`;
  const vigil = await node({
    VIGIL_MQTT_URL: MQTT_URL,
    VIGIL_MQTT_TOPIC: `${root}/sensors/+/events`,
    VIGIL_UNITS_MQTT_TOPIC: `${root}/units/+/position`,
    VIGIL_NODE_ID: `c${process.pid}`,
    VIGIL_ROUTING_OSM: 'off',
  });
  const device = await mqtt.connectAsync(MQTT_URL);
  try {
    const crowd = vigil.capabilities.crowd.service;
    // Only this test's count: the demo city's counters sent their first counts when it loaded.
    const before = await vigil.ctx.log.lastSeq();
    await device.publishAsync(`${root}/sensors/cam:boulingrins/events`, JSON.stringify({ type: 'people-count', state: 'normal', value: 1234 }), { qos: 1 });
    await until(() => crowd.state.zones.get('czn:boulingrins')!.occupancy === 1234, 'the count from Mosquitto');
    const stored = await vigil.ctx.log.read({ afterSeq: before, subject: 'crowd-zone:czn:boulingrins', typePrefixes: ['crowd.zone.counted'] });
    assert.equal(stored.length, 1);
  } finally {
    await device.endAsync();
    await stopTestNode(vigil);
  }
});
