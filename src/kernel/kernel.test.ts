import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { idTime, newId, randomDraws } from './ids.js';
import { areaM2, geometryContains, haversineM, type Position } from './geo.js';
import { loadConfig } from './config.js';
import { VigilError } from './errors.js';

test('ids sort by creation time and stay unique within one millisecond', () => {
  const ids = Array.from({ length: 10_000 }, () => newId('evt'));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  assert.ok(Math.abs(idTime(ids[0]!) - Date.now()) < 60_000);
});

test('ids of different milliseconds take their random part from a pool: one draw from the CSPRNG serves hundreds of ids', () => {
  const drawsBefore = randomDraws.count;
  const ids: string[] = [];
  for (let last = Date.now(); ids.length < 40;) {
    const now = Date.now();
    if (now === last) continue;
    last = now;
    ids.push(newId('evt'));
  }
  assert.ok(randomDraws.count - drawsBefore <= 2, `${randomDraws.count - drawsBefore} draws for 40 ids`);
  assert.equal(new Set(ids.map((id) => id.slice(-16))).size, ids.length, 'every random part differs');
  assert.deepEqual([...ids].sort(), ids);
});

test('haversine: one degree of latitude is about 111.2 km', () => {
  assert.ok(Math.abs(haversineM([7.42, 43.73], [7.42, 44.73]) - 111_195) < 100);
});

test('polygon containment honours holes', () => {
  const outer: Position[] = [
    [0, 0],
    [10, 0],
    [10, 10],
    [0, 10],
    [0, 0],
  ];
  const hole: Position[] = [
    [4, 4],
    [6, 4],
    [6, 6],
    [4, 6],
    [4, 4],
  ];
  const g = { type: 'Polygon' as const, coordinates: [outer, hole] };
  assert.equal(geometryContains(g, [1, 1]), true);
  assert.equal(geometryContains(g, [5, 5]), false);
  assert.equal(geometryContains(g, [11, 5]), false);
});

test('a square of 0.001° at the equator is about 12 364 m²', () => {
  const d = 0.001;
  const g = {
    type: 'Polygon' as const,
    coordinates: [
      [
        [0, 0],
        [d, 0],
        [d, d],
        [0, d],
        [0, 0],
      ] as Position[],
    ],
  };
  assert.ok(Math.abs(areaM2(g) - 12_364) < 30, String(areaM2(g)));
});

test('points inside a convex square are contained, points outside are not (property)', () => {
  const sq = {
    type: 'Polygon' as const,
    coordinates: [
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
        [0, 0],
      ] as Position[],
    ],
  };
  fc.assert(
    fc.property(fc.double({ min: -2, max: 3, noNaN: true }), fc.double({ min: -2, max: 3, noNaN: true }), (x, y) => {
      const inside = x > 0 && x < 1 && y > 0 && y < 1;
      const onEdge = x === 0 || x === 1 || y === 0 || y === 1;
      if (!onEdge) assert.equal(geometryContains(sq, [x, y]), inside);
    }),
  );
});

test('configuration is validated and names the bad variable', () => {
  assert.equal(loadConfig({}).port, 8080);
  assert.throws(
    () => loadConfig({ VIGIL_PORT: 'eighty' }),
    (e: unknown) => e instanceof VigilError && /VIGIL_PORT/.test(e.message),
  );
  assert.throws(() => loadConfig({ VIGIL_DATABASE_URL: 'mysql://x' }), /VIGIL_DATABASE_URL/);
  assert.equal(loadConfig({ VIGIL_DATABASE_URL: 'postgres://u@h/db' }).databaseUrl, 'postgres://u@h/db');
});
