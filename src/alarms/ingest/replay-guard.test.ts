import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceLimits } from '../../adapters/protocols/dc09/source-limits.js';
import { ReplayGuard } from './replay-guard.js';

const T0 = Date.UTC(2026, 11, 3, 12, 0, 0, 400);

test('replay guard: a frame once, never twice while its timestamp is in the window; forgotten after', () => {
  const guard = new ReplayGuard(T0);
  const ts = T0 + 600; // the next whole second
  const first = guard.check('AB12', '0001', ts, ts);
  assert.equal(first.verdict, 'fresh');
  assert.equal(guard.check('AB12', '0001', ts, ts).verdict, 'replay', 'in flight counts as seen');
  guard.accepted(first.key, ts);
  assert.equal(guard.check('AB12', '0001', ts, ts + 39_000).verdict, 'replay');
  assert.equal(guard.check('AB12', '0002', ts, ts).verdict, 'fresh', 'another sequence number');
  assert.equal(guard.check('CD34', '0001', ts, ts).verdict, 'fresh', 'another account');
  assert.equal(guard.check('AB12', '0003', ts, ts + 41_000).verdict, 'fresh');
  assert.equal(guard.size, 0, 'entries leave with the window');
});

test('replay guard: a failed write releases the frame so the panel can retry it', () => {
  const guard = new ReplayGuard(T0);
  const r = guard.check('AB12', '0001', T0 + 600, T0 + 600);
  guard.release(r.key);
  assert.equal(guard.check('AB12', '0001', T0 + 600, T0 + 600).verdict, 'fresh');
});

test('replay guard: frames timestamped before the second the node started are refused; memory is bounded', () => {
  const guard = new ReplayGuard(T0, { maxEntries: 2 });
  assert.equal(guard.check('AB12', '0001', T0 - 1400, T0).verdict, 'before-start');
  assert.equal(guard.check('AB12', '0001', T0 - 400, T0).verdict, 'fresh', 'the start second itself passes');
  assert.equal(guard.check('AB12', '0002', T0, T0).verdict, 'fresh');
  assert.equal(guard.check('AB12', '0003', T0, T0).verdict, 'memory-full');
});

test('replay guard: a frame stamped in the future does not keep older entries alive (memory follows the window)', () => {
  const guard = new ReplayGuard(T0);
  const start = T0 + 600;
  // One panel's clock runs 20 s ahead: its frame expires 20 s after the others'.
  const ahead = guard.check('FFFF', '0001', start + 20_000, start);
  guard.accepted(ahead.key, start + 20_000);
  // A steady stream: 50 frames a second from 50 accounts for 5 minutes.
  let peak = 0;
  for (let s = 0; s < 300; s++) {
    const now = start + s * 1000;
    for (let a = 0; a < 50; a++) {
      const r = guard.check(`A${a}`, String(s % 10_000).padStart(4, '0'), now, now);
      assert.equal(r.verdict, 'fresh');
      guard.accepted(r.key, now);
    }
    peak = Math.max(peak, guard.size);
  }
  // 50 a second for a 40 s window, plus the second in progress: about 2 050, never the 15 000 sent.
  assert.ok(peak <= 50 * 42, `peak ${peak} entries`);
  assert.ok(guard.size <= 50 * 42);
  assert.equal(guard.heldFor('FFFF'), 0, 'the future-stamped frame left with its own window');
  assert.equal(guard.check('A1', '0299', start + 299_000, start + 299_500).verdict, 'replay', 'still refused inside the window');
});

test('replay guard: one account cannot fill the memory; the others are not refused', () => {
  const guard = new ReplayGuard(T0, { maxPerAccount: 100, maxEntries: 1_000 });
  const now = T0 + 600;
  const verdicts = Array.from({ length: 150 }, (_, i) => {
    const r = guard.check('BAD1', String(i).padStart(4, '0'), now, now);
    if (r.verdict === 'fresh') guard.accepted(r.key, now);
    return r.verdict;
  });
  assert.equal(verdicts.filter((v) => v === 'fresh').length, 100);
  assert.equal(verdicts.filter((v) => v === 'account-full').length, 50);
  assert.equal(guard.heldFor('BAD1'), 100);
  assert.equal(guard.check('GOOD', '0001', now, now).verdict, 'fresh', 'another account still passes');
  // A reservation released (its write failed) frees its place.
  const r = guard.check('GOOD', '0002', now, now);
  guard.release(r.key);
  assert.equal(guard.heldFor('GOOD'), 1);
  // Once the window has passed the account is accepted again.
  assert.equal(guard.check('BAD1', '0200', now + 41_000, now + 41_000).verdict, 'fresh');
  assert.equal(guard.heldFor('BAD1'), 1);
});

test('source limits: a burst, then the rate; connections per address', () => {
  let now = 0;
  const limits = new SourceLimits({ framesPerSecond: 5, burst: 10, connectionsPerSource: 1 }, () => now);
  const taken = Array.from({ length: 20 }, () => limits.allowFrame('10.0.0.1')).filter(Boolean).length;
  assert.equal(taken, 10);
  assert.equal(limits.allowFrame('10.0.0.2'), true, 'another address has its own bucket');
  now += 1000;
  assert.equal(Array.from({ length: 20 }, () => limits.allowFrame('10.0.0.1')).filter(Boolean).length, 5);
  assert.equal(limits.openConnection('10.0.0.1'), true);
  assert.equal(limits.openConnection('10.0.0.1'), false);
  limits.closeConnection('10.0.0.1');
  assert.equal(limits.openConnection('10.0.0.1'), true);
});

test('replay guard: the same bytes again are a duplicate (ACKed again once the first copy is durable), other bytes a replay', async () => {
  const guard = new ReplayGuard(T0);
  const ts = T0 + 600;
  const first = guard.check('AB12', '0001', ts, ts, 0xabcd);
  assert.equal(first.verdict, 'fresh');
  const copy = guard.check('AB12', '0001', ts, ts, 0xabcd);
  assert.equal(copy.verdict, 'duplicate');
  assert.ok(copy.settled, 'in flight: the copy waits for the first');
  assert.equal(guard.check('AB12', '0001', ts, ts, 0x1234).verdict, 'replay', 'other bytes');
  assert.equal(guard.check('AB12', '0001', ts, ts).verdict, 'replay', 'no digest given');
  guard.accepted(first.key, ts);
  assert.equal(await copy.settled, true);
  const later = guard.check('AB12', '0001', ts, ts + 30_000, 0xabcd);
  assert.deepEqual([later.verdict, later.settled], ['duplicate', null]);
  assert.equal(guard.check('AB12', '0001', ts, ts + 41_000, 0xabcd).verdict, 'fresh', 'forgotten with the window');

  // A first copy that was not made durable: its waiting copy hears so, and the panel's next try is fresh.
  const lost = guard.check('CD34', '0002', ts, ts, 7);
  const waiting = guard.check('CD34', '0002', ts, ts, 7);
  guard.release(lost.key);
  assert.equal(await waiting.settled, false);
  assert.equal(guard.check('CD34', '0002', ts, ts, 7).verdict, 'fresh');

  // Accepted by another node of a cluster: used here, but a copy is a replay, not a duplicate to ACK.
  const elsewhere = guard.check('EF56', '0003', ts, ts, 9);
  const copyHere = guard.check('EF56', '0003', ts, ts, 9);
  guard.accepted(elsewhere.key, ts, false);
  assert.equal(await copyHere.settled, false);
  assert.equal(guard.check('EF56', '0003', ts, ts, 9).verdict, 'replay');
});
