import pg from 'pg';
import { VigilError } from '../../../kernel/errors.js';
import type { EventLog, NewEvent, ReadOptions, StoredEvent, Unsubscribe } from '../../../platform/event-log.js';
import { chainBatch, clampLimit, enqueueAppend, eventFromRow, type EventRow, type PendingAppend } from '../chain-builder.js';
import { prefixUpperBound } from '../event-validation.js';
import { FollowPump } from '../follow-pump.js';
import { assertSchemaName, migratePostgres } from './migrations.js';

export interface PostgresEventLogOptions {
  connectionString: string;
  schema: string;
  poolSize?: number;
  /** Safety net for followers if a NOTIFY is missed (listener reconnecting). */
  pollIntervalMs?: number;
  onError?: (error: unknown) => void;
}

/** Rows per INSERT statement (11 parameters each; PostgreSQL allows 65 535). */
const INSERT_CHUNK = 5000;

/**
 * The scale-out event log: several Vigil nodes append to one PostgreSQL database.
 * Each group commit locks the single chain-head row, so sequence numbers stay
 * contiguous and the hash chain linear across nodes; a NOTIFY sent on commit wakes
 * every node's followers, with a periodic poll as a safety net.
 */
export class PostgresEventLog implements EventLog {
  readonly backend = 'postgres' as const;
  private queue: PendingAppend[] = [];
  private flushing = false;
  private closed = false;
  private readonly pump: FollowPump;
  private listener: pg.Client | null = null;
  private listenerRetry: NodeJS.Timeout | null = null;
  private readonly poll: NodeJS.Timeout;
  private readonly channel: string;
  private readonly t: string;
  /** The hash-chain check reads the log in a pool worker over its own connection (postgres-chain-reader.ts). */
  readonly workerReader: { module: URL; input: { connectionString: string; schema: string } };

  static async open(options: PostgresEventLogOptions): Promise<PostgresEventLog> {
    assertSchemaName(options.schema);
    const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
    // An idle client's network error must not crash the process; queries report their own.
    pool.on('error', (error) => (options.onError ?? console.error)(error));
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, options.schema);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw new VigilError('unavailable', `cannot open the PostgreSQL store: ${(error as Error).message}`);
    }
    const log = new PostgresEventLog(pool, options);
    await log.listen();
    return log;
  }

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresEventLogOptions,
  ) {
    this.t = `${options.schema}.events`;
    this.workerReader = {
      module: new URL('./postgres-chain-reader.ts', import.meta.url),
      input: { connectionString: options.connectionString, schema: options.schema },
    };
    this.channel = `vigil_events_${options.schema}`;
    const onError = options.onError ?? ((error: unknown) => console.error('event log follower failed', error));
    this.pump = new FollowPump((afterSeq, limit) => this.read({ afterSeq, limit }), onError);
    this.poll = setInterval(() => {
      if (this.pump.size > 0) this.pump.wake();
    }, options.pollIntervalMs ?? 1000);
    this.poll.unref();
  }

  append(events: NewEvent[]): Promise<StoredEvent[]> {
    return enqueueAppend(this.closed, events, this.queue, () => void this.flushLoop());
  }

  /** One commit in flight at a time; whatever queued meanwhile goes in the next one. */
  private async flushLoop(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        await this.commit(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async commit(batch: PendingAppend[]): Promise<void> {
    let client: pg.PoolClient | null = null;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      const head = await client.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${this.options.schema}.chain_head FOR UPDATE`);
      const ids = batch.flatMap((p) => p.events.map(({ e }) => e.id).filter((id): id is string => id !== undefined));
      const existing = new Map<string, StoredEvent>();
      if (ids.length > 0) {
        const found = await client.query<EventRow>(`SELECT * FROM ${this.t} WHERE id = ANY($1::text[])`, [ids]);
        for (const row of found.rows) existing.set(row.id, eventFromRow(row));
      }
      const chained = chainBatch({ seq: Number(head.rows[0]!.seq), hash: head.rows[0]!.hash }, batch, (id) => existing.get(id));
      for (let i = 0; i < chained.written.length; i += INSERT_CHUNK) {
        await this.insertRows(client, chained.written.slice(i, i + INSERT_CHUNK));
      }
      if (chained.written.length > 0) {
        await client.query(`UPDATE ${this.options.schema}.chain_head SET seq = $1, hash = $2`, [chained.head.seq, chained.head.hash]);
        // Delivered to listeners on every node only when the transaction commits.
        await client.query('SELECT pg_notify($1, $2)', [this.channel, String(chained.head.seq)]);
      }
      await client.query('COMMIT');
      client.release();
      client = null;
      batch.forEach((p, i) => p.resolve(chained.results[i]!));
      if (chained.written.length > 0) this.pump.wake(chained.written.map((w) => w.stored));
    } catch (error) {
      if (client) {
        await client.query('ROLLBACK').catch(() => {});
        client.release(true);
      }
      // If COMMIT itself failed the outcome is unknown; callers retry with the same
      // event ids, which the idempotent append turns into the stored originals.
      const reported = error instanceof VigilError ? error : new VigilError('unavailable', `event store write failed: ${(error as Error).message}`);
      for (const p of batch) p.reject(reported);
    }
  }

  private async insertRows(client: pg.PoolClient, rows: { stored: StoredEvent; json: string }[]): Promise<void> {
    const cols = 11;
    const values: unknown[] = [];
    const tuples = rows.map(({ stored: s, json }, r) => {
      values.push(s.seq, s.id, s.type, s.subject, s.orgId, s.actor, s.reason, s.at, json, s.prevHash, s.hash);
      return `(${Array.from({ length: cols }, (_, c) => `$${r * cols + c + 1}`).join(',')})`;
    });
    await client.query(`INSERT INTO ${this.t} (seq, id, type, subject, org_id, actor, reason, at, data, prev_hash, hash) VALUES ${tuples.join(',')}`, values);
  }

  async read(options: ReadOptions = {}): Promise<StoredEvent[]> {
    const where = ['seq > $1'];
    const params: unknown[] = [options.afterSeq ?? 0];
    if (options.subject !== undefined) {
      params.push(options.subject);
      where.push(`subject = $${params.length}`);
    }
    if (options.typePrefixes) {
      if (options.typePrefixes.length === 0) return [];
      const ranges = options.typePrefixes.map((p) => {
        params.push(p, prefixUpperBound(p));
        return `(type >= $${params.length - 1} AND type < $${params.length})`;
      });
      where.push(`(${ranges.join(' OR ')})`);
    }
    params.push(clampLimit(options.limit));
    const { rows } = await this.pool.query<EventRow>(`SELECT * FROM ${this.t} WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${params.length}`, params);
    return rows.map(eventFromRow);
  }

  async lastSeq(): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string }>(`SELECT seq FROM ${this.options.schema}.chain_head`);
    return Number(rows[0]?.seq ?? 0);
  }

  follow(afterSeq: number, handler: (events: StoredEvent[]) => void | Promise<void>): Unsubscribe {
    return this.pump.follow(afterSeq, handler);
  }

  /** A dedicated connection LISTENs for commits of every node; it reconnects on loss. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('notification', () => this.pump.wake());
    client.on('error', () => {
      if (this.listener === client) this.listener = null;
      void client.end().catch(() => {});
      this.scheduleListen();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      this.listener = client;
      this.pump.wake(); // catch up on whatever committed while not listening
    } catch {
      void client.end().catch(() => {});
      this.scheduleListen();
    }
  }

  private scheduleListen(): void {
    if (this.closed || this.listenerRetry) return;
    this.listenerRetry = setTimeout(() => {
      this.listenerRetry = null;
      void this.listen();
    }, 1000);
    this.listenerRetry.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poll);
    if (this.listenerRetry) clearTimeout(this.listenerRetry);
    while (this.flushing || this.queue.length > 0) {
      await this.flushLoop();
      await new Promise((r) => setTimeout(r, 5));
    }
    this.pump.close();
    await this.listener?.end().catch(() => {});
    await this.pool.end();
  }
}
