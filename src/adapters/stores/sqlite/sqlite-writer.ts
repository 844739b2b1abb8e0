import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
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

// As a worker thread: serve group commits in the order they arrive. The groups that
// queued while the last commit ran (its fsync) go into one transaction together — one
// fsync for all of them — and each is answered once that transaction is durable. If the
// shared transaction fails, each group is tried alone, so one group's error is its own.
if (parentPort && (workerData as WriterData | undefined)?.role === 'vigil-sqlite-writer') {
  const port = parentPort;
  const { file, synchronous } = workerData as WriterData;
  const writer = new SqliteWriter(openSqlite(file, synchronous));
  const failure = (n: number, error: unknown): WriterReply => {
    const e = error as { message?: string; code?: string };
    return { n, error: { message: e.message ?? String(error), ...(e.code ? { code: e.code } : {}) } };
  };
  const commit = (requests: { n: number; batch: { events: EventToChain[] }[] }[]): void => {
    if (requests.length === 0) return;
    if (requests.length > 1) {
      let result: WriteResult | null;
      try {
        result = writer.write(requests.flatMap((r) => r.batch));
      } catch {
        result = null;
      }
      if (result) {
        let at = 0;
        for (const r of requests) {
          port.postMessage({ n: r.n, ok: { results: result.results.slice(at, at + r.batch.length) } } satisfies WriterReply);
          at += r.batch.length;
        }
        return;
      }
    }
    for (const r of requests) {
      let reply: WriterReply;
      try {
        reply = { n: r.n, ok: writer.write(r.batch) };
      } catch (error) {
        reply = failure(r.n, error);
      }
      port.postMessage(reply);
    }
  };
  port.on('message', (first: WriterRequest) => {
    const requests: { n: number; batch: { events: EventToChain[] }[] }[] = [];
    for (let request: WriterRequest | undefined = first; request; request = receiveMessageOnPort(port)?.message as WriterRequest | undefined) {
      if ('close' in request) {
        commit(requests);
        writer.db.close();
        port.postMessage({ n: request.n, closed: true } satisfies WriterReply);
        port.close();
        return;
      }
      requests.push(request);
    }
    commit(requests);
  });
}
