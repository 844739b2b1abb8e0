import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil, type RunningVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import type { Position } from '../kernel/geo.js';
import { signedIn } from '../../test/support/api-client.js';

const config = (dataDir: string) => ({
  ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' }),
  dataDir,
  port: 0,
  host: '127.0.0.1',
});

async function start(dataDir: string): Promise<RunningVigil> {
  const vigil = await serveVigil(config(dataDir));
  await vigil.capabilities.routing.loaded;
  assert.equal(vigil.capabilities.routing.service.loadError, null);
  return vigil;
}

// Fontvieille (the heliport side) to Monte-Carlo (the casino): across the whole city.
const FONTVIEILLE: Position = [7.416, 43.7305];
const CASINO: Position = [7.4275, 43.7396];

test('routing over HTTP on the demo city: route, closure detour (kept across a restart), traffic, nearest units, isochrone, coverage, evacuation', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-routing-'));
  let vigil = await start(dataDir);
  try {
    const responder = await signedIn(vigil, 'responder');
    const operator = await signedIn(vigil, 'operator');
    const anonymous = await signedIn(vigil, 'nobody');

    assert.equal((await anonymous('POST', '/api/routing/route', { from: FONTVIEILLE, to: CASINO })).status, 401);
    const info = await responder('GET', '/api/routing');
    assert.equal(info.status, 200);
    assert.ok(info.json.profiles.car.nodes > 1500 && info.json.profiles.foot.nodes > info.json.profiles.car.nodes);
    assert.ok(info.json.assemblyPoints.length > 0);

    const route = await responder('POST', '/api/routing/route', { from: FONTVIEILLE, to: CASINO });
    assert.equal(route.status, 200, route.body);
    assert.equal(route.json.geometry.type, 'LineString');
    assert.ok(route.json.distanceM > 1000 && route.json.distanceM < 5000, `${route.json.distanceM} m`);
    assert.ok(route.json.timeS > 60);
    assert.ok(
      route.json.steps.some((s: { name: string }) => s.name !== ''),
      'named streets in the steps',
    );
    const shortest = await responder('POST', '/api/routing/route', { from: FONTVIEILLE, to: CASINO, metric: 'distance' });
    assert.ok(shortest.json.distanceM <= route.json.distanceM);
    assert.equal((await responder('POST', '/api/routing/route', { from: [200, 43], to: CASINO })).status, 400, 'schema: longitude out of range');
    assert.equal((await responder('POST', '/api/routing/route', { from: [8.5, 45], to: CASINO })).status, 400, 'far from any road');

    // A closure across the route's middle: responders may not, operators may; the route detours.
    const coords = route.json.geometry.coordinates as Position[];
    const mid = Math.floor(coords.length / 2);
    const [a, b] = [coords[mid - 1]!, coords[mid]!];
    const c: Position = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    const n: Position = [-(b[1] - a[1]) * 0.5 || 0.0001, (b[0] - a[0]) * 0.5 || 0.0001];
    const closure = {
      geometry: {
        type: 'LineString',
        coordinates: [
          [c[0] - n[0], c[1] - n[1]],
          [c[0] + n[0], c[1] + n[1]],
        ],
      },
      reason: 'burst water main',
      profiles: ['car'],
    };
    assert.equal((await responder('POST', '/api/routing/closures', closure)).status, 403);
    assert.equal(
      (
        await operator('POST', '/api/routing/closures', {
          ...closure,
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [7.4, 43.7],
                [7.41, 43.7],
                [7.4, 43.7],
              ],
            ],
          },
        })
      ).status,
      400,
      'an unclosed ring is refused',
    );
    const created = await operator('POST', '/api/routing/closures', closure);
    assert.equal(created.status, 201, created.body);
    assert.ok(created.json.closedEdges.car >= 1);
    const detour = await responder('POST', '/api/routing/route', { from: FONTVIEILLE, to: CASINO });
    assert.notDeepEqual(detour.json.geometry.coordinates, coords, 'the route changed at once');
    assert.ok(detour.json.timeS >= route.json.timeS);

    // Restart: the closure is an event in the log, applied again when the graph is rebuilt.
    await vigil.close();
    vigil = await start(dataDir);
    const again = await signedIn(vigil, 'responder');
    const op2 = await signedIn(vigil, 'operator');
    const listed = await again('GET', '/api/routing/closures');
    assert.deepEqual(
      listed.json.closures.map((x: { closureId: string }) => x.closureId),
      [created.json.closureId],
    );
    assert.deepEqual(
      (await again('POST', '/api/routing/route', { from: FONTVIEILLE, to: CASINO })).json.geometry.coordinates,
      detour.json.geometry.coordinates,
    );
    assert.equal((await op2('DELETE', `/api/routing/closures/${created.json.closureId}`)).status, 204);
    assert.deepEqual((await again('POST', '/api/routing/route', { from: FONTVIEILLE, to: CASINO })).json.geometry.coordinates, coords, 'reopened');

    // Traffic: a jam on the ways of the route moves it; bad input is refused whole.
    const car = vigil.capabilities.routing.service.router('car');
    const ways = [...new Set(car.pathBetween(car.snap(FONTVIEILLE).node, car.snap(CASINO).node, 'time')!.segments.map((s) => car.graph.segWay[s]!))];
    assert.equal((await op2('POST', '/api/routing/traffic', { source: 'loop detectors', updates: [{ wayId: 1, speedKmh: 10 }] })).status, 400, 'unknown way');
    assert.equal(
      (await op2('POST', '/api/routing/traffic', { source: 'loop detectors', updates: [{ wayId: ways[0], speedKmh: -3 }] })).status,
      400,
      'negative speed',
    );
    assert.equal((await again('POST', '/api/routing/traffic', { source: 'x', updates: [{ wayId: ways[0], speedKmh: 5 }] })).status, 403);
    const jam = await op2('POST', '/api/routing/traffic', { source: 'loop detectors', updates: ways.map((w) => ({ wayId: w, speedKmh: 4 })) });
    assert.equal(jam.status, 200, jam.body);
    const jammed = await again('POST', '/api/routing/route', { from: FONTVIEILLE, to: CASINO });
    assert.notDeepEqual(jammed.json.geometry.coordinates, coords);
    await op2('POST', '/api/routing/traffic', { source: 'loop detectors', updates: ways.map((w) => ({ wayId: w, speedKmh: null })) });
    assert.deepEqual((await again('POST', '/api/routing/route', { from: FONTVIEILLE, to: CASINO })).json.geometry.coordinates, coords, 'back to free flow');

    // Nearest units, isochrone, coverage.
    const units = [
      { id: 'far', position: CASINO },
      { id: 'near', position: [7.417, 43.731] as Position },
      { id: 'mid', position: [7.4215, 43.7335] as Position },
    ];
    const nearest = await again('POST', '/api/routing/nearest', { incident: FONTVIEILLE, units, count: 2 });
    assert.equal(nearest.status, 200, nearest.body);
    assert.deepEqual(
      nearest.json.units.map((u: { id: string }) => u.id),
      ['near', 'mid'],
    );
    const iso = await again('POST', '/api/routing/isochrone', { origin: FONTVIEILLE, minutes: [2, 4] });
    assert.equal(iso.status, 200);
    assert.deepEqual(
      iso.json.features.map((f: { properties: { minutes: number } }) => f.properties.minutes),
      [2, 4],
    );
    assert.ok(iso.json.features[1].properties.nodes > iso.json.features[0].properties.nodes);
    const cov = await again('POST', '/api/routing/coverage', { stations: [FONTVIEILLE], targetMinutes: 3 });
    assert.equal(cov.status, 200, cov.body);
    assert.ok(cov.json.totalWeight > 30_000, 'the residents of Monaco');
    assert.ok(cov.json.share > 0 && cov.json.share < 1, `share ${cov.json.share}`);

    // Evacuation of the buildings around a growing fire in La Condamine.
    const plan = await again('POST', '/api/routing/evacuation', {
      hazard: { circles: [{ center: [7.4215, 43.7335], radiusM: 120 }], spreadMPerMin: 10 },
      horizonMin: 10,
    });
    assert.equal(plan.status, 200, plan.body);
    assert.ok(plan.json.totals.origins > 5, `${plan.json.totals.origins} buildings`);
    assert.ok(plan.json.totals.routed > 0);
    const first = plan.json.origins.find((o: { status: string }) => o.status === 'route');
    assert.match(first.guidance, /^Walk .+ to assembly point .+, \d+ m, about \d+ min\.$/);
    assert.equal(
      plan.json.assemblyPoints.reduce((s: number, p: { people: number }) => s + p.people, 0),
      plan.json.totals.peopleRouted,
    );
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
