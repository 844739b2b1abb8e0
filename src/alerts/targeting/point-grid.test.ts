import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { inArea, type LonLat, type TargetArea } from './area-geometry.js';
import { PointGrid } from './point-grid.js';

const lonLat = fc.tuple(fc.double({ min: 7.4, max: 7.44, noNaN: true }), fc.double({ min: 43.72, max: 43.76, noNaN: true }));
// Star-shaped rings (random radii around a centre, sorted angles): concave, never self-crossing.
const ring = fc.tuple(lonLat, fc.array(fc.double({ min: 0.001, max: 0.02, noNaN: true }), { minLength: 3, maxLength: 40 })).map(([[cx, cy], radii]) => {
  const pts: LonLat[] = radii.map((r, i) => [cx + r * Math.cos((2 * Math.PI * i) / radii.length), cy + r * Math.sin((2 * Math.PI * i) / radii.length)]);
  return [...pts, pts[0]!];
});
const area: fc.Arbitrary<TargetArea> = fc.record({
  rings: fc.array(ring, { minLength: 0, maxLength: 2 }),
  circles: fc.array(fc.record({ centre: lonLat, radiusM: fc.integer({ min: 0, max: 1500 }) }), { maxLength: 2 }),
});

test('property: the grid finds exactly the points a brute-force scan finds, once each', () => {
  fc.assert(
    fc.property(fc.array(lonLat, { minLength: 1, maxLength: 3000 }), area, fc.constantFrom(0.0005, 0.002, 0.01), (points, target, cellDeg) => {
      const grid = new PointGrid(cellDeg);
      points.forEach((p, i) => grid.add(i, p));
      const found: number[] = [];
      grid.query(target, (id) => found.push(id));
      const expected = points.map((p, i) => (inArea(p, target) ? i : -1)).filter((i) => i >= 0);
      assert.deepEqual(
        [...found].sort((a, b) => a - b),
        expected,
      );
    }),
    { numRuns: 300 },
  );
});

test('moved and removed points are found where they are now, and no longer where they were', () => {
  const grid = new PointGrid();
  grid.add(1, [7.42, 43.73]);
  grid.add(2, [7.42, 43.73]);
  grid.add(1, [7.43, 43.74]); // moved
  grid.remove(2);
  const near = (p: LonLat): number[] => {
    const out: number[] = [];
    grid.query({ rings: [], circles: [{ centre: p, radiusM: 50 }] }, (id) => out.push(id));
    return out;
  };
  assert.deepEqual(near([7.42, 43.73]), []);
  assert.deepEqual(near([7.43, 43.74]), [1]);
  assert.equal(grid.size, 1);
});
