import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { VigilError } from '../../../kernel/errors.js';
import type { SecretBox } from '../../../kernel/secrets.js';
import type { KeyVault } from '../../../platform/key-vault.js';
import { assertSchemaName } from './migrations.js';
import { prefixEnd } from '../../../platform/key-vault.js';

/**
 * Personal-data keys in the cluster's PostgreSQL schema, so every node opens the
 * same people's data. A deleted row lingers in dead tuples until VACUUM and in WAL
 * archives for their retention: the operator's backup policy bounds how long a
 * shredded key can still be recovered from them (docs/architecture.md).
 */
export class PostgresKeyVault implements KeyVault {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
    private readonly secrets: SecretBox,
  ) {}

  static async open(connectionString: string, schema: string, secrets: SecretBox): Promise<PostgresKeyVault> {
    assertSchemaName(schema);
    const pool = new pg.Pool({ connectionString, max: 4 });
    pool.on('error', () => {}); // an idle client's network error; queries report their own
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${schema}.personal_keys (subject text COLLATE "C" PRIMARY KEY, wrapped text NOT NULL)`);
      // Retention counts from a key's last use; keys made before it was recorded count from the upgrade.
      await pool.query(`ALTER TABLE ${schema}.personal_keys ADD COLUMN IF NOT EXISTS used_at bigint`);
      await pool.query(`UPDATE ${schema}.personal_keys SET used_at = $1 WHERE used_at IS NULL`, [Date.now()]);
      await pool.query(`CREATE INDEX IF NOT EXISTS personal_keys_used_at ON ${schema}.personal_keys (used_at)`);
    } catch (error) {
      await pool.end();
      throw new VigilError('unavailable', `cannot open the personal-data key vault: ${(error as Error).message}`);
    }
    return new PostgresKeyVault(pool, `${schema}.personal_keys`, secrets);
  }

  async create(subject: string, at = Date.now()): Promise<Buffer> {
    await this.pool.query(
      `INSERT INTO ${this.table} AS k (subject, wrapped, used_at) VALUES ($1, $2, $3)
       ON CONFLICT (subject) DO UPDATE SET used_at = greatest(coalesce(k.used_at, 0), excluded.used_at)`,
      [subject, this.secrets.seal(randomBytes(32).toString('base64')), at],
    );
    return (await this.get([subject])).get(subject)!;
  }

  async unusedSince(prefix: string, before: number, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ subject: string }>(
      `SELECT subject FROM ${this.table} WHERE subject >= $1 AND subject < $2 AND used_at < $3 LIMIT $4`,
      [prefix, prefixEnd(prefix), before, limit],
    );
    return rows.map((r) => r.subject);
  }

  async subjects(prefix: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ subject: string }>(`SELECT subject FROM ${this.table} WHERE subject >= $1 AND subject < $2 LIMIT $3`, [
      prefix,
      prefixEnd(prefix),
      limit,
    ]);
    return rows.map((r) => r.subject);
  }

  async get(subjects: readonly string[]): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    if (subjects.length === 0) return keys;
    const { rows } = await this.pool.query<{ subject: string; wrapped: string }>(`SELECT subject, wrapped FROM ${this.table} WHERE subject = ANY($1::text[])`, [
      subjects,
    ]);
    for (const row of rows) {
      const plain = this.secrets.open(row.wrapped);
      if (plain) keys.set(row.subject, Buffer.from(plain, 'base64'));
    }
    return keys;
  }

  async shred(subject: string): Promise<boolean> {
    return ((await this.pool.query(`DELETE FROM ${this.table} WHERE subject = $1`, [subject])).rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
