import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { VigilError } from '../../../kernel/errors.js';
import type { EventLog, NewEvent, ReadOptions, StoredEvent, Unsubscribe } from '../../../platform/event-log.js';
import { clampLimit, enqueueAppend, eventFromRow, type EventRow, type PendingAppend } from '../chain-builder.js';
import { FollowPump } from '../follow-pump.js';
import { prefixUpperBound } from '../event-validation.js';
import { migrateSqlite } from './migrations.js';
import { openSqlite, SqliteWriter, type Synchronous, type WriteResult, type WriterReply, type WriterRequest } from './sqlite-writer.js';
import { tuning } from '../../../kernel/tuning.js';

/** Callers per group handed to the writer thread before the tick ends (measured: bench/marc-pipeline.ts). */
const GROUP_SIZE = tuning('VIGIL_SQLITE_GROUP')!;

export interface SqliteEventLogOptions {
  /** FULL fsyncs every commit (nothing acknowledged is lost on power failure); NORMAL only on checkpoints. */
  synchronous?: Synchronous;
  /** Commit on a worker thread (default for a file): hashing, inserts and fsync leave the main thread. */
  writerThread?: boolean;
  onError?: (error: unknown) => void;
}

/**
 * The embedded event log: one SQLite file in WAL mode. Appends arriving in the
 * same tick are group-committed in one transaction (one fsync for all of them),
 * and each caller's promise resolves only after that commit. Commits run on a
 * writer thread, one group after another, while the next group gathers; reads use
 * the main thread's own connection (WAL lets it read while the writer writes).
 */
export class SqliteEventLog implements EventLog {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly pump: FollowPump;
  private readonly inline: SqliteWriter | null;
  private readonly worker: Worker | null;
  /** Groups handed to the writer thread, by request number, waiting for their commit. */
  private readonly inFlight = new Map<number, { batch: PendingAppend[]; done: (reply: WriterReply) => void }>();
  private requests = 0;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private broken: Error | null = null;
  private readonly statements;
  /** The chain check reads the file from a pool worker (an in-memory database cannot be opened twice). */
  readonly workerReader: { module: URL; input: { file: string } } | null;

  constructor(
    readonly file: string,
    options: SqliteEventLogOptions = {},
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const synchronous = options.synchronous ?? 'FULL';
    this.workerReader = file === ':memory:' ? null : { module: new URL('./sqlite-chain-reader.ts', import.meta.url), input: { file } };
    this.db = openSqlite(file, synchronous);
    migrateSqlite(this.db);
    this.statements = {
      head: this.db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1'),
      after: this.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    };
    const onError = options.onError ?? ((error: unknown) => console.error('event log follower failed', error));
    this.pump = new FollowPump(async (afterSeq, limit) => this.readSync({ afterSeq, limit }), onError);
    if (file === ':memory:' || options.writerThread === false) {
      this.inline = new SqliteWriter(this.db);
      this.worker = null;
    } else {
      this.inline = null;
      this.worker = new Worker(new URL('./sqlite-writer-thread.mjs', import.meta.url), { workerData: { role: 'vigil-sqlite-writer', file, synchronous } });
      this.worker.on('message', (reply: WriterReply) => {
        const pending = this.inFlight.get(reply.n);
        this.inFlight.delete(reply.n);
        pending?.done(reply);
      });
      this.worker.on('error', (error) => this.fail(error));
      this.worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`the event log's writer thread stopped (exit code ${code})`));
      });
      // The writer thread alone must not keep the process alive.
      this.worker.unref();
    }
  }

  append(events: NewEvent[]): Promise<StoredEvent[]> {
    if (this.broken) return Promise.reject(new VigilError('unavailable', `the event log cannot write: ${this.broken.message}`));
    return enqueueAppend(this.closed, events, this.queue, () => {
      // With a writer thread, a full group goes at once so the writer commits it while the rest gathers.
      if (this.worker && this.queue.length >= GROUP_SIZE) return this.flush();
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Hands everything queued to the writer as one group commit; each caller keeps its events contiguous. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const groups = batch.map((p) => ({ events: p.events }));
    if (this.inline) {
      let result: WriteResult;
      try {
        result = this.inline.write(groups);
      } catch (error) {
        for (const p of batch) p.reject(error);
        return;
      }
      this.settle(batch, result);
      return;
    }
    const n = ++this.requests;
    this.inFlight.set(n, {
      batch,
      done: (reply) => {
        if ('ok' in reply) this.settle(batch, reply.ok);
        // Nothing of this group is committed: every caller is told, none is acknowledged.
        else if ('error' in reply)
          for (const p of batch) p.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}));
      },
    });
    this.worker!.ref();
    this.worker!.postMessage({ n, batch: groups } satisfies WriterRequest);
  }

  /** The commit is durable: rebuild each caller's stored events (data from the text it already has) and wake followers. */
  private settle(batch: PendingAppend[], result: WriteResult): void {
    if (this.inFlight.size === 0) this.worker?.unref();
    const written: StoredEvent[] = [];
    const byId = new Map<string, StoredEvent>();
    batch.forEach((p, i) => {
      const outcomes = result.results[i]!;
      p.resolve(
        outcomes.map((o, j) => {
          if ('existing' in o) return o.existing;
          const [seq, id, at, prevHash, hash] = o.written;
          // An id repeated within the group: the caller gets the first one back.
          const first = byId.get(id);
          if (first) return first;
          const { e, json } = p.events[j]!;
          const stored: StoredEvent = {
            seq,
            id,
            type: e.type,
            subject: e.subject,
            orgId: e.orgId,
            actor: e.actor,
            reason: e.reason ?? null,
            at,
            data: JSON.parse(json) as unknown,
            prevHash,
            hash,
          };
          byId.set(id, stored);
          written.push(stored);
          return stored;
        }),
      );
    });
    if (written.length > 0) this.pump.wake(written);
  }

  /** The writer thread died: nothing in flight was committed as far as anyone can tell; refuse from now on. */
  private fail(error: Error): void {
    this.broken ??= error;
    for (const { batch } of this.inFlight.values())
      for (const p of batch) p.reject(new VigilError('unavailable', `the event log cannot write: ${error.message}`));
    this.inFlight.clear();
  }

  async read(options: ReadOptions = {}): Promise<StoredEvent[]> {
    return this.readSync(options);
  }

  private readSync(options: ReadOptions): StoredEvent[] {
    const limit = clampLimit(options.limit);
    const afterSeq = options.afterSeq ?? 0;
    if (!options.typePrefixes && !options.subject) {
      return (this.statements.after.all(afterSeq, limit) as EventRow[]).map(eventFromRow);
    }
    const where = ['seq > ?'];
    const params: unknown[] = [afterSeq];
    if (options.subject !== undefined) {
      where.push('subject = ?');
      params.push(options.subject);
    }
    if (options.typePrefixes) {
      if (options.typePrefixes.length === 0) return [];
      where.push(`(${options.typePrefixes.map(() => '(type >= ? AND type < ?)').join(' OR ')})`);
      for (const p of options.typePrefixes) params.push(p, prefixUpperBound(p));
    }
    params.push(limit);
    return (this.db.prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...params) as EventRow[]).map(eventFromRow);
  }

  async lastSeq(): Promise<number> {
    return (this.statements.head.get() as { seq: number } | undefined)?.seq ?? 0;
  }

  follow(afterSeq: number, handler: (events: StoredEvent[]) => void | Promise<void>): Unsubscribe {
    return this.pump.follow(afterSeq, handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.flush();
    this.closed = true;
    if (this.worker) {
      // Let queued groups commit, then close the writer's connection before ours.
      const worker = this.worker;
      await new Promise<void>((resolve) => {
        const n = ++this.requests;
        this.inFlight.set(n, { batch: [], done: () => resolve() });
        worker.on('exit', () => resolve());
        worker.ref();
        worker.postMessage({ n, close: true } satisfies WriterRequest);
      });
      await worker.terminate();
    }
    this.pump.close();
    this.db.close();
  }
}
