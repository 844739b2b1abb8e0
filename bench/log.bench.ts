// npm run bench:log — append throughput and acknowledgement latency of the event
// log (SQLite, and PostgreSQL when reachable), replay and chain-verification speed.
// Ends with one JSON line {"bench":"log",...}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresEventLog } from '../src/adapters/stores/postgres/postgres-event-log.js';
import { SqliteEventLog } from '../src/adapters/stores/sqlite/sqlite-event-log.js';
import { verifyChain } from '../src/platform/chain-verifier.js';
import type { EventLog, NewEvent } from '../src/platform/event-log.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 64);
const POSTGRES_URL = process.env.VIGIL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const signal = (n: number): NewEvent => ({
  type: 'alarm.signal.received',
  subject: `account:${n % 5000}`,
  orgId: 'org_bench',
  actor: 'device:receiver-1',
  data: { account: String(n % 5000).padStart(6, '0'), code: 'BA', zone: n % 64, receivedAt: 1_700_000_000_000 + n },
});

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * CALLERS concurrent clients, each appending `batch` events at a time and waiting
 * for the acknowledgement (batch 1: one alarm per receiver connection; larger
 * batches: a gateway forwarding a burst).
 */
async function measure(name: string, log: EventLog, batch = 1): Promise<Record<string, number>> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < EVENTS) {
        const n = next;
        next += batch;
        const t0 = performance.now();
        await log.append(Array.from({ length: batch }, (_, i) => signal(n + i)));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const appendMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const replayStart = performance.now();
  let replayed = 0;
  for (let after = 0; ;) {
    const batch = await log.read({ afterSeq: after, limit: 5000 });
    if (batch.length === 0) break;
    replayed += batch.length;
    after = batch.at(-1)!.seq;
  }
  const replayMs = performance.now() - replayStart;
  const verify = await verifyChain(log);
  const result = {
    batch,
    appendsPerSec: Math.round(EVENTS / (appendMs / 1000)),
    ackP50Ms: +pct(latencies, 50).toFixed(2),
    ackP99Ms: +pct(latencies, 99).toFixed(2),
    replayPerSec: Math.round(replayed / (replayMs / 1000)),
    verifyPerSec: Math.round(verify.checked / (verify.ms / 1000)),
  };
  console.log(
    `${name.padEnd(13)} ${EVENTS} events, ${CALLERS} callers × ${batch}/append: ${result.appendsPerSec} appends/s acknowledged durable, ack p50 ${result.ackP50Ms} ms p99 ${result.ackP99Ms} ms; replay ${result.replayPerSec}/s; chain verify ${result.verifyPerSec}/s (${verify.ok ? 'intact' : 'BROKEN'})`,
  );
  return result;
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
const out: Record<string, unknown> = { bench: 'log', events: EVENTS, callers: CALLERS };
try {
  for (const sync of ['FULL', 'NORMAL'] as const) {
    const log = new SqliteEventLog(join(dir, `bench-${sync}.sqlite`), { synchronous: sync });
    out[`sqlite${sync === 'FULL' ? '' : 'Normal'}`] = await measure(`sqlite/${sync}`, log);
    await log.close();
  }
  {
    const log = new SqliteEventLog(join(dir, 'bench-batch.sqlite'));
    out.sqliteBatch50 = await measure('sqlite/FULL', log, 50);
    await log.close();
  }
  const schema = `vigil_bench_${process.pid}`;
  try {
    const log = await PostgresEventLog.open({ connectionString: POSTGRES_URL, schema });
    out.postgres = await measure('postgres', log);
    await log.close();
    const batched = await PostgresEventLog.open({ connectionString: POSTGRES_URL, schema: `${schema}_b` });
    out.postgresBatch50 = await measure('postgres', batched, 50);
    await batched.close();
  } catch (error) {
    console.log(`postgres  skipped: ${(error as Error).message}`);
    out.postgres = null;
  } finally {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client
      .connect()
      .then(() => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_b CASCADE`))
      .catch(() => {});
    await client.end().catch(() => {});
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
