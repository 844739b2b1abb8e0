import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { VigilError } from '../../kernel/errors.js';
import { ByteBudget, JobGate, Semaphore } from './job-gate.js';
import { closeWorkerPool, runInWorker } from './worker-pool.js';

const FIXTURE = new URL('../../../test/support/heavy-fixture.ts', import.meta.url);

/** Counts turns of the event loop until stopped: proof the main thread was free meanwhile. */
function loopTicks(): { stop: () => number } {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  return {
    stop: () => {
      clearInterval(timer);
      return ticks;
    },
  };
}

test('the pool runs a CPU-bound task in a worker thread while the event loop keeps turning', async () => {
  try {
    const ticks = loopTicks();
    const [a, b] = await Promise.all([
      runInWorker<{ threadId: number }>({ module: FIXTURE, fn: 'spin', input: { ms: 300 } }),
      runInWorker<{ threadId: number }>({ module: FIXTURE, fn: 'spin', input: { ms: 300 } }),
    ]);
    const turned = ticks.stop();
    assert.notEqual(a.threadId, threadId, 'not the main thread');
    assert.notEqual(b.threadId, threadId);
    assert.ok(turned > 0, 'timers fired while the work ran');
  } finally {
    await closeWorkerPool();
  }
});

test('tasks beyond the threads wait in the pool: twenty at once all finish (several gates may hand work at the same time)', async () => {
  try {
    const results = await Promise.all(Array.from({ length: 20 }, () => runInWorker<{ threadId: number }>({ module: FIXTURE, fn: 'spin', input: { ms: 5 } })));
    assert.equal(results.length, 20);
    for (const r of results) assert.notEqual(r.threadId, threadId);
  } finally {
    await closeWorkerPool();
  }
});

test('a VigilError thrown in a worker reaches the caller as itself (a 400, not a 500)', async () => {
  try {
    await assert.rejects(runInWorker({ module: FIXTURE, fn: 'refuse', input: null }), (e: unknown) => {
      assert.ok(e instanceof VigilError);
      assert.equal(e.code, 'bad_request');
      assert.match(e.message, /1000 m from any road/);
      return true;
    });
  } finally {
    await closeWorkerPool();
  }
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('single flight: ten equal requests in flight cost one run and all get its result', async () => {
  const gate = new JobGate('test', { concurrency: 2, queue: 10, perUser: 1, retryAfterSeconds: 3 });
  const release = deferred();
  let runs = 0;
  const calls = Array.from({ length: 10 }, (_, i) =>
    gate.run({ user: `user-${i}`, key: 'same' }, async () => {
      runs++;
      await release.promise;
      return 42;
    }),
  );
  release.resolve();
  assert.deepEqual(await Promise.all(calls), Array(10).fill(42));
  assert.equal(runs, 1);
  assert.equal(gate.stats.runs, 1);
  assert.equal(gate.stats.joined, 9);
  // Once done, the same request runs again (a new answer, not a stale one).
  await gate.run({ user: 'user-0', key: 'same' }, async () => runs++);
  assert.equal(runs, 2);
});

test('per-user quota and a full queue are refused with 429 and Retry-After; concurrency never exceeds its bound', async () => {
  const gate = new JobGate('test', { concurrency: 2, queue: 2, perUser: 2, retryAfterSeconds: 7 });
  const release = deferred();
  let running = 0;
  let peak = 0;
  const work = async (): Promise<void> => {
    running++;
    peak = Math.max(peak, running);
    await release.promise;
    running--;
  };
  const held = [gate.run({ user: 'ann' }, work), gate.run({ user: 'ann' }, work)];
  assert.throws(
    () => gate.run({ user: 'ann' }, work),
    (e: unknown) => e instanceof VigilError && e.status === 429 && (e.details as { retryAfterSeconds: number }).retryAfterSeconds === 7,
  );
  held.push(gate.run({ user: 'bob' }, work), gate.run({ user: 'carl' }, work)); // the two waiting places
  assert.throws(() => gate.run({ user: 'dora' }, work), /busy/);
  assert.equal(gate.stats.refused, 2);
  assert.equal(gate.stats.waiting, 2);
  release.resolve();
  await Promise.all(held);
  assert.equal(peak, 2);
  assert.equal(gate.stats.runs, 4);
  // Quotas are given back when the runs end.
  await gate.run({ user: 'ann' }, async () => {});
});

test('a semaphore keeps at most its limit running and lets everyone through in the end', async () => {
  const sem = new Semaphore(2);
  const done = await Promise.all(Array.from({ length: 20 }, (_, i) => sem.use(async () => new Promise<number>((r) => setImmediate(() => r(i))))));
  assert.equal(done.length, 20);
  assert.equal(sem.peak, 2);
});

test('pool threads run at a lower priority than the main thread (VIGIL_WORKER_NICE, default 10); the main thread keeps its own', async () => {
  const { getPriority } = await import('node:os');
  const mine = getPriority();
  try {
    const worker = await runInWorker<{ nice: number; threadId: number }>({ module: FIXTURE, fn: 'priority', input: null });
    assert.notEqual(worker.threadId, threadId);
    assert.equal(worker.nice, Math.min(19, mine + 10));
    assert.equal(getPriority(), mine, 'the main thread answers alarms at its own priority');
  } finally {
    await closeWorkerPool();
  }
});

test('byte budget: a user spends up to a minute of bytes at once, refills evenly, is told when it fits again; others keep theirs', () => {
  let now = 0;
  const budget = new ByteBudget('CAP documents', 4 * 1024 * 1024, () => now);
  const MiB = 1024 * 1024;
  for (let i = 0; i < 4; i++) budget.take('officer', MiB);
  const refused = (() => {
    try {
      budget.take('officer', MiB);
    } catch (error) {
      return error as VigilError;
    }
    return null;
  })();
  assert.ok(refused instanceof VigilError);
  assert.equal(refused.code, 'rate_limited');
  assert.match(refused.message, /more than 4 MiB of CAP documents in the last minute; try again in 15 s/);
  assert.equal((refused.details as { retryAfterSeconds: number }).retryAfterSeconds, 15);
  budget.take('other', 4 * MiB); // another user's budget is their own
  now = 14_000;
  assert.throws(() => budget.take('officer', MiB), /try again in 1 s/);
  now = 15_000;
  budget.take('officer', MiB); // a quarter of a minute refilled a quarter of the budget
  assert.throws(() => budget.take('officer', 1));
  now = 15_000 + 10 * 60_000;
  budget.take('officer', 4 * MiB); // never more than one minute's worth saved up
  assert.throws(() => budget.take('officer', 1));
  assert.equal(budget.refused, 4);
});
