import type pg from 'pg';
import { GENESIS_HASH } from '../../../platform/event-log.js';

/** Ordered, append-only: a released migration is never edited, only followed by a new one. */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: (schema: string) => string }[] = [
  {
    version: 1,
    name: 'event log',
    // Event data is kept as the exact JSON text that was hashed (jsonb would refuse
    // \u0000 and the log must accept whatever SQLite accepts). Types compare in the
    // C collation so that prefix range scans mean the same as in SQLite.
    sql: (s) => `
      CREATE TABLE ${s}.events (
        seq BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT COLLATE "C" NOT NULL,
        subject TEXT COLLATE "C" NOT NULL,
        org_id TEXT,
        actor TEXT NOT NULL,
        reason TEXT,
        at TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX events_type ON ${s}.events (type, seq);
      CREATE INDEX events_subject ON ${s}.events (subject, seq);
      -- One row: the head of the chain. Appenders on every node lock it, which
      -- serialises commits and keeps seq contiguous and the hash chain linear.
      CREATE TABLE ${s}.chain_head (
        singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO ${s}.chain_head (seq, hash) VALUES (0, '${GENESIS_HASH}');
    `,
  },
];

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid PostgreSQL schema name "${schema}" (lowercase letters, digits, _)`);
}

/** Applies pending migrations under an advisory lock, so nodes starting together migrate once. */
export async function migratePostgres(client: pg.ClientBase, schema: string): Promise<number[]> {
  assertSchemaName(schema);
  const ran: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vigil-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`);
    const applied = new Set(rows.map((r) => r.version));
    for (const m of POSTGRES_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql(schema));
      await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      ran.push(m.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  return ran;
}
