import Database from 'better-sqlite3';
import type { ChainReader } from '../../../platform/event-log.js';
import { eventFromRow, type EventRow } from '../chain-builder.js';

/**
 * Opened inside a pool worker by the hash-chain check (platform/chain-verifier.ts):
 * its own read-only connection to the log's file, so reading and decoding the whole
 * log happens off the main thread too, not only the hashing (WAL: it reads while the
 * writer writes).
 */
export function openChainReader(input: { file: string }): ChainReader {
  const db = new Database(input.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const after = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
  return {
    read: (afterSeq, limit) => (after.all(afterSeq, limit) as EventRow[]).map(eventFromRow),
    close: () => {
      db.close();
    },
  };
}
