import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { forEachInRuns, RecipientTrack, toRuns } from './recipient-track.js';

test('runs of positions: any sorted set of positions comes back the same, in fewer numbers when contiguous', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 400 }), (raw) => {
      const positions = [...raw].sort((a, b) => a - b);
      const back: number[] = [];
      forEachInRuns(toRuns(positions), 10_000, (p) => back.push(p));
      assert.deepEqual(back, positions);
    }),
  );
  assert.deepEqual(toRuns([0, 1, 2, 3, 7, 8, 10]), [0, 4, 7, 2, 10, 1]);
  // Malformed runs from a log written by someone else: skipped or clipped, never a loop over billions.
  const seen: number[] = [];
  forEachInRuns([-1, 5, 2, 1e12, 1.5, 2, 3], 4, (p) => seen.push(p));
  assert.deepEqual(seen, [2, 3]);
});

test('recipient track: states move queued → sent → delivered or failed only, counts always add up', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.array(fc.tuple(fc.constantFrom('sent', 'delivered', 'failed', 'failed-after'), fc.integer({ min: -2, max: 320 })), { maxLength: 600 }),
      (n, steps) => {
        const t = new RecipientTrack();
        t.queue(
          0,
          Array.from({ length: n }, (_, i) => `sub_${i}`),
          undefined,
          undefined,
        );
        for (const [what, p] of steps) {
          const before = p >= 0 && p < n ? t.stateAt(p) : null;
          if (what === 'sent') t.markSent(p);
          else if (what === 'delivered') t.markDelivered(p);
          else t.markFailed(p, `reason ${p}`, what === 'failed-after');
          if (before === 'delivered' || before === 'failed') assert.equal(t.stateAt(p), before, 'final states stay');
        }
        const c = t.counts;
        assert.equal(c.queued + c.sent + c.delivered + c.failed, n);
        assert.ok(t.handedOver >= c.sent + c.delivered && t.handedOver <= n);
        for (let p = 0; p < n; p++) assert.equal(t.reasonAt(p) !== null, t.stateAt(p) === 'failed');
      },
    ),
  );
});

test('recipient track: positions keep the order queued; a batch out of order is refused; neighbourhoods and lookups', () => {
  const t = new RecipientTrack();
  t.queue(0, ['a', 'b'], [0, -1], [{ id: 'area:1', name: 'Fontvieille' }]);
  t.queue(5, ['x'], undefined, undefined);
  t.queue(2, ['c'], [0], [{ id: 'area:2', name: 'Monaco-Ville' }]);
  assert.deepEqual(t.ids, ['a', 'b', 'c']);
  assert.deepEqual([t.areaAt(0)?.name, t.areaAt(1), t.areaAt(2)?.name], ['Fontvieille', null, 'Monaco-Ville']);
  assert.deepEqual([t.positionOf('c'), t.positionOf('x')], [2, -1]);
  t.markSent(0);
  t.markDelivered(0);
  t.markFailed(2, 'SMSC receipt: UNDELIV', true);
  assert.deepEqual(t.perArea(), [
    { areaId: 'area:1', name: 'Fontvieille', queued: 0, sent: 0, delivered: 1, failed: 0 },
    { areaId: 'area:2', name: 'Monaco-Ville', queued: 0, sent: 0, delivered: 0, failed: 1 },
    { areaId: null, name: 'outside the neighbourhoods', queued: 1, sent: 0, delivered: 0, failed: 0 },
  ]);
  assert.deepEqual(
    t.select((p) => t.isState(p, 'failed'), 0, 10),
    { total: 1, positions: [2] },
  );
  // A million recipients grow the arrays without trouble.
  const big = new RecipientTrack();
  for (let first = 0; first < 1_000_000; first += 10_000)
    big.queue(
      first,
      Array.from({ length: 10_000 }, (_, i) => `s${first + i}`),
      undefined,
      undefined,
    );
  forEachInRuns([0, 1_000_000], big.size, (p) => big.markSent(p));
  assert.deepEqual(big.counts, { queued: 0, sent: 1_000_000, delivered: 0, failed: 0 });
});
