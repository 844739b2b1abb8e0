// A Vigil node for bench:marc, in its own process so the load generator does not
// share its CPU: demo city, embedded store, DC-09 receiver on free ports.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';

const dataDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'vigil-bench-marc-'));
const vigil = await serveVigil({
  ...loadConfig({
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
process.stdout.write(`${JSON.stringify({ url: vigil.url, tcpPort: vigil.capabilities.alarms.receiver.tcpPort })}\n`);
process.on('SIGTERM', () => void vigil.close().then(() => process.exit(0)));
