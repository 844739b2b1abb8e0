import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { verifyChain } from '../../src/platform/chain-verifier.js';
import type { EventLog } from '../../src/platform/event-log.js';

/**
 * The store tests' check of the whole-log chain walk in the worker pool (src/adapters/stores/*-chain-walk.test.ts):
 * 12 000 events appended to `log` are walked in one pool task that reads them itself (none read on the main thread),
 * with progress reaching the caller; then `alter` changes event `seq` behind the log's back and the walk finds it.
 */
export async function assertChainWalkInWorker(log: EventLog, alter: (seq: number) => Promise<unknown> | void): Promise<void> {
  for (let i = 0; i < 12; i++)
    await log.append(Array.from({ length: 1000 }, (_, j) => ({ type: 'test.tick', subject: `s:${i}`, orgId: null, actor: 'system', data: { i, j } })));
  let mainThreadReads = 0;
  const read = log.read.bind(log);
  log.read = async (options) => {
    mainThreadReads++;
    return read(options);
  };
  const threads: number[] = [];
  const progress: number[] = [];
  const ok = await verifyChain(log, (checked) => progress.push(checked), { inWorker: true, onBatch: (b) => threads.push(b.threadId) });
  assert.equal(ok.ok, true, ok.problem ?? '');
  assert.equal(ok.checked, 12_000);
  assert.equal(mainThreadReads, 0, 'no event read on the main thread');
  assert.equal(threads.length, 1, 'one task for the whole walk');
  assert.notEqual(threads[0], threadId);
  assert.equal(progress.at(-1), 12_000, 'progress reached the caller');

  // Alter an event behind the log's back: the walk in the worker finds it.
  await alter(7777);
  const broken = await verifyChain(log, undefined, { inWorker: true });
  assert.equal(broken.ok, false);
  assert.equal(broken.firstBrokenSeq, 7777);
  assert.match(broken.problem!, /altered/);
  assert.equal(mainThreadReads, 0);
}
