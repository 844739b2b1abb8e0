import pg from 'pg';
import { VigilError } from '../../../kernel/errors.js';
import type { ReplayLedger } from '../../../platform/replay-ledger.js';
import { assertSchemaName } from './migrations.js';

/** How often a node deletes the expired claims (any node may; the deletes are idempotent). */
const SWEEP_MS = 30_000;

/**
 * The cluster's replay memory in its PostgreSQL schema: one row per claimed key with
 * its expiry. A claim is one `INSERT … ON CONFLICT` for all the keys of a batch, which
 * takes a free or expired key and leaves a live one alone — so of two nodes claiming
 * the same frame at the same moment exactly one gets it (the primary key decides).
 */
export class PostgresReplayLedger implements ReplayLedger {
  private sweeper: NodeJS.Timeout | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {}

  static async open(connectionString: string, schema: string, options: { now?: () => number; name?: string } = {}): Promise<PostgresReplayLedger> {
    const name = options.name ?? 'dc09_replay';
    const now = options.now ?? Date.now;
    assertSchemaName(schema);
    const pool = new pg.Pool({ connectionString, max: 2 });
    pool.on('error', () => {}); // an idle client's network error; queries report their own
    const table = `${schema}.${name}`;
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (key text COLLATE "C" PRIMARY KEY, expires_at bigint NOT NULL)`);
      await pool.query(`CREATE INDEX IF NOT EXISTS ${name}_expires_at ON ${table} (expires_at)`);
    } catch (error) {
      await pool.end();
      throw new VigilError('unavailable', `cannot open the cluster's replay ledger: ${(error as Error).message}`);
    }
    const ledger = new PostgresReplayLedger(pool, table);
    ledger.sweeper = setInterval(() => void ledger.sweep(now()).catch(() => {}), SWEEP_MS);
    ledger.sweeper.unref();
    return ledger;
  }

  async claim(entries: readonly { key: string; expiresAt: number }[], now: number): Promise<Set<string>> {
    // One row per key: a key twice in one statement would make ON CONFLICT touch a row twice (an error).
    const byKey = new Map<string, number>();
    for (const e of entries) byKey.set(e.key, Math.max(e.expiresAt, byKey.get(e.key) ?? 0));
    if (byKey.size === 0) return new Set();
    const { rows } = await this.pool.query<{ key: string }>(
      `INSERT INTO ${this.table} AS r (key, expires_at) SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE r.expires_at <= $3
       RETURNING key`,
      [[...byKey.keys()], [...byKey.values()], now],
    );
    return new Set(rows.map((r) => r.key));
  }

  async release(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.pool.query(`DELETE FROM ${this.table} WHERE key = ANY($1::text[])`, [keys]);
  }

  /** Deletes the claims that expired (tests call it; a timer does every 30 s). */
  async sweep(now: number): Promise<number> {
    return (await this.pool.query(`DELETE FROM ${this.table} WHERE expires_at <= $1`, [now])).rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    await this.pool.end();
  }
}
