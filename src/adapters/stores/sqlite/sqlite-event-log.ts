import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { GENESIS_HASH, type EventLog, type NewEvent, type ReadOptions, type StoredEvent, type Unsubscribe } from '../../../platform/event-log.js';
import { chainBatch, clampLimit, enqueueAppend, eventFromRow, type ChainedBatch, type EventRow, type PendingAppend } from '../chain-builder.js';
import { FollowPump } from '../follow-pump.js';
import { prefixUpperBound } from '../event-validation.js';
import { migrateSqlite } from './migrations.js';

export interface SqliteEventLogOptions {
  /** FULL fsyncs every commit (nothing acknowledged is lost on power failure); NORMAL only on checkpoints. */
  synchronous?: 'FULL' | 'NORMAL';
  onError?: (error: unknown) => void;
}

/**
 * The embedded event log: one SQLite file in WAL mode. Appends arriving in the
 * same tick are group-committed in one transaction (one fsync for all of them),
 * and each caller's promise resolves only after that commit.
 */
export class SqliteEventLog implements EventLog {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly pump: FollowPump;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly statements;

  constructor(readonly file: string, options: SqliteEventLogOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    migrateSqlite(this.db);
    this.statements = {
      head: this.db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1'),
      byId: this.db.prepare('SELECT * FROM events WHERE id = ?'),
      insert: this.db.prepare(
        `INSERT INTO events (seq, id, type, subject, org_id, actor, reason, at, data, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      after: this.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    };
    const onError = options.onError ?? ((error: unknown) => console.error('event log follower failed', error));
    this.pump = new FollowPump(async (afterSeq, limit) => this.readSync({ afterSeq, limit }), onError);
  }

  append(events: NewEvent[]): Promise<StoredEvent[]> {
    return enqueueAppend(this.closed, events, this.queue, () => {
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** One transaction for everything queued; each caller keeps its events contiguous. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let chained: ChainedBatch;
    try {
      chained = this.db
        .transaction(() => {
          const head = (this.statements.head.get() as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: GENESIS_HASH };
          const result = chainBatch(head, batch, (id) => {
            const row = this.statements.byId.get(id) as EventRow | undefined;
            return row && eventFromRow(row);
          });
          for (const { stored, json } of result.written) {
            this.statements.insert.run(stored.seq, stored.id, stored.type, stored.subject, stored.orgId, stored.actor, stored.reason, stored.at, json, stored.prevHash, stored.hash);
          }
          return result;
        })
        .immediate();
    } catch (error) {
      // Nothing of this batch is committed: every caller is told, none is acknowledged.
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => p.resolve(chained.results[i]!));
    if (chained.written.length > 0) this.pump.wake(chained.written.map((w) => w.stored));
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
    this.closed = true;
    if (this.queue.length > 0) this.flush();
    this.pump.close();
    this.db.close();
  }
}
