// Child process of heard-kill9.test.ts: a Vigil node with the DC-09 receiver over the data
// folder given, supervising S1 (600 s) and S3 (2 s); prints the TCP port, then serves until killed.
import { serveVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';

const [dataDir] = process.argv.slice(2);
const vigil = await serveVigil({
  ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_DC09_FRAMES_PER_SOURCE: '0', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_DEMO: 'false' }),
  dataDir: dataDir!,
  port: 0,
  host: '127.0.0.1',
});
await vigil.capabilities.alarms.plans.configureAccount({ account: '5001', supervisionSeconds: 600 }, 'system');
await vigil.capabilities.alarms.plans.configureAccount({ account: '5003', supervisionSeconds: 2 }, 'system');
process.stdout.write(`port ${vigil.capabilities.alarms.receiver.tcpPort}\n`);
