import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { VigilError } from '../../../kernel/errors.js';
import { newId } from '../../../kernel/ids.js';
import { eventHash } from '../../../platform/event-hash.js';
import { GENESIS_HASH, type EventLog, type NewEvent, type ReadOptions, type StoredEvent, type Unsubscribe } from '../../../platform/event-log.js';
import { FollowPump } from '../follow-pump.js';
import { prefixUpperBound, validateNewEvent } from '../event-validation.js';
import { migrateSqlite } from './migrations.js';

export interface SqliteEventLogOptions {
  /** FULL fsyncs every commit (nothing acknowledged is lost on power failure); NORMAL only on checkpoints. */
  synchronous?: 'FULL' | 'NORMAL';
  onError?: (error: unknown) => void;
}

interface Row {
  seq: number;
  id: string;
  type: string;
  subject: string;
  org_id: string | null;
  actor: string;
  reason: string | null;
  at: string;
  data: string;
  prev_hash: string;
  hash: string;
}

interface Pending {
  events: { e: NewEvent; json: string }[];
  resolve: (stored: StoredEvent[]) => void;
  reject: (error: unknown) => void;
}

const fromRow = (r: Row): StoredEvent => ({
  seq: r.seq,
  id: r.id,
  type: r.type,
  subject: r.subject,
  orgId: r.org_id,
  actor: r.actor,
  reason: r.reason,
  at: r.at,
  data: JSON.parse(r.data) as unknown,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/**
 * The embedded event log: one SQLite file in WAL mode. Appends arriving in the
 * same tick are group-committed in one transaction (one fsync for all of them),
 * and each caller's promise resolves only after that commit.
 */
export class SqliteEventLog implements EventLog {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly pump: FollowPump;
  private queue: Pending[] = [];
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
         VALUES (@seq, @id, @type, @subject, @orgId, @actor, @reason, @at, @data, @prevHash, @hash)`,
      ),
      after: this.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    };
    const onError = options.onError ?? ((error: unknown) => console.error('event log follower failed', error));
    this.pump = new FollowPump(async (afterSeq, limit) => this.readSync({ afterSeq, limit }), onError);
  }

  append(events: NewEvent[]): Promise<StoredEvent[]> {
    if (this.closed) return Promise.reject(new VigilError('unavailable', 'the event log is closed'));
    if (events.length === 0) return Promise.resolve([]);
    let validated: Pending['events'];
    try {
      validated = events.map((e) => ({ e, json: validateNewEvent(e) }));
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ events: validated, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** One transaction for everything queued; each caller keeps its events contiguous. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const results: StoredEvent[][] = [];
    const committed: StoredEvent[] = [];
    try {
      this.db
        .transaction(() => {
          const head = this.statements.head.get() as { seq: number; hash: string } | undefined;
          let seq = head?.seq ?? 0;
          let prevHash = head?.hash ?? GENESIS_HASH;
          const seenInBatch = new Map<string, StoredEvent>();
          for (const pending of batch) {
            const out: StoredEvent[] = [];
            for (const { e, json } of pending.events) {
              if (e.id !== undefined) {
                // Idempotent append: a retried event returns what was stored the first time.
                const row = seenInBatch.has(e.id) ? undefined : (this.statements.byId.get(e.id) as Row | undefined);
                const existing = seenInBatch.get(e.id) ?? (row && fromRow(row));
                if (existing) {
                  out.push(existing);
                  continue;
                }
              }
              const fields = {
                seq: ++seq,
                id: e.id ?? newId('evt'),
                type: e.type,
                subject: e.subject,
                orgId: e.orgId,
                actor: e.actor,
                reason: e.reason ?? null,
                at: new Date(e.at ?? Date.now()).toISOString(),
                data: JSON.parse(json) as unknown,
              };
              const hash = eventHash(prevHash, fields);
              const stored: StoredEvent = { ...fields, prevHash, hash };
              this.statements.insert.run({ ...fields, data: json, prevHash, hash });
              prevHash = hash;
              seenInBatch.set(stored.id, stored);
              out.push(stored);
              committed.push(stored);
            }
            results.push(out);
          }
        })
        .immediate();
    } catch (error) {
      // Nothing of this batch is committed: every caller is told, none is acknowledged.
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
    if (committed.length > 0) this.pump.wake(committed);
  }

  async read(options: ReadOptions = {}): Promise<StoredEvent[]> {
    return this.readSync(options);
  }

  private readSync(options: ReadOptions): StoredEvent[] {
    const limit = Math.max(1, Math.min(options.limit ?? 1000, 10_000));
    const afterSeq = options.afterSeq ?? 0;
    if (!options.typePrefixes && !options.subject) {
      return (this.statements.after.all(afterSeq, limit) as Row[]).map(fromRow);
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
    return (this.db.prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...params) as Row[]).map(fromRow);
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
