import type { Readable } from 'node:stream';

/**
 * Files a cluster's nodes share, by content (SHA-256): what one node received, every other
 * can serve, and losing that node loses nothing. On PostgreSQL the bytes are rows of the
 * cluster's schema (src/adapters/stores/postgres/postgres-shared-files.ts); a single node
 * has none — its data folder is the whole truth.
 */
export interface SharedFileStore {
  /**
   * Stores the file at `path` (already hashed and counted by the caller) under its SHA-256 for
   * `holder` (e.g. an artefact id), durably before it resolves; the same content already stored
   * is kept once, with one more holder.
   */
  put(sha256: string, bytes: number, path: string, holder: string): Promise<void>;
  /** The stored bytes, as a stream of pieces, or null when nothing is stored under that hash. */
  open(sha256: string): Promise<Readable | null>;
  /**
   * Lets `holder` go; the bytes are deleted once no holder is left (decided in the store, so a
   * holder another node added meanwhile keeps them). Resolves true when the bytes went.
   */
  release(sha256: string, holder: string): Promise<boolean>;
  /** The holders added before `before` (ms since the epoch): what a pruning pass may weigh. */
  holdersBefore(before: number): Promise<{ sha256: string; holder: string }[]>;
  close(): Promise<void>;
}
