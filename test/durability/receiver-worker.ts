// Child process of receiver-kill9.test.ts: a Vigil node with the DC-09 receiver on
// free ports over the SQLite file given, its receiver in the mode given (thread or main);
// prints the TCP port, then serves until killed.
// Every panel of the test comes from 127.0.0.1: no per-source frame limit, so it runs at full rate,
// and its 1 000 connections above the per-source connection limit.
import { serveVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';

const [dataDir, mode] = process.argv.slice(2);
// Where the receiver runs (thread or main), as VIGIL_DC09_RECEIVER; read when it listens.
if (mode) process.env.VIGIL_DC09_RECEIVER = mode;
const vigil = await serveVigil({
  ...loadConfig({
    VIGIL_DC09_PORT: '0',
    VIGIL_DC09_FRAMES_PER_SOURCE: '0',
    VIGIL_DC09_CONNECTIONS_PER_SOURCE: '100000',
    VIGIL_MQTT_EMBEDDED_PORT: '0',
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_DEMO: 'false',
  }),
  dataDir: dataDir!,
  port: 0,
  host: '127.0.0.1',
});
process.stdout.write(`port ${vigil.capabilities.alarms.receiver.tcpPort}\n`);
