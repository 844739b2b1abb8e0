import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import type { RunningVigil } from '../app.js';
import { restartTestNode, startTestNode, stopTestNode } from '../../test/support/test-node.js';
import { until } from '../../test/support/until.js';
import type { CsirtEvents, SecurityEvent } from './contract.js';

/** A node with both syslog listeners on free ports (no demo, no road graph). */
const start = (): Promise<RunningVigil> =>
  startTestNode('logger', { VIGIL_DEMO: 'false', VIGIL_ROUTING_OSM: 'off', VIGIL_SYSLOG_UDP_PORT: '0', VIGIL_SYSLOG_TCP_PORT: '0' });

/** util-linux `logger` (bsdutils), as an administrator would point it at Vigil. */
const logger = (transport: '-d' | '-T', port: number, extra: string[], message: string): void => {
  execFileSync('logger', ['--rfc5424', '-n', '127.0.0.1', '-P', String(port), transport, ...extra, message], { timeout: 10_000 });
};

/** The security events the log holds (what survives the node), not what the desk keeps in memory. */
async function stored(vigil: RunningVigil): Promise<SecurityEvent[]> {
  const batches = await vigil.ctx.log.read({ afterSeq: 0, limit: 100_000, typePrefixes: ['csirt.events.received'] });
  return batches.flatMap((e) => (e.data as CsirtEvents['csirt.events.received']).events);
}

test('syslog from the real logger binary, over UDP and over TCP (LF-terminated and octet-counted), becomes durable security events with their fields', async () => {
  let vigil = await start();
  try {
    const { udp, tcp } = vigil.capabilities.csirt.syslogPorts;
    assert.ok(udp && tcp, 'both listeners are open');

    logger('-d', udp, ['-t', 'sshd', '-p', 'auth.crit', '--sd-id', 'auth@32473', '--sd-param', 'src="203.0.113.9"'], 'Failed password for root over udp');
    // TCP: logger's default framing (one message per line) and RFC 6587 octet counting.
    logger(
      '-T',
      tcp,
      ['-t', 'vpnd', '-p', 'authpriv.warning', '--sd-id', 'meta@32473', '--sd-param', 'src_ip="198.51.100.23"'],
      'login failed for admin over tcp',
    );
    logger('-T', tcp, ['--octet-count', '-t', 'fwd', '-p', 'local0.err', '--msgid', 'BLOCK'], 'blocked SRC=192.0.2.77 DST=10.0.0.2 over tcp counted');

    const byText = (events: SecurityEvent[], text: string) => events.find((e) => e.message.includes(text));
    await until(
      async () => {
        const events = await stored(vigil);
        return ['over udp', 'admin over tcp', 'over tcp counted'].every((t) => byText(events, t));
      },
      'three durable events',
      10_000,
    );
    const check = (events: SecurityEvent[]) => {
      const viaUdp = byText(events, 'over udp');
      assert.ok(viaUdp, 'the UDP message is stored');
      assert.equal(viaUdp.kind, 'syslog');
      assert.equal(viaUdp.app, 'sshd');
      assert.equal(viaUdp.severity, 2, 'auth.crit: critical');
      assert.equal(viaUdp.srcIp, '203.0.113.9', 'the address from structured data');
      const viaTcp = byText(events, 'login failed for admin over tcp');
      assert.ok(viaTcp, 'the TCP line is stored');
      assert.equal(viaTcp.app, 'vpnd');
      assert.equal(viaTcp.severity, 4, 'warning');
      assert.equal(viaTcp.srcIp, '198.51.100.23');
      const counted = byText(events, 'over tcp counted');
      assert.ok(counted, 'the octet-counted TCP message is stored');
      assert.equal(counted.app, 'fwd');
      assert.equal(counted.severity, 3, 'err');
      assert.equal(counted.srcIp, '192.0.2.77', 'the address from the text (SRC=)');
      // The host is the sender's own name as logger writes it (hostname of this machine), never empty.
      for (const e of [viaUdp, viaTcp, counted]) assert.ok(e.host, 'a host');
    };
    check(await stored(vigil));
    // The critical one raised an alert, as any syslog line of that severity does.
    const alerts = [...vigil.capabilities.csirt.service.state.alerts.values()];
    assert.ok(
      alerts.some((a) => a.rule === 'syslog-critical'),
      'the critical message from logger raised an alert',
    );

    // Durable: a restarted node reads the same events back from its log.
    vigil = await restartTestNode(vigil);
    check(await stored(vigil));
    assert.ok(
      vigil.capabilities.csirt.service.state.recent.some((e) => e.message.includes('over tcp counted')),
      'the desk rebuilt from the log',
    );
  } finally {
    await stopTestNode(vigil);
  }
});
