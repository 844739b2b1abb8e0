import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../kernel/errors.js';
import { GEOMETRY_LIMITS, parseGeometry, parseLayer } from './geometry.js';

const lon = fc.double({ min: 7.4, max: 7.44, noNaN: true });
const lat = fc.double({ min: 43.72, max: 43.75, noNaN: true });
const pos = fc.tuple(lon, lat);
const rejects = (fn: () => unknown, message?: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof VigilError && e.code === 'bad_request' && (!message || message.test(e.message)));

test('valid points, lines and closed polygons come back as they were sent (altitude dropped)', () => {
  fc.assert(fc.property(pos, (p) => assert.deepEqual(parseGeometry({ type: 'Point', coordinates: [...p, 12] }, ['Point']), { type: 'Point', coordinates: p })));
  fc.assert(
    fc.property(fc.array(pos, { minLength: 2, maxLength: 50 }), (line) =>
      assert.deepEqual(parseGeometry({ type: 'LineString', coordinates: line }, ['LineString']).coordinates, line),
    ),
  );
  fc.assert(
    fc.property(fc.uniqueArray(pos, { minLength: 3, maxLength: 40, selector: (p) => `${p[0]},${p[1]}` }), (pts) => {
      const ring = [...pts, pts[0]!];
      assert.deepEqual(parseGeometry({ type: 'Polygon', coordinates: [ring] }, ['Polygon']).coordinates, [ring]);
    }),
  );
});

test('out-of-range, non-finite or malformed positions are refused with a 400', () => {
  const bad = fc.oneof(
    fc.tuple(fc.double({ min: 180.000001, max: 1e6, noNaN: true }), lat),
    fc.tuple(lon, fc.double({ min: -1e6, max: -90.000001, noNaN: true })),
    fc.tuple(fc.constantFrom(Number.NaN, Infinity, -Infinity), lat),
    fc.tuple(lon, fc.string()),
    fc.constant([7.42]),
    fc.constant([7.42, 43.73, 1, 2]),
  );
  fc.assert(fc.property(bad, (p) => rejects(() => parseGeometry({ type: 'Point', coordinates: p }, ['Point']))));
  fc.assert(
    fc.property(bad, fc.array(pos, { minLength: 1, maxLength: 5 }), fc.nat(5), (p, line, at) => {
      const coords: unknown[] = [...line];
      coords.splice(Math.min(at, coords.length), 0, p);
      rejects(() => parseGeometry({ type: 'LineString', coordinates: coords }, ['LineString']));
    }),
  );
});

test('polygon rings must be closed, have ≥ 4 positions and 3 distinct ones; types must be the allowed ones', () => {
  fc.assert(
    fc.property(fc.uniqueArray(pos, { minLength: 3, maxLength: 20, selector: (p) => `${p[0]},${p[1]}` }), (pts) => {
      rejects(() => parseGeometry({ type: 'Polygon', coordinates: [pts] }, ['Polygon']), /closed|at least 4/);
    }),
  );
  rejects(
    () =>
      parseGeometry(
        {
          type: 'Polygon',
          coordinates: [
            [
              [7.42, 43.73],
              [7.43, 43.73],
              [7.42, 43.73],
              [7.42, 43.73],
            ],
          ],
        },
        ['Polygon'],
      ),
    /distinct/,
  );
  rejects(() => parseGeometry({ type: 'Polygon', coordinates: [] }, ['Polygon']));
  rejects(() => parseGeometry({ type: 'Point', coordinates: [7.42, 43.73] }, ['Polygon']), /type must be Polygon/);
  rejects(() => parseGeometry({ type: 'Point', coordinates: [7.42, 43.73], crs: 'x' }, ['Point']), /unexpected member/);
  fc.assert(
    fc.property(fc.anything(), (v) => {
      try {
        parseGeometry(v, ['Point', 'LineString', 'Polygon']);
      } catch (e) {
        assert.ok(e instanceof VigilError && e.code === 'bad_request', String(e));
      }
    }),
  );
});

test('size limits: positions per geometry and extent', () => {
  const many = Array.from({ length: GEOMETRY_LIMITS.maxPositions + 1 }, (_, i) => [7.4 + i * 1e-6, 43.73]);
  rejects(() => parseGeometry({ type: 'LineString', coordinates: many }, ['LineString']), /too many positions/);
  rejects(
    () =>
      parseGeometry(
        {
          type: 'LineString',
          coordinates: [
            [7.42, 43.73],
            [8.5, 44.5],
          ],
        },
        ['LineString'],
      ),
    /spans more than/,
  );
});

test('layers: feature collections of checked features with flat properties, within limits; never stored as sent', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ p: pos, name: fc.string({ maxLength: 50 }), n: fc.integer() }), { minLength: 1, maxLength: 30 }), (rows) => {
      const layer = parseLayer({
        type: 'FeatureCollection',
        extra: 1,
        features: rows.map((r) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: r.p }, properties: { name: r.name, n: r.n } })),
      });
      assert.equal(layer.features.length, rows.length);
      assert.deepEqual(Object.keys(layer), ['type', 'features']);
    }),
  );
  rejects(() => parseLayer({ type: 'FeatureCollection', features: [] }), /no features/);
  rejects(
    () =>
      parseLayer({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [7.42, 43.73] }, properties: { nested: { a: 1 } } }],
      }),
    /properties\.nested/,
  );
  rejects(() => parseLayer({ type: 'Feature' }), /FeatureCollection/);
  const big = Array.from({ length: 5 }, () => ({
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: Array.from({ length: 4500 }, (_, i) => [7.4 + i * 1e-6, 43.73]) },
    properties: null,
  }));
  rejects(() => parseLayer({ type: 'FeatureCollection', features: big }), /too many positions|more than 20000 positions/);
});
