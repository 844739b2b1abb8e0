import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import pg from 'pg';
import { POSTGRES_URL, requirePostgres } from '../../../../test/support/services.js';
import { verifyChain } from '../../../platform/chain-verifier.js';
import { closeWorkerPool } from '../../../platform/heavy/worker-pool.js';
import { PostgresEventLog } from './postgres-event-log.js';

const schema = `vigil_walk_${process.pid}_${Date.now().toString(36)}`;

after(async () => {
  await closeWorkerPool();
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect().catch(() => null);
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await client.end().catch(() => {});
});

test('postgres: the whole-log chain check runs in one pool task over its own connection; the main thread reads no event; tampering is still found', async (t) => {
  if (!(await requirePostgres(t))) return;
  const log = await PostgresEventLog.open({ connectionString: POSTGRES_URL, schema, pollIntervalMs: 200 });
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
    const raw = new pg.Client({ connectionString: POSTGRES_URL });
    await raw.connect();
    await raw.query(`UPDATE ${schema}.events SET data = '{"i":99}' WHERE seq = 7777`);
    await raw.end();
    const broken = await verifyChain(log, undefined, { inWorker: true });
    assert.equal(broken.ok, false);
    assert.equal(broken.firstBrokenSeq, 7777);
    assert.match(broken.problem!, /altered/);
    assert.equal(mainThreadReads, 0);
  } finally {
    await log.close();
  }
});
