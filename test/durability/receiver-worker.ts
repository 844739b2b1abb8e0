// Child process of receiver-kill9.test.ts: a Vigil node with the DC-09 receiver on
// free ports over the SQLite file given, its receiver in the mode given (thread or main);
// prints the TCP port, then serves until killed.
// Every panel of the test comes from 127.0.0.1: no per-source frame limit, so it runs at full rate,
// and its 1 000 connections above the per-source connection limit.
import { startReceiverNode } from '../support/receiver-node.js';

const [dataDir, mode] = process.argv.slice(2);
const vigil = await startReceiverNode(dataDir!, {
  mode: mode === 'main' ? 'main' : 'thread',
  env: { VIGIL_DC09_FRAMES_PER_SOURCE: '0', VIGIL_DC09_CONNECTIONS_PER_SOURCE: '100000', VIGIL_MQTT_EMBEDDED_PORT: '0' },
});
process.stdout.write(`port ${vigil.capabilities.alarms.receiver.tcpPort}\n`);
