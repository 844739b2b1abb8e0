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
  /** A new random 32-byte key for `subject`, stored before it is returned; an existing key is kept and returned. */
  create(subject: string): Promise<Buffer>;
  /** The keys of these subjects that exist (a shredded or unknown subject is absent). */
  get(subjects: readonly string[]): Promise<Map<string, Buffer>>;
  /** Deletes the subject's key for good; true when there was one. */
  shred(subject: string): Promise<boolean>;
  close(): Promise<void>;
}

/** For tests and in-memory stores: the same contract, kept in a Map. */
export class MemoryKeyVault implements KeyVault {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly newKey: () => Buffer) {}

  async create(subject: string): Promise<Buffer> {
    let key = this.keys.get(subject);
    if (!key) this.keys.set(subject, (key = this.newKey()));
    return key;
  }

  async get(subjects: readonly string[]): Promise<Map<string, Buffer>> {
    return new Map(subjects.flatMap((s) => (this.keys.has(s) ? [[s, this.keys.get(s)!] as const] : [])));
  }

  async shred(subject: string): Promise<boolean> {
    return this.keys.delete(subject);
  }

  async close(): Promise<void> {}
}
