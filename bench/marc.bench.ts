// npm run bench:marc — the alarm receiver under load: ACKed frames per second over
// many TCP connections (embedded store), ACK latency at a paced 5 000 frames/s,
// frame-to-screen latency over the live WebSocket, and supervision of a million
// paths (lateness, memory). Ends with one JSON line {"bench":"marc",...}.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { Dc09Client } from '../src/adapters/protocols/dc09/dc09-client.js';
import { signalFrame } from '../src/adapters/protocols/dc09/dc09-reply.js';
import { SupervisionMonitor } from '../src/alarms/supervision/monitor.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PACED_RATE = Number(process.env.BENCH_RATE ?? 5000);
const PATHS = Number(process.env.BENCH_PATHS ?? 1_000_000);
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2) : NaN;
};

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-marc-'));
const node = spawn(
  process.execPath,
  [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', join(import.meta.dirname, 'marc-node.ts'), dataDir],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const { url, tcpPort } = await new Promise<{ url: string; tcpPort: number }>((resolve) =>
  node.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()))),
);
const out: Record<string, unknown> = { bench: 'marc', connections: CONNECTIONS };
try {
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => Dc09Client.connect('127.0.0.1', tcpPort, 30_000)));
  const account = (i: number): string => (0x10000 + i).toString(16).toUpperCase();

  // 1. Throughput: every connection sends as fast as ACKs come back.
  let acked = 0;
  let seq = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c, i) => {
      while (performance.now() < deadline) {
        const r = await c.send(signalFrame({ id: 'SIA-DCS', seq: ++seq, account: account(i), data: `Nri1/BA${(seq % 999) + 1}`, now: Date.now() }));
        if (r.kind === 'ACK') acked++;
      }
    }),
  );
  const framesPerSec = Math.round(acked / ((performance.now() - started) / 1000));
  console.log(`throughput: ${acked} frames ACKed durable in ${SECONDS} s over ${CONNECTIONS} connections = ${framesPerSec} frames/s`);
  out.framesPerSec = framesPerSec;

  // 2. Paced load: ACK latency at PACED_RATE frames/s (or what the receiver sustains).
  const latencies: number[] = [];
  const pacedStart = performance.now();
  const pacedEnd = pacedStart + 5000;
  const perClientInterval = (1000 * CONNECTIONS) / PACED_RATE;
  await Promise.all(
    clients.map(async (c, i) => {
      let next = performance.now() + Math.random() * perClientInterval;
      while (next < pacedEnd) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const t0 = performance.now();
        await c.send(signalFrame({ id: 'SIA-DCS', seq: ++seq, account: account(i), data: `Nri1/BA${(seq % 999) + 1}`, now: Date.now() }));
        latencies.push(performance.now() - t0);
        next += perClientInterval;
      }
    }),
  );
  const achieved = Math.round(latencies.length / ((performance.now() - pacedStart) / 1000));
  console.log(`paced ${PACED_RATE}/s (achieved ${achieved}/s): ACK p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms`);
  out.pacedRate = achieved;
  out.p50AckMs = pct(latencies, 50);
  out.p99AckMs = pct(latencies, 99);

  // 3. Frame → operator's screen: time until the live WebSocket delivers the signal.
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'supervisor', password: 'vigil-demo' }),
  });
  const cookie = /vigil_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0] ?? '';
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/live`, { headers: { cookie } });
  await new Promise((r) => ws.once('open', r));
  const sentAt = new Map<string, number>();
  const toScreen: number[] = [];
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m)) as { events?: { type: string; data: { signal?: { account: string; zone: string } } }[] };
    for (const e of msg.events ?? []) {
      const s = e.data.signal;
      if (e.type !== 'alarms.signal.received' || !s) continue;
      const t = sentAt.get(`${s.account}:${Number(s.zone)}`);
      if (t !== undefined) toScreen.push(performance.now() - t);
    }
  });
  // The demo's MARC panels are visible to the supervisor: use their accounts.
  const accounts = Array.from({ length: 20 }, (_, i) => (0x1000 + i).toString(16).toUpperCase());
  for (let n = 0; n < 500; n++) {
    const i = n % accounts.length;
    const zone = 100 + n;
    sentAt.set(`${accounts[i]}:${zone}`, performance.now());
    void clients[i]!.send(signalFrame({ id: 'SIA-DCS', seq: ++seq, account: accounts[i]!, data: `Nri1/BA${zone}`, now: Date.now() }));
    await new Promise((r) => setTimeout(r, 4));
  }
  await new Promise((r) => setTimeout(r, 1000));
  ws.close();
  console.log(`to screen: ${toScreen.length}/500 signals delivered over WebSocket, p50 ${pct(toScreen, 50)} ms, p99 ${pct(toScreen, 99)} ms`);
  out.p99ToScreenMs = pct(toScreen, 99);
  clients.forEach((c) => c.close());
} finally {
  node.kill('SIGTERM');
  await new Promise((r) => node.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}

// 4. Supervision of a million paths, simulated time, 250 ms ticks.
global.gc?.();
const before = process.memoryUsage();
const t0 = Date.UTC(2026, 0, 1);
const monitor = new SupervisionMonitor(t0);
// Paths started at arbitrary milliseconds, so deadlines fall between ticks.
for (let i = 0; i < PATHS; i++) monitor.watch(`P${i.toString(16)}`, 60 + (i % 240), t0 + ((i * 7919) % 1000));
global.gc?.();
const after = process.memoryUsage();
const bytesPerPath = Math.round((after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / PATHS);
const late: number[] = [];
let worstTickMs = 0;
for (let now = t0; now <= t0 + 310_000; now += 250) {
  // 90 % of paths poll on time: each tick, the paths whose deadline is in the next second are heard.
  const tickStart = performance.now();
  const faults = monitor.tick(now);
  const tickMs = performance.now() - tickStart;
  worstTickMs = Math.max(worstTickMs, tickMs);
  for (const f of faults) late.push(f.lateMs + tickMs);
  if (now === t0 + 30_000) for (let i = 0; i < PATHS; i += 10) monitor.heard(`P${i.toString(16)}`, now); // some paths heard once
}
console.log(
  `supervision: ${PATHS} paths, ${late.length} missed deadlines reported, lateness p99 ${pct(late, 99)} ms (tick 250 ms + worst tick ${worstTickMs.toFixed(1)} ms), ≈ ${bytesPerPath} bytes per path`,
);
out.supervisedPaths = PATHS;
out.supervisionLateMsP99 = pct(late, 99);
out.rssBytesPerPath = bytesPerPath;
console.log(JSON.stringify(out));
