// Child process of hostile.bench.ts: a Vigil node (demo city, DC-09 TCP/UDP, embedded
// MQTT, HTTP) on free loopback ports, with BENCH_PANELS keyed DC-09 accounts. Prints one
// JSON line (ports, the accounts' key, session tokens), then serves until killed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';
import { currentThreadId } from '../src/platform/thread-priority.js';

const PANELS = Number(process.env.BENCH_PANELS ?? 1000);
const KEY = '00112233445566778899AABBCCDDEEFF';
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-hostile-'));
const vigil = await serveVigil({
  ...loadConfig({ ...process.env, VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_LOG_LEVEL: 'silent' }),
  dataDir,
  port: 0,
  host: '127.0.0.1',
});
const accounts = Array.from({ length: PANELS }, (_, i) => (0xb000 + i).toString(16).toUpperCase());
for (const account of accounts) await vigil.capabilities.alarms.plans.configureAccount({ account, key: KEY }, 'system');
const tokens: Record<string, string> = {};
for (const username of ['operator', 'supervisor', 'admin', 'alert-officer']) {
  tokens[username] = (await vigil.capabilities.identity.service.login({ username, password: 'vigil-demo' }, '127.0.0.1')).token;
}
const rx = vigil.capabilities.alarms.receiver;
// The threads the bench watches (Linux): this main thread, the receiver thread and its journal writer (null when DC-09 runs on main).
const threads = { main: currentThreadId(), ...(vigil.capabilities.alarms.receiverThreads() ?? {}) };
process.stdout.write(
  `${JSON.stringify({ dataDir, tcp: rx.tcpPort, udp: rx.udpPort, mqtt: rx.mqttPort, http: vigil.url, key: KEY, accounts, tokens, threads })}\n`,
);
// SIGTERM ends the process at once (a --cpu-prof profile is written on exit; see BENCH_NODE_ARGS).
process.once('SIGTERM', () => process.exit(0));
