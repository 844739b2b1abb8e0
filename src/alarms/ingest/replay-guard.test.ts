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
  const guard = new ReplayGuard(T0, 40_000, 2);
  assert.equal(guard.check('AB12', '0001', T0 - 1400, T0).verdict, 'before-start');
  assert.equal(guard.check('AB12', '0001', T0 - 400, T0).verdict, 'fresh', 'the start second itself passes');
  assert.equal(guard.check('AB12', '0002', T0, T0).verdict, 'fresh');
  assert.equal(guard.check('AB12', '0003', T0, T0).verdict, 'memory-full');
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
