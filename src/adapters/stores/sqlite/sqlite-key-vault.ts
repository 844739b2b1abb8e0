import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SecretBox } from '../../../kernel/secrets.js';
import type { KeyVault } from '../../../platform/key-vault.js';
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
    this.statements = {
      insert: this.db.prepare('INSERT INTO personal_keys (subject, wrapped) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING'),
      one: this.db.prepare<[string], { wrapped: string }>('SELECT wrapped FROM personal_keys WHERE subject = ?'),
      delete: this.db.prepare('DELETE FROM personal_keys WHERE subject = ?'),
    };
  }

  async create(subject: string): Promise<Buffer> {
    this.statements.insert.run(subject, this.secrets.seal(randomBytes(32).toString('base64')));
    return (await this.get([subject])).get(subject)!;
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
