// Child process of hostile.bench.ts: everything an attacker on the network throws at the
// node at once, from loopback addresses of its own (127.0.2.x). Runs until SIGTERM, then
// prints {"attackerFramesAccepted":…, …} (an ACK to any of its frames is an accepted frame).
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Dc09Framer } from '../src/adapters/protocols/dc09/dc09-framer.js';
import { signalFrame } from '../src/adapters/protocols/dc09/dc09-reply.js';

const node = JSON.parse(process.argv[2]!) as { tcp: number; udp: number; mqtt: number; http: string; accounts: string[]; tokens: Record<string, string> };
const ATTACKS = new Set((process.env.BENCH_ATTACKS ?? 'tcp,udp,mqtt,heavy,cap,osm').split(','));
let stopping = false;
const figures = {
  attackerFramesAccepted: 0,
  attackerReplies: 0,
  tcpBytesSent: 0,
  udpDatagrams: 0,
  mqttConnects: 0,
  mqttRefused: 0,
  heavyRequests: 0,
  capBombs: 0,
  osmUploads: 0,
};
const address = (i: number): string => `127.0.2.${1 + (i % 250)}`;
const forged = (i: number): Buffer =>
  signalFrame({
    id: 'SIA-DCS',
    seq: i % 10000,
    account: node.accounts[i % node.accounts.length]!,
    data: `Nri1/BA${String(i % 999).padStart(3, '0')}`,
    now: Date.now(),
  });

// DC-09 over TCP: junk (header-shaped, no frame), oversized frames, plaintext for keyed accounts.
const unit = Buffer.from('\n1234' + '03FF' + '"SIA-DCS"', 'latin1');
const junk = Buffer.alloc(64 * 1024);
for (let i = 0; i < junk.length; i += unit.length) unit.copy(junk, i);
const oversized = Buffer.concat([Buffer.from('\nABCD0FFF"SIA-DCS"0001L0#B000[', 'latin1'), Buffer.alloc(8000, 0x41), Buffer.from('\r')]);
function tcpAttacker(i: number): void {
  if (stopping) return;
  const socket: Socket = connect({ port: node.tcp, host: '127.0.0.1', localAddress: address(i) });
  const framer = new Dc09Framer();
  socket.on('data', (d) => {
    for (const f of framer.push(d).frames) {
      figures.attackerReplies++;
      if (/^"\*?ACK"/.test(f.body.toString('latin1'))) figures.attackerFramesAccepted++;
    }
  });
  let n = 0;
  const pump = (): void => {
    while (!stopping && !socket.destroyed) {
      const chunk = n % 3 === 0 ? junk : n % 3 === 1 ? oversized : Buffer.concat(Array.from({ length: 50 }, (_, k) => forged(i * 1000 + n * 50 + k)));
      n++;
      figures.tcpBytesSent += chunk.length;
      if (!socket.write(chunk)) return void socket.once('drain', pump);
    }
  };
  socket.on('connect', pump);
  socket.on('error', () => {});
  socket.on('close', () => setTimeout(() => tcpAttacker(i), 100));
}
if (ATTACKS.has('tcp')) for (let i = 0; i < 20; i++) tcpAttacker(i);

// DC-09 over UDP: junk and forged datagrams, as fast as the loop allows.
const udps = Array.from({ length: 10 }, (_, i) => {
  const s = createSocket('udp4');
  s.bind(0, address(100 + i));
  s.on('message', (m) => {
    figures.attackerReplies++;
    if (/"\*?ACK"/.test(m.toString('latin1'))) figures.attackerFramesAccepted++;
  });
  s.on('error', () => {});
  return s;
});
let u = 0;
const udpFlood = (): void => {
  if (stopping) return;
  for (let k = 0; k < 200; k++, u++) {
    udps[u % udps.length]!.send(u % 2 === 0 ? junk.subarray(0, 1400) : forged(u), node.udp, '127.0.0.1');
    figures.udpDatagrams++;
  }
  setTimeout(udpFlood, 5);
};
if (ATTACKS.has('udp')) udpFlood();

// Anonymous MQTT clients: connect, publish a fake siren command and fire sensor, leave.
const mqttRound = (): void => {
  if (stopping) return;
  const client = mqtt.connect(`mqtt://127.0.0.1:${node.mqtt}`, { reconnectPeriod: 0, connectTimeout: 3000 });
  client.on('connect', () => {
    figures.mqttConnects++;
    client.publish('vigil/sirens/s1/command', '{"action":"sound","signal":"evacuate"}');
    client.publish('vigil/sensors/fake/events', '{"type":"smoke","state":"alarm"}');
    client.end(true);
  });
  client.on('error', () => {
    figures.mqttRefused++;
    client.end(true);
  });
  client.on('close', () => setTimeout(mqttRound, 20));
};
if (ATTACKS.has('mqtt')) for (let i = 0; i < 10; i++) mqttRound();

// 20 concurrent heavy API requests, for ever: coverage over many stations, audit verification.
// Within 1 km of Monaco's roads (a station out at sea made every request a quick 400 before).
const stations = Array.from({ length: 200 }, (_, i) => [7.415 + (i % 20) * 0.0007, 43.728 + Math.floor(i / 20) * 0.0012]);
const heavy = async (i: number): Promise<void> => {
  while (!stopping) {
    const coverage = i % 2 === 0;
    await fetch(`${node.http}${coverage ? '/api/routing/coverage' : '/api/audit/verify'}`, {
      method: 'POST',
      headers: { cookie: `vigil_session=${node.tokens[coverage ? 'operator' : 'supervisor']}`, 'content-type': 'application/json' },
      body: coverage ? JSON.stringify({ stations, targetMinutes: 30, weights: 'buildings' }) : '{}',
    })
      .then((r) => r.arrayBuffer())
      .catch(() => {});
    figures.heavyRequests++;
  }
};
if (ATTACKS.has('heavy')) for (let i = 0; i < 20; i++) void heavy(i);

// A CAP bomb: a document of a MiB of nested, entity-heavy areas, imported again and again.
const capBomb = `<?xml version="1.0"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>bomb</identifier><sender>x@y</sender><sent>2026-12-03T12:00:00+00:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope><info><category>Met</category><event>x</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>${'<area><areaDesc>&amp;&lt;&gt;</areaDesc><polygon>43.72,7.41 43.73,7.41 43.73,7.42 43.72,7.41</polygon></area>'.repeat(7000)}</info></alert>`;
const capLoop = async (): Promise<void> => {
  while (!stopping) {
    await fetch(`${node.http}/api/alerts/import`, {
      method: 'POST',
      headers: { cookie: `vigil_session=${node.tokens['alert-officer']}`, 'content-type': 'application/xml' },
      body: capBomb,
    })
      .then((r) => r.arrayBuffer())
      .catch(() => {});
    figures.capBombs++;
  }
};
if (ATTACKS.has('cap')) {
  void capLoop();
  void capLoop();
}

// An OSM upload: the demo city's extract (the node parses it), every two seconds.
const osm = readFileSync(join(import.meta.dirname, '..', 'assets', 'osm', 'monaco.osm.gz'));
const osmLoop = async (): Promise<void> => {
  while (!stopping) {
    await fetch(`${node.http}/api/city/imports?name=hostile.osm.gz`, {
      method: 'POST',
      headers: { cookie: `vigil_session=${node.tokens.admin}`, 'content-type': 'application/gzip' },
      body: osm,
    })
      .then((r) => r.arrayBuffer())
      .catch(() => {});
    figures.osmUploads++;
    await new Promise((r) => setTimeout(r, 2000));
  }
};
if (ATTACKS.has('osm')) void osmLoop();

process.on('SIGTERM', () => {
  stopping = true;
  setTimeout(() => {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    process.exit(0);
  }, 1000);
});
process.stdout.write('attacking\n');
