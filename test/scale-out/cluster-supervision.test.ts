import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dc09Client } from '../../src/adapters/protocols/dc09/dc09-client.js';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { frameDecisionEvent } from '../../src/alarms/contract.js';
import type { RunningVigil } from '../../src/app.js';
import { startCluster } from '../support/cluster.js';
import { requireNats, requirePostgres } from '../support/services.js';
import { until } from '../support/until.js';

/**
 * Path supervision on a cluster: panels poll whichever node they reach; only the
 * leader (advisory lock holder) supervises and raises timer alarms, and hears the
 * followers' polls through announcements. A missed poll is one fault, not one per
 * node; when the leader stops, another node takes over.
 */
test('cluster: polls on a follower keep the path alive on the leader; a missed poll is one fault; failover', async (t) => {
  if (!(await requirePostgres(t)) || !(await requireNats(t))) return;
  const cluster = await startCluster('s', { env: { VIGIL_DC09_PORT: '0' } });
  const [a, b] = cluster.nodes as [RunningVigil, RunningVigil];
  try {
    assert.equal(a.ctx.leadership.isLeader(), true, 'the first node leads');
    assert.equal(b.ctx.leadership.isLeader(), false, 'the second follows');
    const account = '7A01';
    await b.capabilities.alarms.plans.configureAccount({ account, supervisionSeconds: 10 }, 'system');
    await until(
      () => a.capabilities.alarms.supervision.monitor.intervalOf(account) === 10,
      'the leader to supervise the account configured on the follower',
      5_000,
    );

    // The panel polls node B only, every 2 s, for 14 s: longer than its 10 s interval.
    const panel = await Dc09Client.connect('127.0.0.1', b.capabilities.alarms.receiver.tcpPort!);
    for (let seq = 1; seq <= 7; seq++) {
      assert.equal((await panel.send(signalFrame({ id: 'NULL', seq, account, data: '', now: Date.now() }))).kind, 'ACK');
      await new Promise((r) => setTimeout(r, 2_000));
    }
    const failures = async (): Promise<number> => (await a.ctx.log.read({ typePrefixes: ['alarms.path.failed'] })).length;
    assert.equal(await failures(), 0, 'polls heard by the follower reached the leader');

    // It stops polling: one fault within a second of the deadline, raised once in the cluster.
    await until(async () => (await failures()) > 0, 'the path fault', 12_000);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(await failures(), 1, 'one fault, not one per node');
    // Raised by the path-fault signal: told in its event (one event per signal).
    const raised = (await a.ctx.log.read({ typePrefixes: ['alarms.signal.received'] }))
      .map((e) => frameDecisionEvent(e))
      .filter((e) => e?.type === 'alarms.alarm.raised' && (e.data as { alarm: { kind: string } }).alarm.kind === 'path-fault');
    assert.equal(raised.length, 1);
    await until(() => b.capabilities.alarms.state.faultedPaths.has(account), 'the follower to show the fault', 5_000);

    // The leader stops; the follower takes over within its next check.
    await cluster.stop(a);
    await until(() => b.ctx.leadership.isLeader(), 'B to take over', 5_000);
    assert.equal((await panel.send(signalFrame({ id: 'NULL', seq: 8, account, data: '', now: Date.now() }))).kind, 'ACK');
    assert.notEqual(b.capabilities.alarms.supervision.monitor.deadlineOf(account), null, 'the new leader supervises the path');
    panel.close();
  } finally {
    await cluster.close();
  }
});
