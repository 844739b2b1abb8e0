import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dc09Framer } from '../../src/adapters/protocols/dc09/dc09-framer.js';
import { frameOf } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import type { RunningVigil } from '../../src/app.js';
import { ManualClock } from '../../src/kernel/time.js';
import { startCluster } from '../support/cluster.js';
import { requireNats, requirePostgres } from '../support/services.js';
import { until } from '../support/until.js';

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
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 12, 0, 0));
  const cluster = await startCluster('heard', { clock });
  const [a, b] = cluster.nodes as [RunningVigil, RunningVigil];
  try {
    assert.equal(a.ctx.leadership.isLeader(), true, 'the first node leads');
    const t0 = clock.now();
    for (const account of ['9A01', '9A02']) await a.capabilities.alarms.plans.configureAccount({ account, supervisionSeconds: 600 }, 'system');
    await until(() => b.capabilities.alarms.state.accounts.get('9A02')?.supervisionSeconds === 600, 'B to know the accounts', 5_000);
    clock.advance(300_000);
    await poll(b, '9A01', 1); // heard on the follower, announced to the leader
    await until(() => a.capabilities.alarms.supervision.monitor.deadlineOf('9A01') === t0 + 900_000, 'the leader to hear the follower’s poll', 5_000);

    await cluster.stop(a); // saves the heard state as it stops
    clock.advance(10_000);
    await until(() => b.ctx.leadership.isLeader(), 'B to take over', 10_000);
    await until(() => b.capabilities.alarms.supervision.monitor.deadlineOf('9A01') === t0 + 900_000, 'B to restore the polled path’s deadline', 5_000);
    assert.equal(b.capabilities.alarms.supervision.monitor.deadlineOf('9A02'), t0 + 600_000, 'the silent path is due when it was');
    clock.advance(290_500);
    await until(() => b.capabilities.alarms.supervision.monitor.isFaulted('9A02'), 'the silent path to fault on time', 5_000);
    assert.equal(b.capabilities.alarms.supervision.monitor.isFaulted('9A01'), false, 'no false fault for the polled one');
  } finally {
    await cluster.close();
  }
});
