/**
 * Data keys for personal data written to the log (crypto-shredding). The log is
 * immutable and hash-chained, so a person's data cannot be deleted from it; instead
 * each person's data are sealed under a key of their own, kept here, outside the
 * chain. Shredding the key makes every copy of their data in the log, its backups
 * and replicas unreadable, while the chain still verifies.
 *
 * Keys are stored wrapped under the installation key (a dump of the vault alone
 * opens nothing). Both stores implement it: SQLite next to the log, PostgreSQL in
 * the same schema, so every node of a cluster reads the same keys.
 */
export interface KeyVault {
  /**
   * A new random 32-byte key for `subject`, stored before it is returned; an existing key is kept and returned.
   * `at` (epoch ms) marks the key as used then: retention counts from a key's last use (key-vault rows keep it).
   */
  create(subject: string, at?: number): Promise<Buffer>;
  /** `create` for many subjects at once (one transaction where the store has them): a bulk import or the demo's subscribers. */
  createMany?(subjects: readonly string[], at?: number): Promise<Map<string, Buffer>>;
  /** The keys of these subjects that exist (a shredded or unknown subject is absent). */
  get(subjects: readonly string[]): Promise<Map<string, Buffer>>;
  /** Deletes the subject's key for good; true when there was one. */
  shred(subject: string): Promise<boolean>;
  /** Subjects starting with `prefix` whose key was last used before `before` (epoch ms), at most `limit` of them. */
  unusedSince(prefix: string, before: number, limit: number): Promise<string[]>;
  /** Subjects starting with `prefix` (a data subject's records, e.g. `answer:` keys ending in their id are found by the caller). */
  subjects(prefix: string, limit: number): Promise<string[]>;
  close(): Promise<void>;
}

/** For tests and in-memory stores: the same contract, kept in a Map. */
export class MemoryKeyVault implements KeyVault {
  private readonly keys = new Map<string, Buffer>();
  private readonly usedAt = new Map<string, number>();

  constructor(private readonly newKey: () => Buffer) {}

  async create(subject: string, at = Date.now()): Promise<Buffer> {
    let key = this.keys.get(subject);
    if (!key) this.keys.set(subject, (key = this.newKey()));
    this.usedAt.set(subject, Math.max(at, this.usedAt.get(subject) ?? 0));
    return key;
  }

  async unusedSince(prefix: string, before: number, limit: number): Promise<string[]> {
    return [...this.usedAt]
      .filter(([s, at]) => s.startsWith(prefix) && at < before)
      .slice(0, limit)
      .map(([s]) => s);
  }

  async subjects(prefix: string, limit: number): Promise<string[]> {
    return [...this.keys.keys()].filter((s) => s.startsWith(prefix)).slice(0, limit);
  }

  async get(subjects: readonly string[]): Promise<Map<string, Buffer>> {
    return new Map(subjects.flatMap((s) => (this.keys.has(s) ? [[s, this.keys.get(s)!] as const] : [])));
  }

  async shred(subject: string): Promise<boolean> {
    this.usedAt.delete(subject);
    return this.keys.delete(subject);
  }

  async close(): Promise<void> {}
}

/** The first string after every string starting with `prefix` (a range scan on the primary key instead of LIKE). */
export const prefixEnd = (prefix: string): string => prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
