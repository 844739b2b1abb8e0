import { open as openFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { VigilError } from '../../../kernel/errors.js';
import type { SharedFileStore } from '../../../platform/shared-files.js';
import { assertSchemaName } from './migrations.js';

/** One row per MiB: a 256 MiB capture is 256 rows, each well inside what a query carries. */
const CHUNK_BYTES = 1024 * 1024;
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * The cluster's shared files in its PostgreSQL schema: `shared_files` (one row per SHA-256),
 * `shared_file_chunks` (the bytes, one `bytea` row per MiB) and `shared_file_holders` (who
 * needs them). A file is put in one transaction with its holder, visible to readers only once
 * whole and committed; a second node putting the same content waits on the first one's row and
 * then only adds its holder. A release deletes the holder, then the bytes when no holder is
 * left: the holders' foreign key (no cascade) decides a race with another node's put — a holder
 * committed meanwhile keeps the bytes (the delete fails, nothing goes), and a put whose holder
 * comes after the delete fails (its upload is refused, never acknowledged without its bytes).
 */
export class PostgresSharedFiles implements SharedFileStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly now: () => number,
  ) {}

  static async open(connectionString: string, schema: string, options: { now?: () => number } = {}): Promise<PostgresSharedFiles> {
    assertSchemaName(schema);
    const pool = new pg.Pool({ connectionString, max: 2 });
    pool.on('error', () => {}); // an idle client's network error; queries report their own
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.shared_files (sha256 text COLLATE "C" PRIMARY KEY, bytes bigint NOT NULL, chunks integer NOT NULL)`,
      );
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.shared_file_chunks (sha256 text COLLATE "C" NOT NULL REFERENCES ${schema}.shared_files (sha256) ON DELETE CASCADE, n integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (sha256, n))`,
      );
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.shared_file_holders (sha256 text COLLATE "C" NOT NULL REFERENCES ${schema}.shared_files (sha256), holder text COLLATE "C" NOT NULL, added_at bigint NOT NULL, PRIMARY KEY (sha256, holder))`,
      );
    } catch (error) {
      await pool.end();
      throw new VigilError('unavailable', `cannot open the cluster's shared files: ${(error as Error).message}`);
    }
    return new PostgresSharedFiles(pool, schema, options.now ?? Date.now);
  }

  async put(sha256: string, bytes: number, path: string, holder: string): Promise<void> {
    const s = this.schema;
    const client = await this.pool.connect();
    const file = await openFile(path, 'r');
    let done = false;
    try {
      await client.query('BEGIN');
      const chunks = Math.ceil(bytes / CHUNK_BYTES);
      const inserted = await client.query(`INSERT INTO ${s}.shared_files (sha256, bytes, chunks) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING`, [
        sha256,
        bytes,
        chunks,
      ]);
      if (inserted.rowCount === 1) {
        const piece = Buffer.allocUnsafe(CHUNK_BYTES);
        for (let n = 0; n < chunks; n++) {
          const want = Math.min(CHUNK_BYTES, bytes - n * CHUNK_BYTES);
          for (let got = 0; got < want;) {
            const { bytesRead } = await file.read(piece, got, want - got, n * CHUNK_BYTES + got);
            if (bytesRead === 0) throw new VigilError('internal', 'the file is shorter than its recorded size');
            got += bytesRead;
          }
          await client.query(`INSERT INTO ${s}.shared_file_chunks (sha256, n, data) VALUES ($1, $2, $3)`, [sha256, n, piece.subarray(0, want)]);
        }
      }
      await client.query(`INSERT INTO ${s}.shared_file_holders (sha256, holder, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
        sha256,
        holder,
        this.now(),
      ]);
      await client.query('COMMIT');
      done = true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error instanceof VigilError ? error : new VigilError('unavailable', `the file could not be stored in the cluster: ${(error as Error).message}`);
    } finally {
      await file.close();
      client.release(!done);
    }
  }

  async open(sha256: string): Promise<Readable | null> {
    const s = this.schema;
    const { rows } = await this.pool.query<{ chunks: number }>(`SELECT chunks FROM ${s}.shared_files WHERE sha256 = $1`, [sha256]);
    if (!rows[0]) return null;
    const { chunks } = rows[0];
    const pool = this.pool;
    // One piece at a time, so a large file is never held whole; a piece gone (released meanwhile) fails the stream.
    async function* pieces(): AsyncGenerator<Buffer> {
      for (let n = 0; n < chunks; n++) {
        const piece = await pool.query<{ data: Buffer }>(`SELECT data FROM ${s}.shared_file_chunks WHERE sha256 = $1 AND n = $2`, [sha256, n]);
        if (!piece.rows[0]) throw new VigilError('not_found', 'the shared file was deleted while it was read');
        yield piece.rows[0].data;
      }
    }
    return Readable.from(pieces(), { objectMode: false });
  }

  async release(sha256: string, holder: string): Promise<boolean> {
    const s = this.schema;
    try {
      await this.pool.query(`DELETE FROM ${s}.shared_file_holders WHERE sha256 = $1 AND holder = $2`, [sha256, holder]);
      const gone = await this.pool.query(
        `DELETE FROM ${s}.shared_files f WHERE f.sha256 = $1 AND NOT EXISTS (SELECT 1 FROM ${s}.shared_file_holders h WHERE h.sha256 = f.sha256)`,
        [sha256],
      );
      return (gone.rowCount ?? 0) > 0;
    } catch (error) {
      // A holder another node committed while the bytes were being deleted: they stay, for it.
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) return false;
      throw new VigilError('unavailable', `the shared file could not be released: ${(error as Error).message}`);
    }
  }

  async holdersBefore(before: number): Promise<{ sha256: string; holder: string }[]> {
    const { rows } = await this.pool.query<{ sha256: string; holder: string }>(
      `SELECT sha256, holder FROM ${this.schema}.shared_file_holders WHERE added_at < $1`,
      [before],
    );
    return rows;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
