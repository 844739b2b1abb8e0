import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { readOsm, type OsmData } from '../adapters/osm/osm-reader.js';
import { repoRoot } from '../kernel/config.js';
import type { Position } from '../kernel/geo.js';
import { hazardArrivalS, planEvacuation, type Hazard } from './evacuation.js';
import type { AssemblyPoint } from './model.js';
import { buildRoadGraph } from './road-graph.js';
import { Router } from './router.js';
import { assemblyPointsOf } from './routing-service.js';
import { osmOf } from './test-support.js';

let osm: OsmData;
let foot: Router;
before(async () => {
  osm = await readOsm(`${repoRoot}/assets/osm/monaco.osm.gz`, 0);
  foot = new Router(buildRoadGraph(osm, 'foot'));
});

const ap = (id: string, position: Position): AssemblyPoint => ({ id, name: id, position, source: 'configured', capacity: null });

/**
 * A ladder: origin O at (0,0); the short way to assembly point A runs east along
 * the bottom rail (y=0), the long way climbs to the top rail (y=2) first. A hazard
 * starts as a small disc at O's south-east and grows north-east.
 */
function ladder(): { router: Router; o: Position; a: Position } {
  const nodes: Record<number, Position> = {};
  const ways: [number, number[], Record<string, string>][] = [];
  const dx = 0.002,
    dy = 0.002; // ≈ 160 m × 220 m
  for (let i = 0; i <= 5; i++) {
    nodes[10 + i] = [7.4 + i * dx, 43.7];
    nodes[30 + i] = [7.4 + i * dx, 43.7 + 2 * dy];
  }
  ways.push([1, [10, 11, 12, 13, 14, 15], { highway: 'footway', name: 'Low Street' }]);
  ways.push([2, [30, 31, 32, 33, 34, 35], { highway: 'footway', name: 'High Street' }]);
  ways.push([3, [10, 30], { highway: 'footway', name: 'West Steps' }]);
  ways.push([4, [15, 35], { highway: 'footway', name: 'East Lane' }]);
  return { router: new Router(buildRoadGraph(osmOf(nodes, ways), 'foot')), o: nodes[10]!, a: nodes[15]! };
}

test('hazard arrival: 0 inside, distance / spread rate outside, or the first timed footprint that covers the point', () => {
  const h: Hazard = {
    circles: [{ center: [7.4, 43.7], radiusM: 100 }],
    spreadMPerMin: 10,
    footprints: [{ afterMin: 2, circles: [{ center: [7.4, 43.7], radiusM: 1000 }] }],
  };
  assert.equal(hazardArrivalS(h, [7.4, 43.7]), 0);
  const p: Position = [7.4, 43.7 + 300 / 111_195]; // 300 m north: 200 m beyond the edge
  assert.ok(Math.abs(hazardArrivalS({ ...h, footprints: [] }, p) - 1200) < 10, 'at 10 m/min, 200 m take 20 min');
  assert.equal(hazardArrivalS(h, p), 120, 'the footprint of minute 2 covers it first');
  assert.equal(
    hazardArrivalS(
      {
        rings: [
          [
            [7.5, 43.8],
            [7.51, 43.8],
            [7.51, 43.81],
            [7.5, 43.8],
          ],
        ],
      },
      p,
    ),
    Infinity,
    'a hazard that does not grow never arrives',
  );
});

test('a growing hazard is avoided, not just its current footprint: the walker takes the long way round', () => {
  const { router, o, a } = ladder();
  const box = (x0: number, x1: number, y0: number, y1: number): Position[] => [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ];
  // The hazard now covers the origin only.
  const now = { circles: [{ center: o, radiusM: 30 }] };
  const origins = [{ id: 'o', name: 'School', position: o, people: 10 }];
  const still = planEvacuation(router, { hazard: now, origins, assemblyPoints: [ap('A', a)] });
  assert.equal(still.origins[0]!.status, 'route');
  assert.deepEqual(still.origins[0]!.route!.steps.map((s) => s.name).filter(Boolean), ['Low Street'], 'the short way east');
  assert.equal(still.origins[0]!.hazardArrivalS, 0);
  // Expected to cover the middle of Low Street from minute 3 — before a walker (4 km/h) gets there, at about minute 5.
  const growing = planEvacuation(router, {
    hazard: { ...now, footprints: [{ afterMin: 3, rings: [box(7.4055, 7.4065, 43.699, 43.7005)] }] },
    origins,
    assemblyPoints: [ap('A', a)],
    safetyMarginS: 60,
  });
  const r = growing.origins[0]!;
  assert.equal(r.status, 'route');
  assert.deepEqual(r.route!.steps.map((s) => s.name).filter(Boolean), ['West Steps', 'High Street', 'East Lane']);
  assert.ok(r.walkingTimeS! > still.origins[0]!.walkingTimeS!);
  assert.match(r.guidance, /^Walk north along High Street to assembly point A, \d+ m, about \d+ min\.$/);
  assert.deepEqual(
    growing.assemblyPoints.map((x) => [x.id, x.people, x.origins]),
    [['A', 10, 1]],
  );
  // If Low Street were only reached at minute 30, the short way would be kept.
  const late = planEvacuation(router, {
    hazard: { ...now, footprints: [{ afterMin: 30, rings: [box(7.4055, 7.4065, 43.699, 43.7005)] }] },
    origins,
    assemblyPoints: [ap('A', a)],
    safetyMarginS: 60,
  });
  assert.deepEqual(late.origins[0]!.route!.steps.map((s) => s.name).filter(Boolean), ['Low Street']);
  // Everything but the assembly point covered within a minute: no safe route, and the plan says so (in French here).
  const fast = planEvacuation(router, {
    hazard: { ...now, footprints: [{ afterMin: 1, rings: [box(7.399, 7.409, 43.699, 43.705)] }] },
    origins,
    assemblyPoints: [ap('A', a)],
    language: 'fr',
  });
  assert.equal(fast.origins[0]!.status, 'no-safe-route');
  assert.match(fast.origins[0]!.guidance, /abri/);
  assert.equal(fast.totals.noSafeRoute, 1);
  // An assembly point the hazard reaches within the horizon is not used.
  const unsafe = planEvacuation(router, {
    hazard: { ...now, footprints: [{ afterMin: 10, circles: [{ center: a, radiusM: 50 }] }] },
    origins,
    assemblyPoints: [ap('A', a)],
  });
  assert.deepEqual(unsafe.unsafeAssemblyPoints, ['A']);
  assert.equal(unsafe.origins[0]!.status, 'no-safe-route');
});

test('Monaco: every planned route stays ahead of the front by the safety margin; people add up per assembly point', () => {
  const points = assemblyPointsOf(osm);
  assert.ok(points.length >= 3, `${points.length} open spaces as assembly points`);
  assert.ok(
    points.every((p) => p.source === 'open-space'),
    'Monaco tags no emergency=assembly_point: open spaces are used',
  );
  // A fire in La Condamine spreading at 15 m/min; origins on a grid around it.
  const hazard: Hazard = { circles: [{ center: [7.4215, 43.7335], radiusM: 150 }], spreadMPerMin: 15 };
  const origins = [];
  for (let i = -4; i <= 4; i++)
    for (let j = -4; j <= 4; j++) origins.push({ id: `g${i},${j}`, position: [7.4215 + i * 0.0008, 43.7335 + j * 0.0006] as Position, people: 10 });
  const margin = 90;
  const plan = planEvacuation(foot, { hazard, origins, assemblyPoints: points, safetyMarginS: margin, horizonMin: 20, walkingSpeedKmh: 4 });
  assert.ok(plan.totals.routed > 10, `${plan.totals.routed} routed`);
  for (const o of plan.origins.filter((x) => x.status === 'route')) {
    const coords = o.route!.geometry.coordinates;
    let outside = hazardArrivalS(hazard, coords[0]!) > 0;
    for (let i = 1; i < coords.length; i++) {
      const h = hazardArrivalS(hazard, coords[i]!);
      if (h === 0) assert.ok(!outside, `${o.originId}: re-enters the hazard at point ${i}`);
      else outside = true;
    }
    assert.ok(o.walkingTimeS! + margin <= hazardArrivalS(hazard, o.assemblyPoint!.position), 'arrives well before the hazard');
    assert.match(o.guidance, /to assembly point .+, \d+ m, about \d+ min\.$/);
  }
  const sum = plan.assemblyPoints.reduce((s, a) => s + a.people, 0);
  assert.equal(sum, plan.totals.peopleRouted);
});

test('people inside a spreading hazard walk out through the belt the front will reach, outrunning it; a front faster than walkers leaves no way out', () => {
  const { router, o, a } = ladder();
  const origins = [{ id: 'o', name: 'School', position: o, people: 10 }];
  // 10 m/min is slower than walking (≈ 67 m/min): they get ahead of it, though every road near them is within the margin.
  const slow = planEvacuation(router, {
    hazard: { circles: [{ center: o, radiusM: 30 }], spreadMPerMin: 10 },
    origins,
    assemblyPoints: [ap('A', a)],
    safetyMarginS: 120,
  });
  assert.equal(slow.origins[0]!.status, 'route');
  assert.ok(
    slow.origins[0]!.walkingTimeS! + 120 <= hazardArrivalS({ circles: [{ center: o, radiusM: 30 }], spreadMPerMin: 10 }, a),
    'arrives well before the front',
  );
  // 200 m/min outruns any walker: shelter in place.
  const fast = planEvacuation(router, {
    hazard: { circles: [{ center: o, radiusM: 30 }], spreadMPerMin: 200 },
    origins,
    assemblyPoints: [ap('A', a)],
    safetyMarginS: 120,
    horizonMin: 1,
  });
  assert.equal(fast.origins[0]!.status, 'no-safe-route');
});
