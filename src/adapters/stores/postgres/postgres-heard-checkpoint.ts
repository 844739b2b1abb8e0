import pg from 'pg';
import { VigilError } from '../../../kernel/errors.js';
import { decodeHeardSnapshot, encodeHeardSnapshot, type HeardCheckpointStore, type HeardSnapshot } from '../../../platform/heard-checkpoint.js';
import { assertSchemaName } from './migrations.js';

/**
 * A cluster's supervision heard state in its PostgreSQL schema: one row, written by
 * whichever node leads the alarm timers, read by the next leader when it takes over.
 */
export class PostgresHeardCheckpoint implements HeardCheckpointStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {}

  static async open(connectionString: string, schema: string, name = 'supervision_heard'): Promise<PostgresHeardCheckpoint> {
    assertSchemaName(schema);
    const pool = new pg.Pool({ connectionString, max: 1 });
    pool.on('error', () => {}); // an idle client's network error; queries report their own
    const table = `${schema}.${name}`;
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (id smallint PRIMARY KEY, body bytea NOT NULL)`);
    } catch (error) {
      await pool.end();
      throw new VigilError('unavailable', `cannot open the cluster's supervision checkpoint: ${(error as Error).message}`);
    }
    return new PostgresHeardCheckpoint(pool, table);
  }

  async load(): Promise<HeardSnapshot | null> {
    const { rows } = await this.pool.query<{ body: Buffer }>(`SELECT body FROM ${this.table} WHERE id = 1`);
    return rows[0] ? decodeHeardSnapshot(rows[0].body) : null;
  }

  async save(snapshot: HeardSnapshot): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.table} (id, body) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET body = excluded.body`, [
      encodeHeardSnapshot(snapshot),
    ]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
