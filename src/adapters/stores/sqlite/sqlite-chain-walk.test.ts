import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { verifyChain } from '../../../platform/chain-verifier.js';
import { closeWorkerPool } from '../../../platform/heavy/worker-pool.js';
import { SqliteEventLog } from './sqlite-event-log.js';

test('the whole-log chain check of a SQLite file runs in one pool task: the main thread reads no event; tampering is still found', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-chain-walk-'));
  const log = new SqliteEventLog(join(dir, 'events.db'), { synchronous: 'NORMAL' });
  try {
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
    const raw = new Database(join(dir, 'events.db'));
    raw.prepare('UPDATE events SET data = \'{"i":99}\' WHERE seq = 7777').run();
    raw.close();
    const broken = await verifyChain(log, undefined, { inWorker: true });
    assert.equal(broken.ok, false);
    assert.equal(broken.firstBrokenSeq, 7777);
    assert.match(broken.problem!, /altered/);
    assert.equal(mainThreadReads, 0);
  } finally {
    await log.close();
    await closeWorkerPool();
    rmSync(dir, { recursive: true, force: true });
  }
});
