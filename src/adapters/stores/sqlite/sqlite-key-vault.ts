import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SecretBox } from '../../../kernel/secrets.js';
import { prefixEnd, type KeyVault } from '../../../platform/key-vault.js';
import { openSqlite, type Synchronous } from './sqlite-writer.js';

/**
 * Personal-data keys in the SQLite file beside the log, on a connection of their
 * own. secure_delete overwrites a shredded key's bytes instead of leaving them in
 * a free page.
 */
export class SqliteKeyVault implements KeyVault {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(
    file: string,
    private readonly secrets: SecretBox,
    synchronous: Synchronous = 'FULL',
  ) {
    this.db = openSqlite(file, synchronous);
    this.db.pragma('secure_delete = ON');
    this.db.exec('CREATE TABLE IF NOT EXISTS personal_keys (subject TEXT PRIMARY KEY, wrapped TEXT NOT NULL) WITHOUT ROWID');
    // Retention counts from a key's last use; keys made before it was recorded count from the upgrade.
    const columns = this.db.prepare<[], { name: string }>('PRAGMA table_info(personal_keys)').all();
    if (!columns.some((c) => c.name === 'used_at')) {
      this.db.exec('ALTER TABLE personal_keys ADD COLUMN used_at INTEGER');
      this.db.prepare('UPDATE personal_keys SET used_at = ? WHERE used_at IS NULL').run(Date.now());
      this.db.exec('CREATE INDEX IF NOT EXISTS personal_keys_used_at ON personal_keys (used_at)');
    }
    this.statements = {
      insert: this.db.prepare(
        'INSERT INTO personal_keys (subject, wrapped, used_at) VALUES (?, ?, ?) ON CONFLICT (subject) DO UPDATE SET used_at = max(coalesce(used_at, 0), excluded.used_at)',
      ),
      unused: this.db.prepare<[string, string, number, number], { subject: string }>(
        'SELECT subject FROM personal_keys WHERE subject >= ? AND subject < ? AND used_at < ? LIMIT ?',
      ),
      subjects: this.db.prepare<[string, string, number], { subject: string }>('SELECT subject FROM personal_keys WHERE subject >= ? AND subject < ? LIMIT ?'),
      one: this.db.prepare<[string], { wrapped: string }>('SELECT wrapped FROM personal_keys WHERE subject = ?'),
      delete: this.db.prepare('DELETE FROM personal_keys WHERE subject = ?'),
    };
  }

  /**
   * Keys asked for in the same turn of the event loop are written in one transaction: one commit
   * (one fsync) for all of them instead of one each on the main thread — a burst of registrations
   * (the demo's thousands of subscribers, a flood of public sign-ups) cost seconds of blocked loop.
   */
  async create(subject: string, at = Date.now()): Promise<Buffer> {
    const wrapped = this.secrets.seal(randomBytes(32).toString('base64'));
    await new Promise<void>((resolve, reject) => {
      this.pendingCreates.push({ subject, wrapped, at, resolve, reject });
      if (this.pendingCreates.length === 1) setImmediate(() => this.flushCreates());
    });
    return (await this.get([subject])).get(subject)!;
  }

  private pendingCreates: { subject: string; wrapped: string; at: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  /** Transactions that wrote created keys (tests: a burst is one). */
  createCommits = 0;

  private flushCreates(): void {
    const batch = this.pendingCreates;
    this.pendingCreates = [];
    try {
      this.db.transaction(() => {
        for (const c of batch) this.statements.insert.run(c.subject, c.wrapped, c.at);
      })();
      this.createCommits++;
    } catch (error) {
      for (const c of batch) c.reject(error);
      return;
    }
    for (const c of batch) c.resolve();
  }

  /** One transaction, so one sync to disk for all of them (the demo's two thousand subscribers). */
  async createMany(subjects: readonly string[], at = Date.now()): Promise<Map<string, Buffer>> {
    // The keys made here are returned as made (not read back and unwrapped again); a subject that already
    // had one keeps it and gets it from the vault, as `create` does.
    const made = new Map<string, Buffer>();
    const existing: string[] = [];
    this.db.transaction(() => {
      for (const subject of subjects) {
        if (made.has(subject)) continue;
        const row = this.statements.one.get(subject);
        const key = row ? null : randomBytes(32);
        if (key) made.set(subject, key);
        else existing.push(subject);
        // An existing key is kept (the upsert only marks it used now).
        this.statements.insert.run(subject, key ? this.secrets.seal(key.toString('base64')) : (row?.wrapped ?? ''), at);
      }
    })();
    if (existing.length === 0) return made;
    for (const [subject, key] of await this.get(existing)) made.set(subject, key);
    return made;
  }

  async unusedSince(prefix: string, before: number, limit: number): Promise<string[]> {
    return this.statements.unused.all(prefix, prefixEnd(prefix), before, limit).map((r) => r.subject);
  }

  async subjects(prefix: string, limit: number): Promise<string[]> {
    return this.statements.subjects.all(prefix, prefixEnd(prefix), limit).map((r) => r.subject);
  }

  async get(subjects: readonly string[]): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    for (const subject of subjects) {
      const row = this.statements.one.get(subject);
      const plain = row ? this.secrets.open(row.wrapped) : null;
      if (plain) keys.set(subject, Buffer.from(plain, 'base64'));
    }
    return keys;
  }

  async shred(subject: string): Promise<boolean> {
    return this.statements.delete.run(subject).changes > 0;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
