import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { GENESIS_HASH, type StoredEvent } from '../../../platform/event-log.js';
import { chainBatch, eventFromRow, type EventRow, type EventToChain } from '../chain-builder.js';

export type Synchronous = 'FULL' | 'NORMAL';

/** A written event as the writer hands it back: the data stays with the caller, who has its text. */
export type WrittenHeader = [seq: number, id: string, at: string, prevHash: string, hash: string];

/** Per caller, per event: a new event's header, or an earlier event with the same id. */
export type WriteResult = { results: ({ written: WrittenHeader } | { existing: StoredEvent })[][] };

/** Opens the SQLite file as the embedded store wants it: WAL, fsync per commit unless told otherwise. */
export function openSqlite(file: string, synchronous: Synchronous): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * The append half of the SQLite store: one transaction per group commit, hashes
 * chained from the head. Runs on a worker thread for file databases, so hashing,
 * inserting and fsync overlap with the main thread's parsing and rules; inline for
 * an in-memory database, which a second thread cannot open.
 */
export class SqliteWriter {
  private readonly head;
  private readonly byId;
  private readonly insert;
  private readonly transaction;

  constructor(readonly db: Database.Database) {
    this.head = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
    this.byId = db.prepare('SELECT * FROM events WHERE id = ?');
    this.insert = db.prepare(
      `INSERT INTO events (seq, id, type, subject, org_id, actor, reason, at, data, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.transaction = db.transaction((batch: readonly { events: readonly EventToChain[] }[]): WriteResult => {
      const head = (this.head.get() as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: GENESIS_HASH };
      const chained = chainBatch(
        head,
        batch,
        (id) => {
          const row = this.byId.get(id) as EventRow | undefined;
          return row && eventFromRow(row);
        },
        () => null,
      );
      const fresh = new Set<StoredEvent>();
      for (const { stored, json } of chained.written) {
        this.insert.run(
          stored.seq,
          stored.id,
          stored.type,
          stored.subject,
          stored.orgId,
          stored.actor,
          stored.reason,
          stored.at,
          json,
          stored.prevHash,
          stored.hash,
        );
        fresh.add(stored);
      }
      return {
        results: chained.results.map((events) =>
          events.map((s) => (fresh.has(s) ? { written: [s.seq, s.id, s.at, s.prevHash, s.hash] as WrittenHeader } : { existing: s })),
        ),
      };
    });
  }

  /** Commits one group; throws (nothing written) if the transaction fails. */
  write(batch: readonly { events: readonly EventToChain[] }[]): WriteResult {
    return this.transaction.immediate(batch);
  }
}

/** Messages between the store and its writer thread. */
export type WriterRequest = { n: number; batch: { events: EventToChain[] }[] } | { n: number; close: true };
export type WriterReply = { n: number; ok: WriteResult } | { n: number; error: { message: string; code?: string } } | { n: number; closed: true };

interface WriterData {
  role: 'vigil-sqlite-writer';
  file: string;
  synchronous: Synchronous;
}

// As a worker thread: serve group commits in the order they arrive.
if (parentPort && (workerData as WriterData | undefined)?.role === 'vigil-sqlite-writer') {
  const port = parentPort;
  const { file, synchronous } = workerData as WriterData;
  const writer = new SqliteWriter(openSqlite(file, synchronous));
  port.on('message', (request: WriterRequest) => {
    if ('close' in request) {
      writer.db.close();
      port.postMessage({ n: request.n, closed: true } satisfies WriterReply);
      port.close();
      return;
    }
    let reply: WriterReply;
    try {
      reply = { n: request.n, ok: writer.write(request.batch) };
    } catch (error) {
      const e = error as { message?: string; code?: string };
      reply = { n: request.n, error: { message: e.message ?? String(error), ...(e.code ? { code: e.code } : {}) } };
    }
    port.postMessage(reply);
  });
}
