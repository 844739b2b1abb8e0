/**
 * The durable event log: every fact that enters Vigil is appended here before it is
 * acknowledged to whoever sent it. Read models (projections) are built from it and
 * the audit trail *is* this log: each event carries the hash of its predecessor.
 *
 * Two interchangeable backends implement it (src/adapters/stores/sqlite and
 * …/postgres) and pass the same contract suite (event-log.conformance.ts).
 */
export interface NewEvent<D = unknown> {
  /** Dotted, past tense, capability first: 'identity.user.created', 'city.features.imported'. */
  type: string;
  /** What the event is about: '<kind>:<id>', e.g. 'user:usr_01J…', 'org:org_01J…'. */
  subject: string;
  /** Owning organisation (data ownership and sharing); null for platform-wide facts. */
  orgId: string | null;
  /** Who caused it: 'user:<id>', 'apikey:<id>', 'device:<id>', 'system'. */
  actor: string;
  /** Why, in the operator's words, when they gave a reason. */
  reason?: string | null;
  data: D;
  /** Client-chosen id for idempotent appends; generated when absent. */
  id?: string;
  /** When it happened (epoch ms); defaults to the time of append. */
  at?: number;
}

export interface StoredEvent<D = unknown> {
  seq: number;
  id: string;
  type: string;
  subject: string;
  orgId: string | null;
  actor: string;
  reason: string | null;
  /** ISO 8601 UTC */
  at: string;
  data: D;
  /** sha256 hex of the previous event's hash and this event's canonical content. */
  prevHash: string;
  hash: string;
}

export interface ReadOptions {
  /** Return events with seq strictly greater than this. */
  afterSeq?: number;
  limit?: number;
  /** Type prefixes: 'identity.' matches every identity event. */
  typePrefixes?: string[];
  subject?: string;
}

export type Unsubscribe = () => void;

export interface EventLog {
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Append in order, as one atomic unit. Resolves only after the events are durable
   * (committed; with SQLite synchronous=FULL, fsynced). Concurrent callers are
   * group-committed into one transaction.
   */
  append(events: NewEvent[]): Promise<StoredEvent[]>;
  read(options?: ReadOptions): Promise<StoredEvent[]>;
  lastSeq(): Promise<number>;
  /**
   * Deliver every event after `afterSeq`, in seq order, then every later one as it
   * is committed — also those appended by other Vigil nodes sharing the store.
   */
  follow(afterSeq: number, handler: (events: StoredEvent[]) => void | Promise<void>): Unsubscribe;
  close(): Promise<void>;
  /**
   * How a worker thread opens its own reader of this log (a module exporting
   * `openChainReader(input): ChainReader`), or absent: the whole-log hash-chain check
   * then reads on the main thread and only hashes in the pool.
   */
  readonly workerReader?: { module: URL; input: unknown } | null;
}

/** A reader of the log opened inside a worker thread (EventLog.workerReader): SQLite's is synchronous, PostgreSQL's not. */
export interface ChainReader {
  read(afterSeq: number, limit: number): StoredEvent[] | Promise<StoredEvent[]>;
  close(): void | Promise<void>;
}

/** Hash of the (virtual) event before the first one. */
export const GENESIS_HASH = '0'.repeat(64);
