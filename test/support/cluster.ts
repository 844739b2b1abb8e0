import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import type { Clock } from '../../src/kernel/time.js';
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
      // A test of PostgreSQL alone may run without NATS: then there is no stream to delete.
      const { connect } = await import('nats');
      const nc = await connect({ servers: NATS_URL }).catch(() => null);
      if (!nc) return;
      await (await nc.jetstreamManager()).streams.delete(isolation.streamName).catch(() => {});
      await nc.close();
    },
  };
}

export interface TestCluster {
  /** The nodes, started one after the other: `a`, `b`, … (the first one leads). */
  nodes: RunningVigil[];
  tag: string;
  /** The cluster's PostgreSQL schema, NATS stream and subject prefix. */
  isolation: { pgSchema: string; streamName: string; subjectPrefix: string };
  /** Stops one node (a failover); `close` leaves it alone afterwards. */
  stop(node: RunningVigil): Promise<void>;
  /** Stops every node still running (the last started first), then drops the schema, stream and folders. */
  close(): Promise<void>;
}

/**
 * Several Vigil nodes on the real PostgreSQL and NATS JetStream, isolated by `clusterIsolation`:
 * the settings every scale-out test shares (listeners off unless `env` opens them, silent logs,
 * one secret key for all nodes) with `env` on top. With `demo`, the first node loads the demo
 * city on the empty store (its published password allowed on this loopback cluster) and the
 * others join it; `await cluster.nodes[0].demoLoaded` before using it.
 */
export async function startCluster(
  name: string,
  options: { nodes?: number; env?: Record<string, string>; clock?: Clock; demo?: boolean } = {},
): Promise<TestCluster> {
  const cluster = clusterIsolation(name);
  const base = {
    ...loadConfig({
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_DATABASE_URL: POSTGRES_URL,
      VIGIL_NATS_URL: NATS_URL,
      VIGIL_SECRET_KEY: 'c0ffee'.repeat(10) + 'c0ff',
      ...(options.demo ? { VIGIL_DEMO_ALLOW_DATABASE: 'true' } : {}),
      ...options.env,
    }),
    port: 0,
    host: '127.0.0.1',
  };
  const nodes: RunningVigil[] = [];
  const stopped = new Set<RunningVigil>();
  const close = async (): Promise<void> => {
    for (const node of [...nodes].reverse()) if (!stopped.has(node)) await node.close();
    await cluster.drop();
  };
  try {
    for (let i = 0; i < (options.nodes ?? 2); i++) {
      const config = { ...base, dataDir: cluster.dataDir(), nodeId: String.fromCharCode(97 + i), demoOnEmpty: options.demo === true && i === 0 };
      nodes.push(await serveVigil(config, { ...cluster.isolation, ...(options.clock ? { clock: options.clock } : {}) }));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    nodes,
    tag: cluster.tag,
    isolation: cluster.isolation,
    stop: async (node) => {
      stopped.add(node);
      await node.close();
    },
    close,
  };
}
