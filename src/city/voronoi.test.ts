import assert from 'node:assert/strict';
import { test } from 'node:test';
import { areaM2, geometryContains, type MultiPolygon, type Position } from '../kernel/geo.js';
import { clipConvex, voronoiNeighbourhoods } from './voronoi.js';

const square = (x0: number, y0: number, x1: number, y1: number): Position[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

test('Voronoi neighbourhoods: each place gets its half of the city, official boundaries cut out', () => {
  const city: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(7.0, 43.0, 7.02, 43.01)]] };
  // An official neighbourhood in the west quarter; two named places without boundary further east.
  const official: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(7.0, 43.0, 7.005, 43.01)]] };
  const cells = voronoiNeighbourhoods(
    [
      { id: 'a', position: [7.008, 43.005] },
      { id: 'b', position: [7.016, 43.005] },
    ],
    city,
    [official],
    [7.0, 43.0, 7.02, 43.01],
  );
  const a = cells.get('a')!;
  const b = cells.get('b')!;
  // The bisector is x = 7.012: a keeps 7.000–7.012 less the official 7.000–7.005, b keeps 7.012–7.020.
  assert.ok(geometryContains(a, [7.009, 43.005]));
  assert.ok(!geometryContains(a, [7.002, 43.005]), 'the official neighbourhood is a hole');
  assert.ok(!geometryContains(a, [7.013, 43.005]));
  assert.ok(geometryContains(b, [7.013, 43.005]));
  assert.ok(!geometryContains(b, [7.021, 43.005]), 'clipped to the city');
  const whole = areaM2(city);
  const share = (g: MultiPolygon) => areaM2(g) / whole;
  assert.ok(Math.abs(share(a) - 0.35) < 0.01, `a ${share(a)}`);
  assert.ok(Math.abs(share(b) - 0.4) < 0.01, `b ${share(b)}`);
});

test('Voronoi neighbourhoods: a lone place takes the whole city; no place, no shape', () => {
  const city: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(0, 0, 0.01, 0.01)], [square(0.02, 0, 0.03, 0.01)]] };
  const one = voronoiNeighbourhoods([{ id: 'x', position: [0.005, 0.005] }], city, [], [0, 0, 0.03, 0.01]);
  assert.equal(one.get('x')!.coordinates.length, 2, 'both parts of the city');
  assert.equal(voronoiNeighbourhoods([], city, [], [0, 0, 0.03, 0.01]).size, 0);
});

test('clipConvex keeps the part of a concave ring inside a convex polygon, in either orientation', () => {
  // An L-shaped ring clipped by the square [0,1]².
  const l: Position[] = [
    [-1, -1],
    [2, -1],
    [2, 0.5],
    [0.5, 0.5],
    [0.5, 2],
    [-1, 2],
  ];
  const unit = square(0, 0, 1, 1);
  for (const clip of [unit, [...unit].reverse()]) {
    const out = clipConvex(l, clip);
    const g: MultiPolygon = { type: 'MultiPolygon', coordinates: [[[...out, out[0]!]]] };
    assert.ok(geometryContains(g, [0.25, 0.25]));
    assert.ok(geometryContains(g, [0.75, 0.25]));
    assert.ok(!geometryContains(g, [0.75, 0.75]), 'the notch of the L stays out');
  }
});
