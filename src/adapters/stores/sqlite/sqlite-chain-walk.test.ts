import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { closeWorkerPool } from '../../../platform/heavy/worker-pool.js';
import { SqliteEventLog } from './sqlite-event-log.js';
import { assertChainWalkInWorker } from '../../../../test/support/chain-walk.js';

test('the whole-log chain check of a SQLite file runs in one pool task: the main thread reads no event; tampering is still found', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-chain-walk-'));
  const log = new SqliteEventLog(join(dir, 'events.db'), { synchronous: 'NORMAL' });
  try {
    await assertChainWalkInWorker(log, (seq) => {
      const raw = new Database(join(dir, 'events.db'));
      raw.prepare(`UPDATE events SET data = '{"i":99}' WHERE seq = ${seq}`).run();
      raw.close();
    });
  } finally {
    await log.close();
    await closeWorkerPool();
    rmSync(dir, { recursive: true, force: true });
  }
});
