import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { MQTT_URL, requireMqtt } from '../../test/support/services.js';
import { startDemoNode } from '../../test/e2e/browser.js';
import { signedIn } from '../../test/support/api-client.js';
import { AvlBatcher } from './avl-batcher.js';
import { MAX_FUTURE_MS, parseAvlMessage } from './avl-message.js';
import type { Fix } from './model.js';

const NOW = Date.parse('2026-12-01T18:00:00Z');

test('property: AVL payloads — valid fixes are read exactly, anything else is refused with a reason, nothing throws', () => {
  const valid = fc.record({
    lon: fc.double({ min: -180, max: 180, noNaN: true }),
    lat: fc.double({ min: -90, max: 90, noNaN: true }),
    speed: fc.option(fc.double({ min: 0, max: 300, noNaN: true }), { nil: undefined }),
    heading: fc.option(fc.double({ min: 0, max: 360, noNaN: true }), { nil: undefined }),
    at: fc.option(
      fc.integer({ min: NOW - 3600_000, max: NOW + MAX_FUTURE_MS }).map((t) => new Date(t).toISOString()),
      { nil: undefined },
    ),
  });
  fc.assert(
    fc.property(valid, (m) => {
      const r = parseAvlMessage(Buffer.from(JSON.stringify(m)), NOW);
      assert.ok(r.ok, JSON.stringify(m));
      assert.deepEqual(r.fix.position, [m.lon === 0 ? 0 : m.lon, m.lat === 0 ? 0 : m.lat]);
      assert.equal(r.fix.at, m.at ? Date.parse(m.at) : NOW);
      assert.equal(r.fix.speed, m.speed ?? null);
    }),
    { numRuns: 500 },
  );
  const junk = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    fc.json().map((j) => Buffer.from(j)),
    fc.record({ lon: fc.anything(), lat: fc.anything(), speed: fc.anything(), at: fc.anything() }).map((o) => Buffer.from(JSON.stringify(o))),
  );
  fc.assert(
    fc.property(junk, (payload) => {
      const r = parseAvlMessage(payload, NOW);
      if (r.ok) {
        assert.ok(r.fix.position[0] >= -180 && r.fix.position[0] <= 180 && r.fix.position[1] >= -90 && r.fix.position[1] <= 90);
        assert.ok(r.fix.at <= NOW + MAX_FUTURE_MS);
      } else assert.ok(r.problem.length > 0);
    }),
    { numRuns: 1000 },
  );
  for (const bad of [
    { lon: 181, lat: 0 },
    { lon: 0, lat: -91 },
    { lon: 0, lat: 0, speed: -1 },
    { lon: 0, lat: 0, heading: 361 },
    { lon: 0, lat: 0, at: '2026-12-01T18:05:00Z' },
    { lon: 0, lat: 0, at: 'yesterday' },
    { lon: 0, lat: 0, extra: 1 },
    { lon: '7.4', lat: 43.7 },
  ]) {
    assert.equal(parseAvlMessage(Buffer.from(JSON.stringify(bad)), NOW).ok, false, JSON.stringify(bad));
  }
});

test('AVL batching: the fixes of a window become one write per unit, and every caller resolves only after it', async () => {
  const writes: Map<string, Fix[]>[] = [];
  let durable = false;
  const batcher = new AvlBatcher(
    async (batch) => {
      await new Promise((r) => setImmediate(r));
      writes.push(batch);
      durable = true;
    },
    60_000,
    50,
  );
  const fix = (t: number): Fix => ({ at: t, position: [7.42, 43.73], speed: null, heading: null });
  const a = Array.from({ length: 49 }, (_, k) => batcher.add('u1', [fix(k)]));
  const b = batcher.add('u2', [fix(1)]);
  assert.equal(writes.length, 0);
  // The 50th fix of u1 closes the window early (not the 60 s timer).
  const last = batcher.add('u1', [fix(49)]);
  await Promise.all([...a, b, last]);
  assert.ok(durable);
  assert.equal(writes.length, 1);
  assert.equal(writes[0]!.get('u1')!.length, 50);
  assert.equal(writes[0]!.get('u2')!.length, 1);
  // A failed write rejects its callers (an MQTT message is then not acknowledged and comes again).
  const failing = new AvlBatcher(
    async () => {
      throw new Error('disk full');
    },
    60_000,
    1,
  );
  await assert.rejects(failing.add('u1', [fix(1)]), /disk full/);
});

test('units: AVL over the embedded MQTT broker and over HTTP (API key), durable before acknowledged, kept as a track', async (t) => {
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off' });
  const units = vigil.capabilities.units.service;
  const port = vigil.capabilities.alarms.receiver.mqttPort!;
  const avl = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'avl-gw-1', ...vigil.capabilities.mqttInternal });
  try {
    const engine = [...units.state.units.values()].find((u) => u.callSign === 'FPT 1')!;
    assert.equal(engine.demo, true);
    const before = await vigil.ctx.log.lastSeq();
    const t0 = Date.now() - 10_000;
    // Three fixes published concurrently share one window: one event, and each PUBACK came after it was durable.
    await Promise.all(
      [0, 1, 2].map((k) =>
        avl.publishAsync(
          `vigil/units/${engine.unitId}/position`,
          JSON.stringify({ lon: 7.42 + k * 0.001, lat: 43.731, speed: 12.5, heading: 90, at: new Date(t0 + k * 1000).toISOString() }),
          { qos: 1 },
        ),
      ),
    );
    const written = await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['units.positions.recorded'] });
    // The fixes are sealed under the unit's key of the day (personal data: the crew's whereabouts).
    const opened = await Promise.all(written.map((e) => vigil.ctx.personal.open<unknown[]>((e.data as { sealed: { key: string; sealed: string } }).sealed)));
    assert.equal(
      opened.reduce((n, fixes) => n + fixes!.length, 0),
      3,
    );
    assert.ok(written.length < 3, `${written.length} events for 3 fixes`);
    assert.deepEqual(units.state.units.get(engine.unitId)!.position!.position, [7.422, 43.731]);
    // Invalid payloads and unknown units are refused and recorded nowhere.
    await avl.publishAsync(`vigil/units/${engine.unitId}/position`, '{"lon":200,"lat":0}', { qos: 1 });
    await avl.publishAsync('vigil/units/unt_nobody/position', '{"lon":7.4,"lat":43.7}', { qos: 1 });
    assert.equal((await vigil.ctx.log.read({ afterSeq: written.at(-1)!.seq, typePrefixes: ['units.'] })).length, 0);
    assert.equal(units.refused, 2);

    // HTTP: an AVL gateway of the fire service with an API key.
    const identity = vigil.capabilities.identity.service;
    const fire = identity.listOrgs().find((o) => o.kind === 'fire')!;
    await identity.createUser({ username: 'fireadmin', orgId: fire.id, roles: ['admin'], password: 'fire admin password' }, 'system');
    const { key } = await identity.createApiKey({ name: 'AVL gateway', roles: ['responder'] }, identity.resolvePrincipalOf('fireadmin'));
    const post = (unitId: string, payload: unknown) =>
      vigil.server.app.inject({ method: 'POST', url: `/api/units/${unitId}/positions`, headers: { 'x-api-key': key }, payload: payload as object });
    const ok = await post(engine.unitId, {
      fixes: [
        { lon: 7.425, lat: 43.733, at: new Date(t0 + 5000).toISOString() },
        { lon: 7.421, lat: 43.732, at: new Date(t0 + 4000).toISOString() },
      ],
    });
    assert.equal(ok.statusCode, 202, ok.body);
    // The late fix (t0+4 s) goes to history; the unit stays at its newest fix.
    assert.deepEqual(ok.json().position.position, [7.425, 43.733]);
    assert.equal((await post(engine.unitId, { fixes: [{ lon: 7.4, lat: 95 }] })).statusCode, 400);
    assert.equal((await post(engine.unitId, { fixes: [] })).statusCode, 400);
    assert.equal((await post(engine.unitId, { fixes: [{ lon: 7.4, lat: 43.7, at: new Date(Date.now() + 3600_000).toISOString() }] })).statusCode, 400);
    const police = [...units.state.units.values()].find((u) => u.kind === 'police-car')!;
    assert.equal((await post(police.unitId, { fixes: [{ lon: 7.4, lat: 43.7 }] })).statusCode, 404, 'the fire gateway does not even see police cars');

    // The track over a window, oldest first, from the log.
    const commander = await signedIn(vigil, 'commander');
    const track = await commander('GET', `/api/units/${engine.unitId}/track?from=${new Date(t0 - 1).toISOString()}&to=${new Date(t0 + 4500).toISOString()}`);
    assert.equal(track.status, 200, track.body);
    assert.deepEqual(
      track.json.fixes.map((f: { position: number[] }) => f.position[0]),
      [7.42, 7.421, 7.422, 7.421],
    );
    // Status transitions are checked.
    const responder = await signedIn(vigil, 'responder');
    assert.equal((await responder('POST', `/api/units/${engine.unitId}/status`, { status: 'on-scene' })).status, 409);
    assert.equal((await responder('POST', `/api/units/${engine.unitId}/status`, { status: 'out-of-service', note: 'pump check' })).status, 200);
    assert.equal((await responder('POST', `/api/units/${engine.unitId}/status`, { status: 'available' })).status, 200);
    assert.equal((await responder('GET', '/api/units/mine')).json.unit.callSign, 'FPT 1');
    // The steward (event organiser) sees no units.
    assert.equal((await (await signedIn(vigil, 'steward'))('GET', '/api/units')).json.units.length, 0);
  } finally {
    await avl.endAsync();
    await close();
  }
  void t;
});

test('units: AVL through the real Mosquitto broker (QoS 1, PUBACK from the broker, ingest by subscription)', async (t) => {
  if (!(await requireMqtt(t))) return;
  const root = `vigiltest${process.pid}`;
  const { vigil, close } = await startDemoNode({
    VIGIL_DC09_PORT: 'off',
    VIGIL_MQTT_URL: MQTT_URL,
    VIGIL_MQTT_TOPIC: `${root}/sensors/+/events`,
    VIGIL_UNITS_MQTT_TOPIC: `${root}/units/+/position`,
    VIGIL_NODE_ID: `u${process.pid}`,
  });
  const device = await mqtt.connectAsync(MQTT_URL);
  try {
    const units = vigil.capabilities.units.service;
    const car = [...units.state.units.values()].find((u) => u.kind === 'police-car')!;
    await device.publishAsync(`${root}/units/${car.unitId}/position`, JSON.stringify({ lon: 7.4201, lat: 43.7355, speed: 8 }), { qos: 1 });
    for (let i = 0; i < 400 && !units.state.units.get(car.unitId)!.position; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(units.state.units.get(car.unitId)!.position?.position, [7.4201, 43.7355]);
    const stored = await vigil.ctx.log.read({ subject: `unit:${car.unitId}`, typePrefixes: ['units.positions.recorded'] });
    assert.equal(stored.length, 1);
  } finally {
    await device.endAsync();
    await close();
  }
});
