import { join } from 'node:path';
import type { VigilConfig } from '../../kernel/config.js';
import type { SecretBox } from '../../kernel/secrets.js';
import type { EventLog } from '../../platform/event-log.js';
import type { KeyVault } from '../../platform/key-vault.js';
import { SqliteKeyVault } from './sqlite/sqlite-key-vault.js';
import { SqliteEventLog } from './sqlite/sqlite-event-log.js';

export interface OpenStoreOptions {
  /** PostgreSQL schema (test isolation, or several Vigil installations in one database). */
  pgSchema?: string;
}

/**
 * Chooses the store from configuration: PostgreSQL when VIGIL_DATABASE_URL is set
 * (several nodes share it), otherwise the embedded SQLite file in the data folder.
 * Opening applies pending schema migrations. The PostgreSQL adapters (and the pg driver) load only
 * when chosen: a SQLite node starts faster without them.
 */
export async function openEventLog(config: VigilConfig, options: OpenStoreOptions = {}): Promise<EventLog> {
  if (config.databaseUrl) {
    const { PostgresEventLog } = await import('./postgres/postgres-event-log.js');
    return PostgresEventLog.open({ connectionString: config.databaseUrl, schema: options.pgSchema ?? 'vigil' });
  }
  return new SqliteEventLog(join(config.dataDir, 'vigil.sqlite'), { synchronous: config.sqliteSynchronous });
}

/** The personal-data key vault beside the log: the same database, outside the hash chain. */
export async function openKeyVault(config: VigilConfig, secrets: SecretBox, options: OpenStoreOptions = {}): Promise<KeyVault> {
  if (config.databaseUrl) {
    const { PostgresKeyVault } = await import('./postgres/postgres-key-vault.js');
    return PostgresKeyVault.open(config.databaseUrl, options.pgSchema ?? 'vigil', secrets);
  }
  return new SqliteKeyVault(join(config.dataDir, 'vigil.sqlite'), secrets, config.sqliteSynchronous);
}
