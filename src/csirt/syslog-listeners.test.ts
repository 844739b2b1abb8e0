import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { serveVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { until } from '../../test/support/until.js';
import { testPki } from '../../test/support/tls-certs.js';

test('syslog listeners: off by default; TLS with a certificate (RFC 5425 octet counting); a frame over the size limit closes the connection; a source over its rate is dropped and counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-syslog-tls-'));
  // A test CA and a loopback server certificate it signed (the shared test PKI).
  const pki = testPki(dir);
  assert.deepEqual(loadConfig({}).syslog.udpPort, null, 'no syslog port unless configured');
  assert.equal(loadConfig({}).syslog.host, '127.0.0.1');
  const vigil = await serveVigil({
    ...loadConfig({
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_DEMO: 'false',
      VIGIL_ROUTING_OSM: 'off',
      VIGIL_SYSLOG_TLS_PORT: '0',
      VIGIL_SYSLOG_TLS_CERT: join(dir, 'server.pem'),
      VIGIL_SYSLOG_TLS_KEY: join(dir, 'server.key'),
      VIGIL_SYSLOG_TCP_PORT: '0',
      VIGIL_SYSLOG_MAX_BYTES: '480',
      VIGIL_SYSLOG_RATE_PER_SOURCE: '50',
    }),
    dataDir: join(dir, 'data'),
    port: 0,
    host: '127.0.0.1',
  });
  try {
    const csirt = vigil.capabilities.csirt;
    assert.equal(csirt.syslogPorts.udp, null);
    const tls = tlsConnect({ port: csirt.syslogPorts.tls!, host: '127.0.0.1', ca: pki.ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => tls.once('secureConnect', () => resolve()).once('error', reject));
    const m = '<38>1 2026-12-04T10:00:00.000Z gw-harbour vpn - LOGIN [meta@1 src="198.51.100.20"] login failed for admin';
    tls.end(`${Buffer.byteLength(m)} ${m}`);
    await until(() => csirt.service.state.recent.some((e) => e.host === 'gw-harbour'), 'the TLS message', 10_000);
    assert.equal(csirt.service.state.recent.find((e) => e.host === 'gw-harbour')!.srcIp, '198.51.100.20');

    // Over the size limit: the stream is given up.
    const tcp = tcpConnect(csirt.syslogPorts.tcp!, '127.0.0.1');
    const closed = new Promise<void>((resolve) => tcp.once('close', () => resolve()));
    tcp.write(`600 <13>1 - big - - - - ${'x'.repeat(580)}`);
    await closed;
    assert.ok(csirt.intake.figures.refused >= 1);

    // 150 messages in one go from one address: 50 a second are taken (at most two seconds' worth), the rest dropped and counted.
    const before = csirt.service.state.eventCount;
    const burst = tcpConnect(csirt.syslogPorts.tcp!, '127.0.0.1');
    burst.end(Array.from({ length: 150 }, (_, i) => `<13>1 - burst app - - - n${i}\n`).join(''));
    await until(() => csirt.intake.figures.dropped >= 1 && csirt.service.state.eventCount - before >= 1, 'the burst', 10_000);
    await csirt.intake.flush();
    assert.ok(csirt.service.state.eventCount - before <= 100, `${csirt.service.state.eventCount - before} stored`);
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
