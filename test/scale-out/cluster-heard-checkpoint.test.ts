import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dc09Framer } from '../../src/adapters/protocols/dc09/dc09-framer.js';
import { frameOf } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import { ManualClock } from '../../src/kernel/time.js';
import { clusterIsolation } from '../support/cluster.js';
import { NATS_URL, POSTGRES_URL, requireNats, requirePostgres } from '../support/services.js';

const until = async (check: () => boolean, what: string, ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

async function poll(node: RunningVigil, account: string, seq: number): Promise<void> {
  const frame = new Dc09Framer().push(frameOf(`"NULL"${String(seq).padStart(4, '0')}L0#${account}[]`)).frames[0]!;
  assert.match((await node.capabilities.alarms.ingest.dc09.handleDc09(frame, 'test'))!.toString('latin1'), /"ACK"/);
}

/**
 * Issue 14: the heard state is the cluster's. The leader saves it in PostgreSQL (every few
 * seconds and as it stops); the node that takes over starts from it — a path polled on a
 * follower keeps its deadline across the failover, and a silent one stays due when it was.
 */
test('cluster: the next leader starts from the heard state the previous one saved', async (t) => {
  if (!(await requirePostgres(t)) || !(await requireNats(t))) return;
  const cluster = clusterIsolation('heard');
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 12, 0, 0));
  const base = {
    ...loadConfig({
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_DATABASE_URL: POSTGRES_URL,
      VIGIL_NATS_URL: NATS_URL,
      VIGIL_SECRET_KEY: 'c0ffee'.repeat(10) + 'c0ff',
    }),
    port: 0,
    host: '127.0.0.1',
    demoOnEmpty: false,
  };
  const a = await serveVigil({ ...base, dataDir: cluster.dataDir(), nodeId: 'a' }, { ...cluster.isolation, clock });
  const b = await serveVigil({ ...base, dataDir: cluster.dataDir(), nodeId: 'b' }, { ...cluster.isolation, clock });
  let aClosed = false;
  try {
    assert.equal(a.ctx.leadership.isLeader(), true, 'the first node leads');
    const t0 = clock.now();
    for (const account of ['9A01', '9A02']) await a.capabilities.alarms.plans.configureAccount({ account, supervisionSeconds: 600 }, 'system');
    await until(() => b.capabilities.alarms.state.accounts.get('9A02')?.supervisionSeconds === 600, 'B to know the accounts', 5_000);
    clock.advance(300_000);
    await poll(b, '9A01', 1); // heard on the follower, announced to the leader
    await until(() => a.capabilities.alarms.supervision.monitor.deadlineOf('9A01') === t0 + 900_000, 'the leader to hear the follower’s poll', 5_000);

    await a.close(); // saves the heard state as it stops
    aClosed = true;
    clock.advance(10_000);
    await until(() => b.ctx.leadership.isLeader(), 'B to take over', 10_000);
    await until(() => b.capabilities.alarms.supervision.monitor.deadlineOf('9A01') === t0 + 900_000, 'B to restore the polled path’s deadline', 5_000);
    assert.equal(b.capabilities.alarms.supervision.monitor.deadlineOf('9A02'), t0 + 600_000, 'the silent path is due when it was');
    clock.advance(290_500);
    await until(() => b.capabilities.alarms.supervision.monitor.isFaulted('9A02'), 'the silent path to fault on time', 5_000);
    assert.equal(b.capabilities.alarms.supervision.monitor.isFaulted('9A01'), false, 'no false fault for the polled one');
  } finally {
    await b.close();
    if (!aClosed) await a.close();
    await cluster.drop();
  }
});
