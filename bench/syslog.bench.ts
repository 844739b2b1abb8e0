// npm run bench:syslog — syslog intake: RFC 5424 messages (structured data, a source address,
// hosts that are and are not city devices) sent over TCP with octet counting on loopback,
// framed, parsed, limited, batched into the durable SQLite log (FULL sync) and applied to the
// CSIRT desk's projection (rules evaluated on each). The clock stops when the last message is
// applied: every message counted is parsed and stored. Also the parser alone.
// Ends with one JSON line {"bench":"syslog",...}.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { serveVigil } from '../src/app.js';
import { formatSyslog5424, parseSyslog } from '../src/csirt/index.js';
import { loadConfig } from '../src/kernel/config.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-syslog-'));
const vigil = await serveVigil(
  {
    ...loadConfig({
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_DEMO: 'false',
      VIGIL_ROUTING_OSM: 'off',
      VIGIL_SYSLOG_TCP_PORT: '0',
      VIGIL_SYSLOG_RATE_PER_SOURCE: '1000000',
    }),
    dataDir: dir,
    port: 0,
    host: '127.0.0.1',
  },
  { logger: pino({ level: 'silent' }) },
);
try {
  const csirt = vigil.capabilities.csirt;
  const t0 = Date.UTC(2026, 11, 4, 9, 0, 0);
  const line = (i: number): string =>
    formatSyslog5424({
      severity: 4 + (i % 4),
      facility: i % 3 === 0 ? 4 : 16,
      timestamp: new Date(t0 + i).toISOString(),
      hostname: `fw-${i % 50}.city.example`,
      appName: i % 3 === 0 ? 'sshd' : 'filterlog',
      procId: String(1000 + (i % 900)),
      msgId: i % 3 === 0 ? 'AUTH' : 'BLOCK',
      structured: { 'origin@32473': { src: `198.51.${(i >> 8) % 256}.${i % 256}`, dst: '10.0.0.2', dpt: String(22 + (i % 1000)) } },
      message: i % 3 === 0 ? `Failed password for invalid user admin${i % 97} port ${40000 + (i % 20000)} ssh2` : `block in on em0 proto tcp seq ${i}`,
    });
  // Parser alone (one core, no I/O).
  const sample = Array.from({ length: 50_000 }, (_, i) => Buffer.from(line(i)));
  const p0 = performance.now();
  for (const b of sample) parseSyslog(b, t0);
  const parseOnlyMsgPerSec = Math.round(sample.length / ((performance.now() - p0) / 1000));

  // Framed streams, built before the clock starts.
  const streams: Buffer[] = [];
  for (let c = 0; c < CONNECTIONS; c++) {
    const parts: Buffer[] = [];
    for (let i = c; i < MESSAGES; i += CONNECTIONS) {
      const m = Buffer.from(line(i));
      parts.push(Buffer.from(`${m.length} `), m);
    }
    streams.push(Buffer.concat(parts));
  }
  const before = csirt.service.state.eventCount;
  const cpu0 = process.cpuUsage();
  const s0 = performance.now();
  await Promise.all(
    streams.map(
      (stream) =>
        new Promise<void>((resolve, reject) => {
          const socket = connect(csirt.syslogPorts.tcp!, '127.0.0.1', () => socket.end(stream, () => resolve()));
          socket.on('error', reject);
        }),
    ),
  );
  while (csirt.service.state.eventCount - before < MESSAGES) {
    if (performance.now() - s0 > 300_000) throw new Error(`only ${csirt.service.state.eventCount - before} of ${MESSAGES} stored after 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - s0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stored = await vigil.ctx.log.read({ typePrefixes: ['csirt.events.received'] });
  const result = {
    bench: 'syslog',
    messages: MESSAGES,
    connections: CONNECTIONS,
    msgPerSec: Math.round(MESSAGES / seconds),
    cpuUsPerMsg: Math.round(((cpu.user + cpu.system) / MESSAGES) * 100) / 100,
    parseOnlyMsgPerSec,
    logEvents: stored.length,
    refused: csirt.intake.figures.refused,
    dropped: csirt.intake.figures.dropped,
    alerts: csirt.service.state.alerts.size,
    seconds: Math.round(seconds * 100) / 100,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    cpus: cpus().length,
  };
  console.log(
    `${MESSAGES} messages over ${CONNECTIONS} TCP connections: ${result.msgPerSec} msg/s parsed and stored (${result.cpuUsPerMsg} µs CPU per message, sender included)`,
  );
  console.log(
    `parser alone: ${parseOnlyMsgPerSec} msg/s; ${stored.length} log events (batches); ${result.alerts} alerts; load average ${result.loadavg.join(' ')}`,
  );
  console.log(JSON.stringify(result));
} finally {
  await vigil.close();
  rmSync(dir, { recursive: true, force: true });
}
