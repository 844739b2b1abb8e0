import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SupervisionMonitor } from './supervision/monitor.js';

test('a missed poll is reported once, within the tick after its deadline; the next frame restores it', () => {
  const t0 = 1_000_000;
  const m = new SupervisionMonitor(t0);
  m.watch('A', 90, t0);
  m.watch('B', 90, t0);
  assert.deepEqual(m.tick(t0 + 89_900), []);
  m.heard('B', t0 + 60_000);
  const faults = m.tick(t0 + 90_200);
  assert.deepEqual(
    faults.map((f) => [f.path, f.lateMs]),
    [['A', 200]],
  );
  assert.deepEqual(m.tick(t0 + 100_000), [], 'reported once');
  assert.equal(m.isFaulted('A'), true);
  const restore = m.heard('A', t0 + 120_000);
  assert.equal(restore?.path, 'A');
  assert.deepEqual(
    m.tick(t0 + 150_100).map((f) => f.path),
    ['B'],
    'B missed its deadline at 150 s',
  );
  m.unwatch('A');
  assert.deepEqual(
    m.tick(t0 + 400_000).map((f) => f.path),
    [],
  );
});

test('property: every path that is not heard within its interval is reported exactly once, none other', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ interval: fc.integer({ min: 1, max: 30 }), heardAt: fc.array(fc.integer({ min: 0, max: 60_000 }), { maxLength: 5 }) }), {
        minLength: 1,
        maxLength: 50,
      }),
      (paths) => {
        const t0 = 5_000_000;
        const m = new SupervisionMonitor(t0);
        paths.forEach((p, i) => m.watch(`p${i}`, p.interval, t0));
        const events = paths.flatMap((p, i) => p.heardAt.map((at) => ({ at: t0 + at, path: `p${i}` }))).sort((a, b) => a.at - b.at);
        const reported = new Map<string, number>();
        let e = 0;
        for (let now = t0; now <= t0 + 60_000; now += 250) {
          while (e < events.length && events[e]!.at <= now) m.heard(events[e]!.path, events[e++]!.at);
          for (const f of m.tick(now)) {
            assert.ok(f.lateMs >= 0 && f.lateMs < 1000, `late by ${f.lateMs}`);
            reported.set(f.path, (reported.get(f.path) ?? 0) + 1);
          }
        }
        // Reference model without buckets: per tick, apply frames, then report an overdue, unreported path.
        paths.forEach((p, i) => {
          const heard = [...p.heardAt].sort((a, b) => a - b).map((x) => t0 + x);
          let deadline = t0 + p.interval * 1000;
          let faulted = false;
          let faults = 0;
          let h = 0;
          for (let now = t0; now <= t0 + 60_000; now += 250) {
            while (h < heard.length && heard[h]! <= now) {
              deadline = heard[h++]! + p.interval * 1000;
              faulted = false;
            }
            if (!faulted && deadline <= now) {
              faults++;
              faulted = true;
            }
          }
          assert.equal(reported.get(`p${i}`) ?? 0, faults, `p${i}`);
        });
      },
    ),
    { numRuns: 100 },
  );
});
