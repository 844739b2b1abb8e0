import type Database from 'better-sqlite3';
import { decodeHeardSnapshot, encodeHeardSnapshot, type HeardCheckpointStore, type HeardSnapshot } from '../../../platform/heard-checkpoint.js';
import { openSqlite, type Synchronous } from './sqlite-writer.js';

/**
 * The supervision heard state of the embedded node: one row, replaced at each checkpoint,
 * in a SQLite file of its own (so a checkpoint never waits on the log's writer thread).
 */
export class SqliteHeardCheckpoint implements HeardCheckpointStore {
  private readonly db: Database.Database;
  private readonly put;
  private readonly get;

  constructor(file: string, synchronous: Synchronous = 'FULL') {
    this.db = openSqlite(file, synchronous);
    this.db.exec('CREATE TABLE IF NOT EXISTS supervision_heard (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    this.put = this.db.prepare<[Buffer]>('INSERT INTO supervision_heard (id, body) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body');
    this.get = this.db.prepare<[], { body: Buffer }>('SELECT body FROM supervision_heard WHERE id = 1');
  }

  load(): Promise<HeardSnapshot | null> {
    const row = this.get.get();
    return Promise.resolve(row ? decodeHeardSnapshot(row.body) : null);
  }

  save(snapshot: HeardSnapshot): Promise<void> {
    this.put.run(encodeHeardSnapshot(snapshot));
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
