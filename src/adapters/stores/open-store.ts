import { join } from 'node:path';
import type { VigilConfig } from '../../kernel/config.js';
import type { EventLog } from '../../platform/event-log.js';
import { PostgresEventLog } from './postgres/postgres-event-log.js';
import { SqliteEventLog } from './sqlite/sqlite-event-log.js';

export interface OpenStoreOptions {
  /** PostgreSQL schema (test isolation, or several Vigil installations in one database). */
  pgSchema?: string;
}

/**
 * Chooses the store from configuration: PostgreSQL when VIGIL_DATABASE_URL is set
 * (several nodes share it), otherwise the embedded SQLite file in the data folder.
 * Opening applies pending schema migrations.
 */
export async function openEventLog(config: VigilConfig, options: OpenStoreOptions = {}): Promise<EventLog> {
  if (config.databaseUrl) {
    return PostgresEventLog.open({ connectionString: config.databaseUrl, schema: options.pgSchema ?? 'vigil' });
  }
  return new SqliteEventLog(join(config.dataDir, 'vigil.sqlite'), { synchronous: config.sqliteSynchronous });
}
