// A Vigil node for bench:marc, in its own process so the load generator does not
// share its CPU: demo city, embedded store, DC-09 receiver on free ports, and
// BENCH_ACCOUNTS configured accounts (supervised, 90 s) the load generator's panels use.
// All panels come from 127.0.0.1: the per-source frame limit is off and the connection
// limit raised unless the environment sets them (bench:hostile measures the limits).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';
import { panelAccount, panelKey } from './marc-load.js';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 0);
const dataDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'vigil-bench-marc-'));
const vigil = await serveVigil({
  ...loadConfig({
    VIGIL_DC09_FRAMES_PER_SOURCE: '0',
    VIGIL_DC09_CONNECTIONS_PER_SOURCE: '100000',
    ...process.env,
    VIGIL_DC09_PORT: '0',
    VIGIL_MQTT_EMBEDDED_PORT: '0',
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_DATABASE_URL: process.env.VIGIL_DATABASE_URL ?? '',
  }),
  dataDir,
  port: 0,
  host: '127.0.0.1',
});
// The load generator's panels: account 10000 + i (hex), one per connection.
// BENCH_ENCRYPTED=1: each with its own AES key (bench/marc-load.ts panelKey).
for (let i = 0; i < ACCOUNTS; i++) {
  const account = panelAccount(i);
  const key = panelKey(account);
  await vigil.capabilities.alarms.plans.configureAccount(
    { account, supervisionSeconds: 90, ...(key ? { key: key.toString('hex').toUpperCase() } : {}) },
    'system',
  );
}
process.stdout.write(`${JSON.stringify({ url: vigil.url, tcpPort: vigil.capabilities.alarms.receiver.tcpPort })}\n`);
process.on('SIGTERM', () => void vigil.close().then(() => process.exit(0)));
