import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { NATS_URL, POSTGRES_URL } from './services.js';

/**
 * An isolated place on the real PostgreSQL and NATS for one scale-out test: its own
 * schema, stream and subject prefix, and a data folder per node; `drop` removes them.
 */
export function clusterIsolation(name: string): {
  tag: string;
  isolation: { pgSchema: string; streamName: string; subjectPrefix: string };
  dataDir: () => string;
  drop: () => Promise<void>;
} {
  const tag = `${name}${process.pid}${Date.now().toString(36)}`;
  const isolation = { pgSchema: `vigil_${tag}`, streamName: `TEST_${tag}`, subjectPrefix: `t_${tag}` };
  const dirs: string[] = [];
  return {
    tag,
    isolation,
    dataDir: () => {
      const dir = mkdtempSync(join(tmpdir(), `vigil-${name}-`));
      dirs.push(dir);
      return dir;
    },
    drop: async () => {
      dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${isolation.pgSchema} CASCADE`);
      await client.end();
      const { connect } = await import('nats');
      const nc = await connect({ servers: NATS_URL });
      await (await nc.jetstreamManager()).streams.delete(isolation.streamName).catch(() => {});
      await nc.close();
    },
  };
}
