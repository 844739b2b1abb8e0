import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { VigilError } from '../../../kernel/errors.js';
import type { SecretBox } from '../../../kernel/secrets.js';
import type { KeyVault } from '../../../platform/key-vault.js';
import { assertSchemaName } from './migrations.js';

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
    } catch (error) {
      await pool.end();
      throw new VigilError('unavailable', `cannot open the personal-data key vault: ${(error as Error).message}`);
    }
    return new PostgresKeyVault(pool, `${schema}.personal_keys`, secrets);
  }

  async create(subject: string): Promise<Buffer> {
    await this.pool.query(`INSERT INTO ${this.table} (subject, wrapped) VALUES ($1, $2) ON CONFLICT (subject) DO NOTHING`, [
      subject,
      this.secrets.seal(randomBytes(32).toString('base64')),
    ]);
    return (await this.get([subject])).get(subject)!;
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
