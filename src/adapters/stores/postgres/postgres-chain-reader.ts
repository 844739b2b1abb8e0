import pg from 'pg';
import type { ChainReader } from '../../../platform/event-log.js';
import { eventFromRow, type EventRow } from '../chain-builder.js';
import { assertSchemaName } from './migrations.js';

/**
 * Opened inside a pool worker by the hash-chain check (platform/chain-verifier.ts):
 * its own connection to the database, so reading, decoding and hashing the whole
 * log happen off the main thread (the node's pool is not used, so appends never
 * wait for the walk). One snapshot for the whole walk (REPEATABLE READ, read only):
 * appends made meanwhile are not half seen.
 */
export async function openChainReader(input: { connectionString: string; schema: string }): Promise<ChainReader> {
  assertSchemaName(input.schema);
  const client = new pg.Client({ connectionString: input.connectionString, application_name: 'vigil-chain-walk' });
  // A network error on this connection fails the walk, not the worker thread.
  client.on('error', () => {});
  await client.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const table = `${input.schema}.events`;
  return {
    read: async (afterSeq, limit) => {
      const { rows } = await client.query<EventRow>(`SELECT * FROM ${table} WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
      return rows.map(eventFromRow);
    },
    close: async () => {
      await client.query('ROLLBACK').catch(() => {});
      await client.end().catch(() => {});
    },
  };
}
