import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../kernel/errors.js';
import { ringAreaM2, type Position } from '../kernel/geo.js';
import { checkPeopleCountMessage } from './count-ingest.js';
import { CountBatcher, type ZoneWindow } from './count-batcher.js';
import { MAX_COUNT, MAX_FUTURE_MS, checkPeopleCount } from './count-message.js';
import { nextLevel, rawLevel, trendPerMin, type Thresholds } from './density.js';
import { HYSTERESIS, LEVELS, type Level } from './model.js';
import { checkZonePolygon } from './validate.js';

const NOW = Date.parse('2026-12-01T20:00:00Z');
const RANK: Record<Level, number> = { normal: 0, warning: 1, critical: 2 };

/**
 * The reference model, written differently from the rule: the level is what the
 * density reaches on its own, or — if higher — the current level as long as the
 * density would still reach it with every threshold lowered by the hysteresis.
 */
function referenceLevel(current: Level, density: number, t: Thresholds): Level {
  const up = rawLevel(density, t);
  const held = rawLevel(density / (1 - HYSTERESIS), t);
  const kept = RANK[current] <= RANK[held] ? current : held;
  return RANK[up] >= RANK[kept] ? up : kept;
}

const thresholds = fc
  .tuple(fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: 1.05, max: 3, noNaN: true }))
  .map(([w, f]): Thresholds => ({ warningDensity: w, criticalDensity: Math.min(10, w * f) }));

test('property: density levels with hysteresis match the reference model for any level, density and thresholds', () => {
  fc.assert(
    fc.property(fc.constantFrom(...LEVELS), fc.double({ min: 0, max: 12, noNaN: true }), thresholds, (current, density, t) => {
      assert.equal(nextLevel(current, density, t), referenceLevel(current, density, t), `${current} at ${density} with ${JSON.stringify(t)}`);
    }),
    { numRuns: 5000 },
  );
  // Over whole sequences of windows too, and the level is always at least what the density alone gives.
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 12, noNaN: true }), { maxLength: 60 }), thresholds, (densities, t) => {
      let a: Level = 'normal',
        b: Level = 'normal';
      for (const d of densities) {
        a = nextLevel(a, d, t);
        b = referenceLevel(b, d, t);
        assert.equal(a, b);
        assert.ok(RANK[a] >= RANK[rawLevel(d, t)]);
        assert.ok(RANK[a] <= RANK[rawLevel(d / (1 - HYSTERESIS), t)], 'never above what the density reaches with the hysteresis');
      }
    }),
    { numRuns: 1000 },
  );
});

test('property: a density oscillating across a threshold inside the hysteresis band changes the level once, not every window', () => {
  fc.assert(
    fc.property(
      thresholds,
      fc.constantFrom<'warningDensity' | 'criticalDensity'>('warningDensity', 'criticalDensity'),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 80 }),
      (t, which, us) => {
        const threshold = t[which];
        const low = Math.max(threshold * (1 - HYSTERESIS) * 1.0001, which === 'criticalDensity' ? t.warningDensity : 0);
        // Start just at the threshold, then wander inside [threshold·(1−h), threshold·1.0 + a little].
        let level = nextLevel(which === 'criticalDensity' ? 'warning' : 'normal', threshold, t);
        const entered = level;
        let changes = 0;
        for (const u of us) {
          const d = low + u * (threshold * 1.05 - low);
          const next = nextLevel(level, Math.min(d, which === 'warningDensity' ? t.criticalDensity * 0.999 : 12), t);
          if (next !== level) changes++;
          level = next;
        }
        assert.equal(entered, which === 'criticalDensity' ? 'critical' : 'warning');
        assert.equal(changes, 0, 'no flapping inside the band');
      },
    ),
    { numRuns: 2000 },
  );
  // Leaving the band does change it.
  const t = { warningDensity: 2, criticalDensity: 4 };
  assert.equal(nextLevel('warning', 1.81, t), 'warning');
  assert.equal(nextLevel('warning', 1.79, t), 'normal');
  assert.equal(nextLevel('critical', 3.61, t), 'critical');
  assert.equal(nextLevel('critical', 3.59, t), 'warning');
  assert.equal(nextLevel('critical', 1.5, t), 'normal');
  assert.equal(nextLevel('normal', 4.2, t), 'critical');
  assert.equal(nextLevel('warning', Number.NaN, t), 'warning');
});

test('trend: change of density per minute over the last five minutes', () => {
  assert.equal(
    trendPerMin(
      [
        [NOW - 120_000, 1],
        [NOW - 60_000, 1.5],
        [NOW, 2],
      ],
      NOW,
    ),
    0.5,
  );
  assert.equal(
    trendPerMin(
      [
        [NOW - 600_000, 0],
        [NOW, 2],
      ],
      NOW,
    ),
    0,
    'one window in the span: no trend',
  );
  assert.equal(trendPerMin([], NOW), 0);
  assert.equal(
    trendPerMin(
      [
        [NOW - 1000, 1],
        [NOW, 2],
      ],
      NOW,
    ),
    1,
    'a jump within a second is +1 /m² over the minute, not +60',
  );
});

test('property: people counts — valid readings are read exactly; anything else is refused with a reason, nothing throws', () => {
  const valid = fc
    .oneof(
      fc.record({ counterId: fc.string({ minLength: 1, maxLength: 100 }), count: fc.integer({ min: 0, max: MAX_COUNT }) }),
      fc.record({
        counterId: fc.string({ minLength: 1, maxLength: 100 }),
        in: fc.integer({ min: 0, max: MAX_COUNT }),
        out: fc.option(fc.integer({ min: 0, max: MAX_COUNT }), { nil: undefined }),
      }),
    )
    .chain((m) =>
      fc
        .option(fc.integer({ min: NOW - 86_400_000, max: NOW + MAX_FUTURE_MS }), { nil: undefined })
        .map((at) => ({ ...m, ...(at === undefined ? {} : { at: new Date(at).toISOString() }) })),
    );
  fc.assert(
    fc.property(valid, (m) => {
      const r = checkPeopleCount(m, NOW);
      assert.ok(r.ok, JSON.stringify(m));
      assert.equal(r.reading.count, 'count' in m ? m.count : undefined);
      if ('in' in m) assert.deepEqual([r.reading.in, r.reading.out], [m.in, m.out ?? 0]);
      assert.equal(r.reading.at, m.at ? Date.parse(m.at) : NOW);
    }),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(
      fc.record({ counterId: fc.anything(), count: fc.anything(), in: fc.anything(), out: fc.anything(), at: fc.anything() }, { requiredKeys: [] }),
      (m) => {
        const r = checkPeopleCount(m as Parameters<typeof checkPeopleCount>[0], NOW);
        if (!r.ok) return assert.ok(r.problem.length > 0);
        const { count, in: i, out: o } = r.reading;
        assert.ok((count !== undefined) !== (i !== undefined));
        for (const v of [count, i, o]) if (v !== undefined) assert.ok(Number.isInteger(v) && v >= 0 && v <= MAX_COUNT);
        assert.ok(r.reading.at <= NOW + MAX_FUTURE_MS);
      },
    ),
    { numRuns: 2000 },
  );
  for (const bad of [
    { counterId: 'c' },
    { counterId: 'c', count: 1, in: 1 },
    { counterId: 'c', count: -1 },
    { counterId: 'c', count: 1.5 },
    { counterId: 'c', count: MAX_COUNT + 1 },
    { counterId: '', count: 1 },
    { counterId: 'c', count: 1, at: 'soon' },
    { counterId: 'c', count: 1, at: new Date(NOW + 3600_000).toISOString() },
  ]) {
    assert.equal(checkPeopleCount(bad, NOW).ok, false, JSON.stringify(bad));
  }
});

test('property: MQTT people-count messages — a count or in/out, refused otherwise; other sensor types may not carry in/out', () => {
  const parse = (m: unknown) => checkPeopleCountMessage(JSON.parse(JSON.stringify(m)));
  assert.ok(parse({ type: 'people-count', state: 'normal', value: 412 }).ok);
  assert.ok(parse({ type: 'people-count', state: 'normal', in: 12, out: 3 }).ok);
  for (const bad of [
    { type: 'people-count', state: 'normal' },
    { type: 'people-count', state: 'normal', value: 3.5 },
    { type: 'people-count', state: 'normal', value: -2 },
    { type: 'people-count', state: 'normal', value: 1, in: 2 },
    { type: 'smoke', state: 'alarm', in: 3 },
    { type: 'people-count', state: 'normal', in: '4' },
  ]) {
    const r = parse(bad);
    assert.equal(r.ok, false, JSON.stringify(bad));
  }
  fc.assert(
    fc.property(
      fc.record(
        { type: fc.constant('people-count'), state: fc.constantFrom('normal', 'alarm'), value: fc.anything(), in: fc.anything(), out: fc.anything() },
        { requiredKeys: ['type', 'state'] },
      ),
      (m) => {
        const r = parse(m);
        if (r.ok) {
          const { value, in: i, out: o } = r.message;
          assert.ok((value !== undefined) !== (i !== undefined || o !== undefined));
          for (const v of [value, i, o]) if (v !== undefined) assert.ok(Number.isInteger(v) && v >= 0);
        } else assert.ok(r.problem.length > 0);
      },
    ),
    { numRuns: 1000 },
  );
});

const rect = (lon: number, lat: number, dLon: number, dLat: number): Position[] => [
  [lon, lat],
  [lon + dLon, lat],
  [lon + dLon, lat + dLat],
  [lon, lat + dLat],
  [lon, lat],
];

test('property: zone polygons — closed simple rings are taken with their area; junk is refused with a 4xx error, never a crash', () => {
  fc.assert(
    fc.property(
      fc.double({ min: -170, max: 170, noNaN: true }),
      fc.double({ min: -60, max: 60, noNaN: true }),
      fc.double({ min: 0.0002, max: 0.005, noNaN: true }),
      fc.double({ min: 0.0002, max: 0.005, noNaN: true }),
      (lon, lat, dLon, dLat) => {
        const ring = rect(lon, lat, dLon, dLat);
        const { areaM2 } = checkZonePolygon({ type: 'Polygon', coordinates: [ring] });
        assert.ok(Math.abs(areaM2 - ringAreaM2(ring)) <= 0.1);
      },
    ),
    { numRuns: 300 },
  );
  const refused = (g: unknown): void => {
    try {
      checkZonePolygon(g);
      assert.fail(`accepted ${JSON.stringify(g)}`);
    } catch (error) {
      assert.ok(error instanceof VigilError && error.status === 400, String(error));
    }
  };
  const r = rect(7.42, 43.73, 0.001, 0.001);
  refused({ type: 'Polygon', coordinates: [r.slice(0, 4)] }); // not closed
  refused({
    type: 'Polygon',
    coordinates: [
      [
        [7.42, 43.73],
        [7.421, 43.731],
        [7.421, 43.73],
        [7.42, 43.731],
        [7.42, 43.73],
      ],
    ],
  }); // a figure of eight
  refused({
    type: 'Polygon',
    coordinates: [
      [
        [7.42, 43.73],
        [7.421, 43.73],
        [7.4205, 43.73],
        [7.42, 43.73],
      ],
    ],
  }); // folds back on itself, no area
  refused({ type: 'Polygon', coordinates: [rect(7.42, 43.73, 0.00001, 0.00001)] }); // 1 m²
  refused({ type: 'Polygon', coordinates: [rect(7.3, 43.7, 0.2, 0.2)] }); // hundreds of km²
  refused({
    type: 'Polygon',
    coordinates: [
      [
        [7.42, 43.73],
        [200, 43.73],
        [7.421, 43.731],
        [7.42, 43.73],
      ],
    ],
  });
  refused({ type: 'MultiPolygon', coordinates: [[r]] });
  refused({ type: 'Polygon', coordinates: [] });
  fc.assert(
    fc.property(fc.anything(), (g) => {
      try {
        checkZonePolygon(g);
      } catch (error) {
        assert.ok(error instanceof VigilError && error.status === 400, String(error));
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.double({ min: 7.41, max: 7.43, noNaN: true }), fc.double({ min: 43.72, max: 43.74, noNaN: true })), { minLength: 3, maxLength: 12 }),
      (pts) => {
        const ring = [...pts, pts[0]!] as Position[];
        try {
          const { areaM2 } = checkZonePolygon({ type: 'Polygon', coordinates: [ring] });
          assert.ok(areaM2 >= 10);
        } catch (error) {
          assert.ok(error instanceof VigilError && error.status === 400, String(error));
        }
      },
    ),
    { numRuns: 1000 },
  );
});

test('count batching: a window becomes one write per zone (latest count per counter, crossings summed); callers resolve only after it', async () => {
  const writes: Map<string, ZoneWindow>[] = [];
  const batcher = new CountBatcher(
    async (batch) => {
      await new Promise((r) => setImmediate(r));
      writes.push(batch);
    },
    60_000,
    10,
  );
  const waits = [
    batcher.addCount('z1', 'cam1', 10, NOW),
    batcher.addCount('z1', 'cam1', 30, NOW + 2),
    batcher.addCount('z1', 'cam1', 20, NOW + 1),
    batcher.addFlow('z1', 'g1', 5, 1),
    batcher.addFlow('z1', 'g1', 2, 0),
    batcher.addCount('z2', 'cam2', 7, NOW),
  ];
  assert.equal(writes.length, 0);
  assert.equal(batcher.waiting, 6);
  await batcher.flush();
  await Promise.all(waits);
  assert.equal(writes.length, 1);
  assert.deepEqual(writes[0]!.get('z1')!.counts.get('cam1'), { count: 30, at: NOW + 2 }, 'the latest count wins, a late one is ignored');
  assert.deepEqual(writes[0]!.get('z1')!.flows.get('g1'), [7, 1]);
  assert.equal(writes[0]!.get('z2')!.counts.get('cam2')!.count, 7);
  const failing = new CountBatcher(
    async () => {
      throw new Error('disk full');
    },
    60_000,
    1,
  );
  await assert.rejects(failing.addCount('z', 'c', 1, NOW), /disk full/);
});
