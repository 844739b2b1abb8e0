/**
 * What a cluster's nodes share so that a message accepted by one is refused by every
 * other while it could still be replayed: DC-09 frames (account, sequence number,
 * timestamp) inside the receiver's time window. A single node needs none — its own
 * memory is the whole truth (src/alarms/ingest/replay-guard.ts) — so the embedded
 * store has no ledger; on PostgreSQL every node claims in one table.
 */
export interface ReplayLedger {
  /**
   * Claims each key until its expiry (ms since the epoch). Resolves with the keys this
   * call claimed; a key held by anyone (this node or another) and not yet expired is not
   * among them. Rejects when the ledger cannot be reached: the caller must not accept.
   */
  claim(entries: readonly { key: string; expiresAt: number }[], now: number): Promise<Set<string>>;
  /** Gives claimed keys back (the message they named was not made durable after all). */
  release(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
