import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sectorRing } from '../../demo/demo-devices.js';
import { coverageIntersects } from './coverage.js';
import { inArea, type LonLat } from './area-geometry.js';

const centre: LonLat = [7.42, 43.73];
const sector = sectorRing(centre, 90, 120, 450); // facing east

test('a sector meets areas it overlaps, reaches or contains, and not those beside it', () => {
  const square = (lon: number, lat: number, d: number): LonLat[] => [
    [lon - d, lat - d],
    [lon + d, lat - d],
    [lon + d, lat + d],
    [lon - d, lat + d],
    [lon - d, lat - d],
  ];
  assert.ok(coverageIntersects(sector, { rings: [square(7.423, 43.73, 0.0005)], circles: [] }), 'a small square inside, east');
  assert.ok(!coverageIntersects(sector, { rings: [square(7.416, 43.73, 0.0005)], circles: [] }), 'a square behind the antenna, west');
  assert.ok(coverageIntersects(sector, { rings: [square(7.42, 43.73, 0.05)], circles: [] }), 'a large area around the whole sector');
  // A thin strip crossing the sector with no vertex inside either: only the edges cross.
  assert.ok(
    coverageIntersects(sector, {
      rings: [
        [
          [7.4225, 43.7],
          [7.4226, 43.7],
          [7.4226, 43.76],
          [7.4225, 43.76],
          [7.4225, 43.7],
        ],
      ],
      circles: [],
    }),
  );
  assert.ok(coverageIntersects(sector, { rings: [], circles: [{ centre: [7.4285, 43.73], radiusM: 300 }] }), 'a circle east reaching the arc');
  assert.ok(!coverageIntersects(sector, { rings: [], circles: [{ centre: [7.41, 43.73], radiusM: 300 }] }), 'a circle far west');
});

test('property: a sector meets every circle around a point of its coverage', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 35, max: 145, noNaN: true }),
      fc.double({ min: 10, max: 440, noNaN: true }),
      fc.double({ min: 1, max: 2000, noNaN: true }),
      (bearing, distance, radius) => {
        const rad = (bearing * Math.PI) / 180;
        const p: LonLat = [
          centre[0] + (distance * Math.sin(rad)) / (111_320 * Math.cos((centre[1] * Math.PI) / 180)),
          centre[1] + (distance * Math.cos(rad)) / 111_320,
        ];
        assert.ok(inArea(p, { rings: [sector], circles: [] }));
        assert.ok(coverageIntersects(sector, { rings: [], circles: [{ centre: p, radiusM: radius }] }));
      },
    ),
    { numRuns: 500 },
  );
});
