// Issue 13, heavy work off the alarm path (continued): the city's buildings are no longer packed
// on the main thread per evacuation or coverage request, and large answers are made in the pool.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import type { RunningVigil } from '../../src/app.js';
import type { Site } from '../../src/city/contract.js';
import type { Position } from '../../src/kernel/geo.js';
import { buildingOrigins } from '../../src/routing/alert-evacuation.js';
import { BuildingSnapshots } from '../../src/routing/building-snapshot.js';
import { packWeightedPoints } from '../../src/routing/router.js';
import { signedIn } from '../support/api-client.js';
import { startTestNode, stopTestNode } from '../support/test-node.js';
import { eventLoopTurns } from '../support/until.js';

/** What the routes packed on the main thread for every request before the snapshot (kept here as the reference). */
function packedBefore(sites: Iterable<Site>, weights: 'residents' | 'buildings'): Float64Array {
  const all = [...sites].filter((s) => s.category === 'building' || s.buildingType !== null);
  return packWeightedPoints(
    all.map((s) => ({ position: s.position, weight: weights === 'residents' ? (s.residents ?? 0) : 1 })),
    all.length,
  );
}

function fakeSites(n: number): Map<string, Site> {
  const sites = new Map<string, Site>();
  for (let i = 0; i < n; i++) {
    const id = `site_${i}`;
    sites.set(id, {
      id,
      category: i % 5 === 0 ? 'amenity' : 'building',
      buildingType: i % 5 === 0 ? null : 'residential',
      name: i % 3 === 0 ? `House ${i}` : null,
      address: i % 3 === 1 ? `${i} Rue Grimaldi` : null,
      position: [7.4 + (i % 300) * 0.0001, 43.72 + Math.floor(i / 300) * 0.0001],
      residents: i % 7 === 0 ? null : i % 11,
    } as unknown as Site);
  }
  return sites;
}

test('building snapshot: the packed points and origins equal what the routes made per request, built once per change, read in chunks that yield and packed in a worker', async () => {
  const sites = fakeSites(30_000);
  let iterations = 0;
  const snapshots = new BuildingSnapshots(() => {
    iterations++;
    return sites.values();
  });
  const loop = eventLoopTurns();
  const [a, b, c] = await Promise.all([snapshots.get(), snapshots.get(), snapshots.get()]);
  loop.stop();
  assert.ok(loop.turns() >= 10, `the event loop turned while 30 000 sites were read (${loop.turns()} turns)`);
  assert.equal(snapshots.builds, 1, 'three requests at once, one build');
  assert.ok(a === b && b === c);
  assert.deepEqual(a!.residents, packedBefore(sites.values(), 'residents'));
  assert.deepEqual(a!.buildings, packedBefore(sites.values(), 'buildings'));
  assert.deepEqual(JSON.parse(a!.originsJson), buildingOrigins(sites.values()));
  assert.equal(a!.count, 24_000);
  assert.equal(typeof a!.packedOnThread, 'number');
  assert.notEqual(a!.packedOnThread, threadId, 'packed and stringified in a pool worker, not on the main thread');

  // Later requests on the same city read no site at all.
  await snapshots.get();
  assert.equal(iterations, 1);
  assert.equal(snapshots.builds, 1);

  // The sites change (a population estimate): the next request sees the new residents.
  sites.get('site_1')!.residents = 999;
  snapshots.invalidate();
  const d = await snapshots.get();
  assert.equal(snapshots.builds, 2);
  assert.notEqual(d.revision, a!.revision);
  assert.deepEqual(d.residents, packedBefore(sites.values(), 'residents'));
  assert.equal(d.residents[2], 999);
});

let vigil: RunningVigil;

before(async () => {
  vigil = await startTestNode('heavy-answers');
  await vigil.demoLoaded;
  await vigil.capabilities.routing.loaded;
  assert.equal(vigil.capabilities.routing.service.loadError, null);
});

after(() => stopTestNode(vigil));

const FIRE = { circles: [{ center: [7.4215, 43.7335] as Position, radiusM: 120 }], spreadMPerMin: 10 };

test("evacuation over the city's buildings: the origins cross as the snapshot's one JSON text, the plan is the one the given origins make, planned in a worker", async () => {
  const responder = await signedIn(vigil, 'responder');
  const { routing, city, buildings } = {
    routing: vigil.capabilities.routing.service,
    city: vigil.capabilities.city.reads,
    buildings: vigil.capabilities.routing.buildings,
  };
  const buildsBefore = buildings.builds;
  routing.offThread.lastThreadId = null;
  const ofBuildings = await responder('POST', '/api/routing/evacuation', { hazard: FIRE, horizonMin: 9 });
  assert.equal(ofBuildings.status, 200, ofBuildings.body);
  assert.ok(routing.offThread.lastThreadId !== null && routing.offThread.lastThreadId !== threadId, 'planned and serialised in a worker thread');
  const again = await responder('POST', '/api/routing/evacuation', { hazard: FIRE, horizonMin: 8 });
  assert.equal(again.status, 200, again.body);
  assert.ok(buildings.builds - buildsBefore <= 1, 'the buildings were read once for both requests');
  // The same plan as with the origins the route used to make on the main thread, sent explicitly.
  const origins = buildingOrigins(city.sites.values());
  assert.ok(origins.length > 5);
  const given = await responder('POST', '/api/routing/evacuation', { hazard: FIRE, horizonMin: 9, origins: origins.slice(0, 20_000) });
  assert.equal(given.status, 200, given.body);
  if (origins.length <= 20_000) assert.deepEqual(ofBuildings.json, given.json);
  else assert.equal(ofBuildings.json.totals.origins, origins.length);
});

test("coverage of the city's buildings: packed once, keyed by the snapshot, equal to the same points given, searched in a worker", async () => {
  const analyst = await signedIn(vigil, 'responder');
  const { routing, city, buildings } = {
    routing: vigil.capabilities.routing.service,
    city: vigil.capabilities.city.reads,
    buildings: vigil.capabilities.routing.buildings,
  };
  const stations = [[7.416, 43.7305]];
  routing.offThread.lastThreadId = null;
  const residents = await analyst('POST', '/api/routing/coverage', { stations, targetMinutes: 3, weights: 'residents' });
  assert.equal(residents.status, 200, residents.body);
  assert.ok(routing.offThread.lastThreadId !== null && routing.offThread.lastThreadId !== threadId, 'searched in a worker thread');
  const buildsAfterFirst = buildings.builds;
  const perBuilding = await analyst('POST', '/api/routing/coverage', { stations, targetMinutes: 3, weights: 'buildings' });
  assert.equal(perBuilding.status, 200, perBuilding.body);
  assert.equal(buildings.builds, buildsAfterFirst, 'the second request packed nothing');
  // The snapshot is intact after its points were sent (each run transfers its own copy).
  const snapshot = await buildings.get();
  assert.deepEqual(snapshot.residents, packedBefore(city.sites.values(), 'residents'));
  const packed = snapshot.residents;
  const points = Array.from({ length: packed.length / 3 }, (_, i) => ({ position: [packed[3 * i], packed[3 * i + 1]], weight: packed[3 * i + 2] }));
  const given = await analyst('POST', '/api/routing/coverage', { stations, targetMinutes: 3, points });
  assert.equal(given.status, 200, given.body);
  const { weights: _w1, ...a } = residents.json;
  const { weights: _w2, ...b } = given.json;
  assert.deepEqual(a, b, 'the same coverage as the same points given');
});
