// npm run bench:hostile — 1 000 legitimate panels send encrypted DC-09 alarms to a node
// (a child process) first in quiet, then while an attacker (another child process)
// floods it: junk and oversized frames on DC-09 TCP and UDP, plaintext frames for the
// keyed accounts, anonymous MQTT clients, 20 concurrent heavy API requests, a CAP bomb
// and an OSM upload. Reports the panels' ACK p50/p99 in both phases, legitimate frames
// not acknowledged, attacker frames acknowledged and the node's RSS growth; the last
// line is one JSON object {"bench":"hostile",…}.
// BENCH_PANELS (1000), BENCH_PERIOD_MS (2000, per panel), BENCH_PHASE_S (30),
// BENCH_ATTACKS (tcp,udp,mqtt,heavy,cap,osm: which attacks run), BENCH_NODE_ARGS (node flags for the node's process),
// BENCH_ATTACKER_NICE (unset: the attacker runs at the node's priority; a number: it runs under `nice -n` that number,
// as an attacker's own CPU is on other machines in a real attack — its traffic is the same, only the generating
// of it yields the two shared CPUs to the node; the JSON line says which).
// BENCH_PANELS_NICE (unset: the panels run at this process's priority; a number, e.g. -10, needs root or CAP_SYS_NICE:
// once the node is started, every thread of this process — the 1 000 panels — takes that niceness, standing in for
// panels on hardware of their own that an attacker's processes do not slow; the attacker is still started at
// BENCH_ATTACKER_NICE, 0 when unset, in absolute terms, and the node keeps its own).
// The JSON line also gives this process's own event-loop lag per phase (benchLoopP99Ms…), the node's main, receiver and
// journal-writer threads' CPU time run and waited for per phase (nodeThreads…, from /proc) and the load average at the end.
// nodeAckP99Ms…: the node's own part of the ACK time per phase (its vigil_dc09_ack_seconds histogram, frame read → ACK
// written); receiverRealtime: the ACK path's SCHED_FIFO priority (VIGIL_DC09_RECEIVER_RT_PRIORITY; null: refused or off).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, setPriority } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { crc16 } from '../src/adapters/protocols/dc09/crc.js';
import { parseKey } from '../src/adapters/protocols/dc09/dc09-crypto.js';
import { Dc09Framer } from '../src/adapters/protocols/dc09/dc09-framer.js';
import { signalFrame } from '../src/adapters/protocols/dc09/dc09-reply.js';

const PANELS = Number(process.env.BENCH_PANELS ?? 1000);
const PERIOD_MS = Number(process.env.BENCH_PERIOD_MS ?? 2000);
const PHASE_S = Number(process.env.BENCH_PHASE_S ?? 30);
const REPLY_TIMEOUT_MS = 15_000;

function child(
  script: string,
  args: string[] = [],
  nodeArgs: string[] = [],
  nice?: number,
): { proc: ChildProcess; firstLine: Promise<string>; lines: string[] } {
  const command = [process.execPath, ...nodeArgs, '--import', 'tsx', join(import.meta.dirname, script), ...args];
  // Under `nice` every thread of the child (V8's and libuv's too) inherits the priority.
  const [file, ...argv] = nice === undefined ? command : ['nice', '-n', String(nice), ...command];
  const proc = spawn(file!, argv, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_PANELS: String(PANELS) },
  });
  const lines: string[] = [];
  const firstLine = new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) resolve(line);
    });
  });
  return { proc, firstLine, lines };
}

const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

// BENCH_NODE_ARGS: flags for the node's process only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see what holds its main thread).
const nodeProc = child('hostile-node.ts', [], (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean));
const node = JSON.parse(await nodeProc.firstLine) as {
  dataDir: string;
  tcp: number;
  udp: number;
  http: string;
  key: string;
  accounts: string[];
  tokens: Record<string, string>;
  threads?: { main: number | null; receiver?: number | null; journalWriter?: number | null; realtime?: number | null };
};
// The node's threads on the ACK path and its main thread: CPU time run and waited for (schedstat, ns) and niceness, per phase.
type ThreadTimes = Record<string, { runNs: number; waitNs: number; nice: number }>;
const threadTimes = (): ThreadTimes => {
  const out: ThreadTimes = {};
  for (const [name, tid] of Object.entries(node.threads ?? {})) {
    if (typeof tid !== 'number') continue;
    try {
      const [run, wait] = readFileSync(`/proc/${nodeProc.proc.pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      const stat = readFileSync(`/proc/${nodeProc.proc.pid}/task/${tid}/stat`, 'utf8');
      out[name] = { runNs: run!, waitNs: wait!, nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
    } catch {
      // The thread is gone (a restart): not reported.
    }
  }
  return out;
};
/** Per thread: milliseconds run and waited for a CPU per second of the phase, and its niceness. */
const threadsPerS = (from: ThreadTimes, to: ThreadTimes, seconds: number): Record<string, { runMsPerS: number; waitMsPerS: number; nice: number }> =>
  Object.fromEntries(
    Object.entries(to).flatMap(([name, t]) => {
      const f = from[name];
      if (!f) return [];
      const r = (ns: number) => Math.round(ns / 1e6 / seconds);
      return [[name, { runMsPerS: r(t.runNs - f.runNs), waitMsPerS: r(t.waitNs - f.waitNs), nice: t.nice }]];
    }),
  );
/** The node's own ACK-time histogram (vigil_dc09_ack_seconds: frame read → ACK written), cumulative counts by upper bound in ms. */
const nodeAckBuckets = async (): Promise<[number, number][]> => {
  const text = await (await fetch(`${node.http}/metrics`, { headers: { cookie: `vigil_session=${node.tokens.supervisor}` } })).text();
  return [...text.matchAll(/^vigil_dc09_ack_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)/gm)].map((m) => [
    m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000,
    Number(m[2]),
  ]);
};
/** A percentile of the ACKs between two readings of the histogram, interpolated inside its bucket (as Prometheus' histogram_quantile). */
const nodeAckPercentile = (from: [number, number][], to: [number, number][], p: number): number => {
  const counts = to.map(([le, n], i) => [le, n - (from[i]?.[1] ?? 0)] as const);
  const total = counts.at(-1)?.[1] ?? 0;
  const rank = (p / 100) * total;
  for (let i = 0; i < counts.length; i++) {
    const [le, n] = counts[i]!;
    if (n < rank) continue;
    const [lower, below] = i === 0 ? [0, 0] : counts[i - 1]!;
    return le === Infinity ? lower : lower + ((le - lower) * (rank - below)) / Math.max(1, n - below);
  }
  return Number.NaN;
};
const PANELS_NICE = process.env.BENCH_PANELS_NICE === undefined ? undefined : Number(process.env.BENCH_PANELS_NICE);
// Niceness is per thread on Linux: each of this process's threads (V8's, libuv's) is set; threads started later inherit the main thread's.
if (PANELS_NICE !== undefined) for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), PANELS_NICE);
const key = parseKey(node.key)!;
console.log(`node up: DC-09 tcp ${node.tcp}, ${node.accounts.length} keyed accounts`);

let phase: 'warm' | 'quiet' | 'attack' | 'stop' = 'warm';
const latencies: Record<'quiet' | 'attack', number[]> = { quiet: [], attack: [] };
let sent = 0;
let acked = 0;
let refused = 0;

/**
 * One panel: its own connection from one of 20 loopback addresses, a frame every period.
 * Replies are matched by sequence number; a frame without a reply after REPLY_TIMEOUT_MS
 * does not hold the panel up (the next one goes out) but stays awaited until the end.
 */
const outstanding = new Map<string, { started: number; phase: 'warm' | 'quiet' | 'attack' | 'stop' }>();
async function panel(i: number): Promise<void> {
  const account = node.accounts[i]!;
  const socket = connect({ port: node.tcp, host: '127.0.0.1', localAddress: `127.0.1.${1 + (i % 20)}` });
  socket.setNoDelay(true);
  await new Promise<void>((r, j) => (socket.once('connect', () => r()), socket.once('error', j)));
  const framer = new Dc09Framer();
  let next: (() => void) | null = null;
  socket.on('data', (d) => {
    for (const f of framer.push(d).frames) {
      const text = f.body.toString('latin1');
      const m = /^"(\*?ACK|NAK|DUH)"(\d{4})/.exec(text);
      const key = `${account}:${m?.[2]}`;
      const frame = outstanding.get(key);
      if (!m || !frame) continue;
      outstanding.delete(key);
      if (m[1] === '*ACK' && crc16(f.body) === f.crc) {
        acked++;
        if (frame.phase === 'quiet' || frame.phase === 'attack') latencies[frame.phase].push(performance.now() - frame.started);
      } else refused++;
      next?.();
    }
  });
  await sleep(Math.random() * PERIOD_MS);
  for (let seq = 1; phase !== 'stop'; seq++) {
    const started = performance.now();
    outstanding.set(`${account}:${String(seq % 10000).padStart(4, '0')}`, { started, phase });
    const replied = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, REPLY_TIMEOUT_MS);
      next = () => (clearTimeout(timer), resolve());
    });
    socket.write(signalFrame({ id: 'SIA-DCS', seq, account, data: `Nri1/BA${String(seq % 999).padStart(3, '0')}`, key, now: Date.now() }));
    sent++;
    await replied;
    next = null;
    await sleep(Math.max(0, PERIOD_MS - (performance.now() - started)));
  }
  // Late replies still count: wait for them a while before giving up.
  for (let waited = 0; waited < 30_000 && [...outstanding.keys()].some((k) => k.startsWith(`${account}:`)); waited += 250) await sleep(250);
  socket.destroy();
}

const panels = Array.from({ length: PANELS }, (_, i) => panel(i));
await sleep(PERIOD_MS + 2000);
phase = 'quiet';
// This process's own event-loop lag (1 000 panels' sockets on one loop): a reply it reads late counts as a late ACK.
const benchLoop = monitorEventLoopDelay({ resolution: 5 });
benchLoop.enable();
const threadsQuietFrom = threadTimes();
const nodeAckQuietFrom = await nodeAckBuckets();
await sleep(PHASE_S * 1000);
const nodeAckQuiet = await nodeAckBuckets();
const threadsQuiet = threadsPerS(threadsQuietFrom, threadTimes(), PHASE_S);
const benchLoopQuiet = benchLoop.percentile(99) / 1e6;
const rssQuiet = rssOf(nodeProc.proc.pid!);
console.log(
  `quiet: ${latencies.quiet.length} ACKs, p50 ${percentile(latencies.quiet, 50).toFixed(1)} ms, p99 ${percentile(latencies.quiet, 99).toFixed(1)} ms`,
);

const ATTACKER_NICE = process.env.BENCH_ATTACKER_NICE === undefined ? undefined : Number(process.env.BENCH_ATTACKER_NICE);
// `nice -n` is relative to this process's niceness: the attacker lands at ATTACKER_NICE (0 when unset) whatever the panels'.
const attacker = child(
  'hostile-attacker.ts',
  [JSON.stringify(node)],
  [],
  ATTACKER_NICE === undefined && PANELS_NICE === undefined ? undefined : (ATTACKER_NICE ?? 0) - (PANELS_NICE ?? 0),
);
await attacker.firstLine;
phase = 'warm';
await sleep(3000);
phase = 'attack';
benchLoop.reset();
const threadsAttackFrom = threadTimes();
const nodeAckAttackFrom = await nodeAckBuckets();
await sleep(PHASE_S * 1000);
const nodeAckAttack = await nodeAckBuckets();
const threadsAttack = threadsPerS(threadsAttackFrom, threadTimes(), PHASE_S);
const benchLoopAttack = benchLoop.percentile(99) / 1e6;
const rssAttack = rssOf(nodeProc.proc.pid!);
phase = 'stop';
attacker.proc.kill('SIGTERM');
await new Promise((r) => attacker.proc.once('exit', r));
const attack = JSON.parse(attacker.lines.at(-1) ?? '{}') as { attackerFramesAccepted?: number };
await Promise.all(panels);
console.log(
  `attack: ${latencies.attack.length} ACKs, p50 ${percentile(latencies.attack, 50).toFixed(1)} ms, p99 ${percentile(latencies.attack, 99).toFixed(1)} ms`,
);
console.log(`attacker: ${attacker.lines.at(-1)}`);
nodeProc.proc.kill('SIGTERM');
const forced = setTimeout(() => nodeProc.proc.kill('SIGKILL'), 15_000);
await new Promise((r) => nodeProc.proc.once('exit', r));
clearTimeout(forced);
rmSync(node.dataDir, { recursive: true, force: true });
console.log(`legitimate frames: ${sent} sent, ${acked} acknowledged, ${refused} refused, ${outstanding.size} never answered (30 s after the end)`);
const round = (x: number) => Math.round(x * 10) / 10;
console.log(
  JSON.stringify({
    bench: 'hostile',
    ackP99MsQuiet: round(percentile(latencies.quiet, 99)),
    ackP99MsUnderAttack: round(percentile(latencies.attack, 99)),
    ackP50MsQuiet: round(percentile(latencies.quiet, 50)),
    ackP50MsUnderAttack: round(percentile(latencies.attack, 50)),
    framesLost: sent - acked,
    attackerFramesAccepted: attack.attackerFramesAccepted ?? null,
    rssGrowthBytes: rssAttack - rssQuiet,
    // Not the node: how late this process's own loop ran (p99), so a reader sees how much of an ACK's p99 it may hold.
    benchLoopP99MsQuiet: round(benchLoopQuiet),
    benchLoopP99MsUnderAttack: round(benchLoopAttack),
    attackerNice: ATTACKER_NICE ?? null,
    panelsNice: PANELS_NICE ?? null,
    // The node's own part (vigil_dc09_ack_seconds: frame read → ACK written, interpolated in its buckets): what is left of the p99 is the kernel's and this process's.
    nodeAckP99MsQuiet: round(nodeAckPercentile(nodeAckQuietFrom, nodeAckQuiet, 99)),
    nodeAckP99MsUnderAttack: round(nodeAckPercentile(nodeAckAttackFrom, nodeAckAttack, 99)),
    // SCHED_FIFO priority of the receiver thread and its journal writer (VIGIL_DC09_RECEIVER_RT_PRIORITY), null: not real-time.
    receiverRealtime: node.threads?.realtime ?? null,
    // The node's main, receiver and journal-writer threads: ms run and ms waited for a CPU per second, niceness (Linux).
    nodeThreadsQuiet: threadsQuiet,
    nodeThreadsUnderAttack: threadsAttack,
    loadavg: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  }),
);
process.exit(0);
