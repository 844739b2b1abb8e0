import { after, test } from 'node:test';
import pg from 'pg';
import { assertChainWalkInWorker } from '../../../../test/support/chain-walk.js';
import { POSTGRES_URL, requirePostgres } from '../../../../test/support/services.js';
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
    await assertChainWalkInWorker(log, async (seq) => {
      const raw = new pg.Client({ connectionString: POSTGRES_URL });
      await raw.connect();
      await raw.query(`UPDATE ${schema}.events SET data = '{"i":99}' WHERE seq = ${seq}`);
      await raw.end();
    });
  } finally {
    await log.close();
  }
});
