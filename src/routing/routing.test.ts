import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { readOsm } from '../adapters/osm/osm-reader.js';
import { repoRoot } from '../kernel/config.js';
import { geometryContains, haversineM, type Position } from '../kernel/geo.js';
import { segmentsClosedBy } from './closures.js';
import { buildRoadGraph, type RoadGraph } from './road-graph.js';
import { Router, packWeightedPoints } from './router.js';
import { osmOf, referenceCost, referenceCosts } from './test-support.js';

let monaco: Router;
let monacoFoot: Router;
let mainNodes: number[];
before(async () => {
  const osm = await readOsm(`${repoRoot}/assets/osm/monaco.osm.gz`, 0);
  monaco = new Router(buildRoadGraph(osm, 'car'));
  monacoFoot = new Router(buildRoadGraph(osm, 'foot'));
  mainNodes = [];
  for (let v = 0; v < monaco.graph.baseNodeCount; v++) if (monaco.graph.main[v]) mainNodes.push(v);
});

const pos = (g: RoadGraph, v: number): Position => [g.lon[v]!, g.lat[v]!];
const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

test('Monaco: the car graph is the real road network (one-way streets, most nodes connected)', () => {
  const g = monaco.graph;
  assert.ok(g.baseNodeCount > 1500, `${g.baseNodeCount} nodes`);
  assert.ok(mainNodes.length > 0.8 * g.baseNodeCount, `${mainNodes.length} of ${g.baseNodeCount} in the main component`);
  const oneWays = [...g.segmentsOfWay.values()].filter(
    (segs) => segs.length > 0 && segs.every((s) => !segs.some((o) => g.segFrom[o] === g.segTo[s] && g.segTo[o] === g.segFrom[s])),
  );
  assert.ok(oneWays.length > 20, `${oneWays.length} one-way ways`);
  assert.ok(monacoFoot.graph.baseNodeCount > g.baseNodeCount, 'walkers have footways and steps too');
});

test('property: on the Monaco graph, fastest (ALT) and shortest (A*) equal a plain Dijkstra, also under traffic', () => {
  fc.assert(
    fc.property(fc.nat(), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 60 })), { maxLength: 30 }), (i, j, slow) => {
      const g = monaco.graph;
      const s = mainNodes[i % mainNodes.length]!,
        t = mainNodes[j % mainNodes.length]!;
      for (const [k, kmh] of slow) monaco.weights.setSpeed(k % g.segmentCount, kmh);
      try {
        const fastest = monaco.pathBetween(s, t, 'time');
        assert.ok(fastest, 'main nodes are connected');
        assert.ok(close(fastest.cost, referenceCost(g, monaco.weights.time, s, t)), `time ${fastest.cost}`);
        // The path is a real path of that cost.
        assert.equal(fastest.nodes[0], s);
        assert.equal(fastest.nodes.at(-1), t);
        assert.ok(
          close(
            fastest.segments.reduce((a, x) => a + monaco.weights.time[x]!, 0),
            fastest.cost,
          ),
        );
        const shortest = monaco.pathBetween(s, t, 'distance')!;
        assert.ok(close(shortest.cost, referenceCost(g, g.segLength, s, t)), `distance ${shortest.cost}`);
      } finally {
        for (const [k] of slow) monaco.weights.setSpeed(k % g.segmentCount, null);
      }
    }),
    { numRuns: 60 },
  );
});

/** A random small network: nodes on a jittered grid, ways between neighbours, some one-way, with random speeds. */
const smallNetwork = fc.record({
  size: fc.integer({ min: 2, max: 6 }),
  edges: fc.array(
    fc.tuple(fc.nat(35), fc.integer({ min: 0, max: 3 }), fc.constantFrom('yes', 'no', '-1'), fc.constantFrom('residential', 'primary', 'service')),
    { minLength: 3, maxLength: 40 },
  ),
});

test('property: on random small graphs (one-way both ways round), A* with landmarks equals plain Dijkstra between every pair', () => {
  fc.assert(
    fc.property(smallNetwork, ({ size, edges }) => {
      const nodes: Record<number, Position> = {};
      for (let r = 0; r < size; r++)
        for (let c = 0; c < size; c++) nodes[r * size + c + 1] = [7.4 + c * 0.001 + ((r * 7 + c * 3) % 5) * 0.0001, 43.7 + r * 0.001];
      const ways: [number, number[], Record<string, string>][] = edges.map(([a, dir, oneway, highway], k) => {
        const from = (a % (size * size)) + 1;
        const r = Math.floor((from - 1) / size),
          c = (from - 1) % size;
        const [dr, dc] = [
          [0, 1],
          [1, 0],
          [0, -1],
          [-1, 0],
        ][dir]!;
        const r2 = Math.min(size - 1, Math.max(0, r + dr!)),
          c2 = Math.min(size - 1, Math.max(0, c + dc!));
        return [100 + k, [from, r2 * size + c2 + 1], { highway, oneway }];
      });
      const g = buildRoadGraph(osmOf(nodes, ways), 'car');
      const router = new Router(g, { landmarks: 3 });
      for (let s = 0; s < g.baseNodeCount; s++) {
        for (let t = 0; t < g.baseNodeCount; t++) {
          const expected = referenceCost(g, g.segFreeTime, s, t);
          const got = router.pathBetween(s, t, 'time');
          if (expected === Infinity) assert.equal(got, null);
          else assert.ok(got && close(got.cost, expected), `${s}→${t}: ${got?.cost} vs ${expected}`);
        }
      }
    }),
    { numRuns: 150 },
  );
});

// A rectangle 1 (0,0) — 2 (2,0) — 3 (2,1) — 4 (0,1), each side a way, and a two-way diagonal 1—3 that keeps it connected.
const square = { 1: [7.4, 43.7], 2: [7.402, 43.7], 3: [7.402, 43.701], 4: [7.4, 43.701] } as Record<number, Position>;

test('one-way streets are respected, oneway=-1 runs against the drawing direction, walkers ignore them', () => {
  const osm = osmOf(square, [
    [10, [1, 2], { highway: 'residential', oneway: 'yes' }],
    [11, [2, 3], { highway: 'residential' }],
    [12, [3, 4], { highway: 'residential', oneway: '-1' }],
    [13, [4, 1], { highway: 'residential' }],
    [14, [1, 3], { highway: 'residential' }],
  ]);
  const car = new Router(buildRoadGraph(osm, 'car'));
  const p = (v: number) => square[v]!;
  assert.deepEqual(car.route(p(1), p(2))!.geometry.coordinates, [p(1), p(2)]);
  assert.deepEqual(car.route(p(2), p(1))!.geometry.coordinates, [p(2), p(3), p(1)], 'not back along the one-way');
  assert.deepEqual(car.route(p(4), p(3))!.geometry.coordinates, [p(4), p(3)], 'oneway=-1: 4 → 3 allowed');
  assert.deepEqual(car.route(p(3), p(4))!.geometry.coordinates, [p(3), p(1), p(4)], 'oneway=-1: 3 → 4 forbidden');
  const foot = new Router(buildRoadGraph(osm, 'foot'));
  assert.deepEqual(foot.route(p(2), p(1))!.geometry.coordinates, [p(2), p(1)]);
  assert.deepEqual(foot.route(p(3), p(4))!.geometry.coordinates, [p(3), p(4)]);
});

test('roundabouts are one-way; access=private is not for cars', () => {
  const osm = osmOf(square, [
    [10, [1, 2, 3, 4, 1], { highway: 'primary', junction: 'roundabout' }],
    [11, [1, 3], { highway: 'service', access: 'private' }],
  ]);
  const car = new Router(buildRoadGraph(osm, 'car'));
  assert.equal(car.graph.segmentCount, 4, 'the private road is not in the car graph, the roundabout one way');
  assert.deepEqual(car.route(square[2]!, square[1]!)!.geometry.coordinates, [square[2], square[3], square[4], square[1]], 'round the roundabout');
});

test('turn restrictions: no_left_turn and only_straight_on via a node are respected', () => {
  // A cross at node 5: west 1, east 2, south 3, north 4.
  const nodes: Record<number, Position> = { 5: [7.4, 43.7], 1: [7.399, 43.7], 2: [7.401, 43.7], 3: [7.4, 43.699], 4: [7.4, 43.701], 6: [7.401, 43.701] };
  const ways: [number, number[], Record<string, string>][] = [
    [20, [1, 5], { highway: 'residential', name: 'West Street' }],
    [21, [5, 2], { highway: 'residential', name: 'East Street' }],
    [22, [3, 5], { highway: 'residential', name: 'South Street' }],
    [23, [5, 4], { highway: 'residential', name: 'North Street' }],
    [24, [2, 6, 4], { highway: 'residential', name: 'Detour' }],
  ];
  const noLeft = {
    id: 30,
    tags: { type: 'restriction', restriction: 'no_left_turn' },
    members: [
      { type: 'way' as const, ref: 20, role: 'from' },
      { type: 'node' as const, ref: 5, role: 'via' },
      { type: 'way' as const, ref: 23, role: 'to' },
    ],
  };
  const free = new Router(buildRoadGraph(osmOf(nodes, ways), 'car'));
  assert.deepEqual(free.route(nodes[1]!, nodes[4]!)!.geometry.coordinates, [nodes[1], nodes[5], nodes[4]]);
  const g = buildRoadGraph(osmOf(nodes, ways, [noLeft]), 'car');
  assert.equal(g.restrictions, 1);
  const r = new Router(g);
  const west = r.route(nodes[1]!, nodes[4]!)!;
  assert.deepEqual(west.geometry.coordinates, [nodes[1], nodes[5], nodes[2], nodes[6], nodes[4]], 'no left turn: straight on, then the detour');
  assert.deepEqual(
    west.steps.map((s) => s.name),
    ['West Street', 'East Street', 'Detour', ''],
  );
  assert.deepEqual(r.route(nodes[3]!, nodes[4]!)!.geometry.coordinates, [nodes[3], nodes[5], nodes[4]], 'from the south, north is still allowed');
  // only_straight_on from the south: no turn to the east.
  const only = {
    id: 31,
    tags: { type: 'restriction', restriction: 'only_straight_on' },
    members: [
      { type: 'way' as const, ref: 22, role: 'from' },
      { type: 'node' as const, ref: 5, role: 'via' },
      { type: 'way' as const, ref: 23, role: 'to' },
    ],
  };
  const r2 = new Router(buildRoadGraph(osmOf(nodes, ways, [only]), 'car'));
  assert.deepEqual(r2.route(nodes[3]!, nodes[2]!)!.geometry.coordinates, [nodes[3], nodes[5], nodes[4], nodes[6], nodes[2]]);
  // The compiled graph agrees with a reference that checks the turn rule directly.
  const v = (id: number) => [...r2.graph.osmNode].indexOf(id);
  const allowed = (i: number, o: number): boolean => !(r2.graph.segWay[i] === 22 && r2.graph.segTo[i] === v(5) && r2.graph.segWay[o] !== 23);
  assert.ok(close(r2.pathBetween(v(3), v(2), 'time')!.cost, referenceCost(r2.graph, r2.graph.segFreeTime, v(3), v(2), allowed)));
  // Walkers are not bound by turn restrictions.
  assert.equal(buildRoadGraph(osmOf(nodes, ways, [noLeft]), 'foot').restrictions, 0);
});

/** A long route across Monaco between two main nodes far apart. */
function longPair(): [number, number] {
  const g = monaco.graph;
  let best: [number, number] = [mainNodes[0]!, mainNodes[1]!],
    bestD = 0;
  for (let k = 0; k < 200; k++) {
    const s = mainNodes[(k * 7919) % mainNodes.length]!,
      t = mainNodes[(k * 104729 + 13) % mainNodes.length]!;
    const d = haversineM(pos(g, s), pos(g, t));
    if (d > bestD) {
      bestD = d;
      best = [s, t];
    }
  }
  return best;
}

test('a closure drawn across a road makes the route detour, and removing it restores the route', () => {
  const g = monaco.graph;
  const [s, t] = longPair();
  const before = monaco.pathBetween(s, t, 'time')!;
  // Draw a short line across the middle segment of the route.
  const mid = before.segments[Math.floor(before.segments.length / 2)]!;
  const a = pos(g, g.segFrom[mid]!),
    b = pos(g, g.segTo[mid]!);
  const c: Position = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const n: Position = [-(b[1] - a[1]) * 0.3, (b[0] - a[0]) * 0.3];
  const closed = segmentsClosedBy(g, monaco.grid, {
    type: 'LineString',
    coordinates: [
      [c[0] - n[0], c[1] - n[1]],
      [c[0] + n[0], c[1] + n[1]],
    ],
  });
  assert.ok(closed.includes(mid), 'the drawn line closes the segment it crosses');
  monaco.weights.close(closed);
  try {
    const after = monaco.pathBetween(s, t, 'time')!;
    assert.ok(after, 'a detour exists');
    assert.ok(!after.segments.some((x) => closed.includes(x)), 'the detour avoids every closed segment');
    assert.ok(after.cost > before.cost);
    assert.ok(close(after.cost, referenceCost(g, monaco.weights.time, s, t)));
  } finally {
    monaco.weights.reopen(closed);
  }
  assert.ok(close(monaco.pathBetween(s, t, 'time')!.cost, before.cost));
});

test('a polygon closure closes every segment with a part inside it', () => {
  const g = monaco.graph;
  const v = mainNodes[100]!;
  const [x, y] = pos(g, v);
  const d = 0.0005;
  const polygon = {
    type: 'Polygon' as const,
    coordinates: [
      [
        [x - d, y - d],
        [x + d, y - d],
        [x + d, y + d],
        [x - d, y + d],
        [x - d, y - d],
      ] as Position[],
    ],
  };
  const closed = new Set(segmentsClosedBy(g, monaco.grid, polygon));
  for (let s = 0; s < g.segmentCount; s++) {
    if (!g.main[g.segFrom[s]!] || !g.main[g.segTo[s]!]) continue;
    const inside = geometryContains(polygon, pos(g, g.segFrom[s]!)) || geometryContains(polygon, pos(g, g.segTo[s]!));
    if (inside) assert.ok(closed.has(s), `segment ${s} has an end inside`);
  }
  assert.ok(closed.size > 0);
});

test('a traffic update on the chosen road changes the chosen route at once', () => {
  const g = monaco.graph;
  const [s, t] = longPair();
  const before = monaco.pathBetween(s, t, 'time')!;
  const ways = [...new Set(before.segments.map((x) => g.segWay[x]!))];
  for (const w of ways) monaco.weights.setWaySpeed(w, 3);
  try {
    const after = monaco.pathBetween(s, t, 'time')!;
    assert.notDeepEqual(after.nodes, before.nodes, 'a jam on every road of the route moves it');
    assert.ok(close(after.cost, referenceCost(g, monaco.weights.time, s, t)));
    // Speeds above free flow are capped: no edge gets faster than its free-flow time.
    monaco.weights.setWaySpeed(ways[0]!, 500);
    for (const x of g.segmentsOfWay.get(ways[0]!)!) assert.equal(monaco.weights.time[x], g.segFreeTime[x]);
  } finally {
    for (const w of ways) monaco.weights.setWaySpeed(w, null);
  }
});

test('isochrone: the reached nodes are exactly those within the time, and the polygons contain them', () => {
  const g = monaco.graph;
  const origin = pos(g, mainNodes[500]!);
  const [band] = monaco.isochrones(origin, [120]);
  const start = monaco.snap(origin).node;
  let within = 0;
  const reachedPositions: Position[] = [];
  const costs = referenceCosts(g, monaco.weights.time, start);
  for (const v of mainNodes) {
    const cost = costs[v]!;
    if (cost <= 120) {
      within++;
      reachedPositions.push(pos(g, v));
      assert.ok(geometryContains(band!.polygon, pos(g, v)), `node ${v} at ${cost.toFixed(1)} s is inside`);
    }
  }
  assert.equal(band!.nodes, within);
  // Nodes far from everything reached (more than two cells) are outside.
  for (const v of mainNodes) {
    const p = pos(g, v);
    if (reachedPositions.every((q) => haversineM(p, q) > 150)) assert.ok(!geometryContains(band!.polygon, p));
  }
});

test('nearest N units by travel time equals brute force over every unit', () => {
  const g = monaco.graph;
  const units = Array.from({ length: 40 }, (_, i) => ({ id: `unit-${i}`, position: pos(g, mainNodes[(i * 977 + 31) % mainNodes.length]!) }));
  const incident = pos(g, mainNodes[1234 % mainNodes.length]!);
  const nearest = monaco.nearestUnits(incident, units, 5);
  const target = monaco.snap(incident).node;
  // Brute force: one full search from every unit.
  const brute = units.map((u) => ({ id: u.id, t: referenceCost(g, monaco.weights.time, monaco.snap(u.position).node, target) })).sort((a, b) => a.t - b.t);
  assert.equal(nearest.length, 5);
  nearest.forEach((n, i) => assert.ok(Math.abs(n.route.timeS - brute[i]!.t) < 0.1, `${i}: ${n.route.timeS} vs ${brute[i]!.t}`));
  // Each route ends at the incident.
  for (const n of nearest) assert.deepEqual(n.route.geometry.coordinates.at(-1), pos(g, target));
});

test('coverage: the share of weight reached within the target time from the stations', () => {
  const g = monaco.graph;
  const stations = [pos(g, mainNodes[10]!)];
  const points = mainNodes.slice(0, 300).map((v, i) => ({ position: pos(g, v), weight: 1 + (i % 3) }));
  const cov = monaco.coverage(stations, points, 90);
  const start = monaco.snap(stations[0]!).node;
  let expected = 0,
    total = 0;
  const costs = referenceCosts(g, monaco.weights.time, start);
  for (const p of points) {
    total += p.weight;
    if (costs[monaco.snap(p.position).node]! <= 90) expected += p.weight;
  }
  assert.equal(cov.totalWeight, total);
  assert.equal(cov.coveredWeight, expected);
  assert.ok(cov.share > 0 && cov.share < 1, `share ${cov.share}`);
});

test('coverage of packed points (the typed array that crosses to a worker) equals coverage of the objects', () => {
  const g = monaco.graph;
  const stations = [pos(g, mainNodes[10]!)];
  const points = [...mainNodes.slice(0, 300).map((v, i) => ({ position: pos(g, v), weight: 1 + (i % 3) })), { position: [0, 0] as Position, weight: 5 }];
  const packed = packWeightedPoints(points, points.length);
  assert.ok(packed instanceof Float64Array);
  assert.equal(packed.length, points.length * 3);
  assert.deepEqual(monaco.coveragePacked(stations, packed, 90), monaco.coverage(stations, points, 90));
  assert.equal(monaco.coveragePacked(stations, packed, 90).unroutable, 1, 'a point far from any road');
});
