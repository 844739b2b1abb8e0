import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { parseKey } from '../../src/adapters/protocols/dc09/dc09-crypto.js';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { PostgresReplayLedger } from '../../src/adapters/stores/postgres/postgres-replay-ledger.js';
import type { RunningVigil } from '../../src/app.js';
import { ManualClock } from '../../src/kernel/time.js';
import { clusterIsolation, startCluster } from '../support/cluster.js';
import { dc09Panel as panel } from '../support/dc09-panel.js';
import { POSTGRES_URL, requireNats, requirePostgres } from '../support/services.js';
import { until } from '../support/until.js';

/**
 * Issue 13: in a cluster the DC-09 replay memory is shared. A frame accepted by one node and
 * replayed to another inside the window is refused there (it used to be accepted: each node
 * remembered only its own frames). Two nodes on the real PostgreSQL store.
 */

const KEY = '00112233445566778899AABBCCDDEEFF';
const key = parseKey(KEY)!;

function udpSend(port: number, bytes: Buffer): Promise<string> {
  const udp = createSocket('udp4');
  return new Promise<string>((resolve) => {
    udp.once('message', (m) => {
      udp.close();
      resolve(m.toString('latin1'));
    });
    udp.send(bytes, port, '127.0.0.1');
  });
}

const signalsOf = async (vigil: RunningVigil, account: string): Promise<string[]> =>
  (await vigil.ctx.log.read({ typePrefixes: ['alarms.signal.received'] }))
    .map((e) => (e.data as { signal: { account: string; code: string } }).signal)
    .filter((s) => s.account === account)
    .map((s) => s.code);

test('dc09 in a cluster: a frame accepted by node A and replayed to node B is refused; the same frame sent to both at once is accepted once', async (t) => {
  if (!(await requirePostgres(t)) || !(await requireNats(t))) return;
  const clock = new ManualClock(Date.UTC(2026, 11, 3, 12, 0, 0));
  const cluster = await startCluster('replay', { clock, demo: true, env: { VIGIL_DC09_PORT: '0', VIGIL_ROUTING_OSM: 'off' } });
  const [a, b] = cluster.nodes as [RunningVigil, RunningVigil];
  try {
    await a.demoLoaded;
    assert.ok(a.ctx.replayLedger && b.ctx.replayLedger, 'both nodes on PostgreSQL have the shared ledger');
    const panels = [...a.capabilities.city.service.state.devices.values()].filter((d) => d.kind === 'alarm-panel' && d.account);
    const account = panels[0]!.account!;
    await a.capabilities.alarms.plans.configureAccount({ account, key: KEY }, 'system');
    await until(() => b.capabilities.alarms.state.accounts.get(account)?.key === KEY, "B knows the account's key");
    clock.advance(2000);

    // Accepted by A over TCP, then the same bytes to B over TCP and UDP: refused there.
    const opening = signalFrame({ id: 'SIA-DCS', seq: 31, account, data: 'Nid7/OP001', key, now: clock.now() });
    const pa = panel(a.capabilities.alarms.receiver.tcpPort!);
    const pb = panel(b.capabilities.alarms.receiver.tcpPort!);
    await Promise.all([pa.ready, pb.ready]);
    assert.match(await pa.reply(opening), /"\*ACK"0031/);
    clock.advance(3000);
    assert.match(await pb.reply(opening), /"NAK"0000R0L0A0\[\]_/, 'replayed to the other node inside the window');
    assert.match(await udpSend(b.capabilities.alarms.receiver.udpPort!, opening), /"NAK"/, 'and over UDP');
    // The panel's next frame is fine on B.
    assert.match(await pb.reply(signalFrame({ id: 'SIA-DCS', seq: 32, account, data: 'Nid7/CL001', key, now: clock.now() })), /"\*ACK"0032/);

    // One frame sent to both nodes at the same moment: exactly one ACK.
    clock.advance(1000);
    const both = signalFrame({ id: 'SIA-DCS', seq: 33, account, data: 'Nid7/OP002', key, now: clock.now() });
    const replies = await Promise.all([pa.reply(both), pb.reply(both)]);
    assert.equal(replies.filter((r) => /"\*ACK"0033/.test(r)).length, 1, replies.join(' | '));
    assert.equal(replies.filter((r) => /"NAK"/.test(r)).length, 1, replies.join(' | '));
    pa.close();
    pb.close();

    assert.deepEqual((await signalsOf(a, account)).sort(), ['CL', 'OP', 'OP'], 'each frame recorded once in the shared log');
  } finally {
    await cluster.close();
  }
});

test('the PostgreSQL replay ledger: a live claim is held, an expired one is taken again, a released one is free, expired rows are swept', async (t) => {
  if (!(await requirePostgres(t))) return;
  const cluster = clusterIsolation('ledger');
  const one = await PostgresReplayLedger.open(POSTGRES_URL, cluster.isolation.pgSchema);
  const two = await PostgresReplayLedger.open(POSTGRES_URL, cluster.isolation.pgSchema);
  try {
    const now = 1_000_000;
    assert.deepEqual(
      [
        ...(await one.claim(
          [
            { key: 'acct|0001|1', expiresAt: now + 40_000 },
            { key: 'acct|0002|1', expiresAt: now + 40_000 },
          ],
          now,
        )),
      ].sort(),
      ['acct|0001|1', 'acct|0002|1'],
    );
    // The other node: the live key is not its, a new one is; the same key twice in one batch is one row.
    assert.deepEqual(
      [
        ...(await two.claim(
          [
            { key: 'acct|0001|1', expiresAt: now + 41_000 },
            { key: 'acct|0003|1', expiresAt: now + 41_000 },
            { key: 'acct|0003|1', expiresAt: now + 41_000 },
          ],
          now + 1000,
        )),
      ],
      ['acct|0003|1'],
    );
    // Past its expiry a key can be claimed again (its frame's timestamp has left the window).
    assert.deepEqual([...(await two.claim([{ key: 'acct|0001|1', expiresAt: now + 90_000 }], now + 40_000))], ['acct|0001|1']);
    await one.release(['acct|0002|1']);
    assert.deepEqual([...(await two.claim([{ key: 'acct|0002|1', expiresAt: now + 50_000 }], now + 2000))], ['acct|0002|1']);
    assert.equal(await one.sweep(now + 60_000), 2, 'acct|0002|1 and acct|0003|1 expired');
  } finally {
    await one.close();
    await two.close();
    await cluster.drop();
  }
});
