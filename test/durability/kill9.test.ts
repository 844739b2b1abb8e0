import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { PostgresEventLog } from '../../src/adapters/stores/postgres/postgres-event-log.js';
import { SqliteEventLog } from '../../src/adapters/stores/sqlite/sqlite-event-log.js';
import { verifyChain } from '../../src/platform/chain-verifier.js';
import type { EventLog } from '../../src/platform/event-log.js';
import { POSTGRES_URL, requirePostgres } from '../support/services.js';

/**
 * Nothing acknowledged is lost: a child process appends under load and prints each
 * acknowledged id; it is killed with SIGKILL mid-load; the reopened store must hold
 * every printed id, in an intact chain.
 */
async function killMidLoad(backend: 'sqlite' | 'postgres', target: string, ackedBeforeKill: number): Promise<Set<string>> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'append-worker.ts'), backend, target], {
    env: { ...process.env, VIGIL_TEST_DATABASE_URL: POSTGRES_URL },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acked = new Set<string>();
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`worker exited early: ${code ?? signal}`))));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!; // a partial line is not a complete acknowledgement
      for (const line of lines) if (line.startsWith('evt_')) acked.add(line);
      if (acked.size >= ackedBeforeKill && !child.killed) child.kill('SIGKILL');
    });
  });
  return acked;
}

async function assertAllPresent(log: EventLog, acked: Set<string>): Promise<void> {
  const stored = new Set<string>();
  for (let after = 0; ;) {
    const batch = await log.read({ afterSeq: after, limit: 10_000 });
    if (batch.length === 0) break;
    batch.forEach((e) => stored.add(e.id));
    after = batch.at(-1)!.seq;
  }
  const missing = [...acked].filter((id) => !stored.has(id));
  assert.equal(missing.length, 0, `acknowledged but lost: ${missing.slice(0, 5).join(', ')}`);
  assert.ok(stored.size >= acked.size);
  const chain = await verifyChain(log);
  assert.equal(chain.ok, true, chain.problem ?? '');
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-kill9-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('sqlite: kill -9 mid-load loses no acknowledged event', async () => {
  const file = join(dir, 'kill9.sqlite');
  const acked = await killMidLoad('sqlite', file, 5000);
  const log = new SqliteEventLog(file);
  try {
    await assertAllPresent(log, acked);
    // The store stays writable after the crash.
    const [next] = await log.append([{ type: 'test.after.crash', subject: 'x', orgId: null, actor: 'system', data: {} }]);
    assert.equal(next!.seq, await log.lastSeq());
  } finally {
    await log.close();
  }
});

test('postgres: kill -9 mid-load loses no acknowledged event', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `vigil_kill9_${process.pid}`;
  try {
    const acked = await killMidLoad('postgres', schema, 3000);
    const log = await PostgresEventLog.open({ connectionString: POSTGRES_URL, schema });
    try {
      await assertAllPresent(log, acked);
    } finally {
      await log.close();
    }
  } finally {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
});
