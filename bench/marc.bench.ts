// npm run bench:marc — the alarm receiver under a panel-like load (bench/marc-load.ts:
// each connection sends a frame, waits for its reply, sends the next; every ACK means
// the frame is durable). Phases, each BENCH_SECONDS long:
//   alarms  BENCH_CONNECTIONS (100) panels, one account each, SIA-DCS alarm frames → framesPerSec
//   polls   the same panels sending NULL polls                                     → pollsPerSec
//   mix     BENCH_MIX_CONNECTIONS (1000) panels over as many accounts, 9 polls to 1 alarm → mixFramesPerSec
//           (driven by BENCH_LOAD_WORKERS worker threads, 2 above 2 000 panels: bench/marc-load-worker.ts)
//   paced   the mix paced at half mixFramesPerSec                                  → p50AckMs, p99AckMs
// then frame → operator's WebSocket latency (p99ToScreenMs) and supervision of
// BENCH_PATHS (1 000 000) paths. CPU per frame is the node process's (all threads) and
// its main thread's, from /proc, over the alarm and poll phases. The node runs in a child
// process (bench/marc-node.ts). After the alarm phase, what it wrote to the node's log per frame
// (eventsPerFrame, logBytesPerFrame). BENCH_ENCRYPTED=1: every account has its own AES key and
// every frame is encrypted ('*SIA-DCS', '*NULL'; "encrypted": true in the JSON line); run it both
// ways to see what decryption costs. Ends with one JSON line {"bench":"marc",...}.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { SupervisionMonitor } from '../src/alarms/supervision/monitor.js';
import { FileHeardCheckpoint } from '../src/adapters/stores/file-heard-checkpoint.js';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ENCRYPTED, Panel, panelAccount } from './marc-load.js';
import { connectPanels, flatMix, pacedMix, type LoadAnswer, type LoadCommand } from './marc-load-worker.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const MIX_CONNECTIONS = Number(process.env.BENCH_MIX_CONNECTIONS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const PATHS = Number(process.env.BENCH_PATHS ?? 1_000_000);
const PHASES = (process.env.BENCH_PHASES ?? 'alarms,polls,mix,paced,screen').split(',');
/** Worker threads of the load generator for the mix and paced phases (0: this thread drives them). */
const LOAD_WORKERS = Number(process.env.BENCH_LOAD_WORKERS ?? (MIX_CONNECTIONS > 2000 ? 2 : 0));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2) : NaN;
};

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-marc-'));
const node = spawn(
  process.execPath,
  [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', join(import.meta.dirname, 'marc-node.ts'), dataDir],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_ACCOUNTS: String(Math.max(CONNECTIONS, MIX_CONNECTIONS)) } },
);
const { url, tcpPort } = await new Promise<{ url: string; tcpPort: number }>((resolve) =>
  node.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()))),
);
/** CPU ticks (1/100 s) of the node: all threads, its main thread, and each thread by id. */
const cpuTicks = (): { all: number; main: number; threads: Map<string, number> } => {
  const ticks = (file: string): number => {
    const f = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const threads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${node.pid}/task`)) {
    try {
      threads.set(tid, ticks(`/proc/${node.pid}/task/${tid}/stat`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return { all: ticks(`/proc/${node.pid}/stat`), main: ticks(`/proc/${node.pid}/task/${node.pid}/stat`), threads };
};
/** µs per frame of the node's busiest threads (by thread id; the main thread's id is the process's): which thread the CPU goes to. */
const perThread = (t0: ReturnType<typeof cpuTicks>, t1: ReturnType<typeof cpuTicks>, frames: number): string =>
  [...t1.threads]
    .map(([tid, t]) => [tid, ((t - (t0.threads.get(tid) ?? 0)) * 10_000) / Math.max(1, frames)] as const)
    .filter(([, us]) => us >= 1)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([tid, us]) => `${tid === String(node.pid) ? 'main' : tid} ${us.toFixed(1)}`)
    .join(', ');
const out: Record<string, unknown> = {
  bench: 'marc',
  encrypted: ENCRYPTED,
  connections: CONNECTIONS,
  mixConnections: MIX_CONNECTIONS,
  loadAvg1: +loadavg()[0]!.toFixed(2),
};
/**
 * What the alarm phase wrote to the node's log (its SQLite file, read here read-only): events and
 * bytes (the rows' text: ids, type, subject, actor, time, data, hashes; not SQLite's pages or indexes)
 * per alarm frame recorded. Waits for the node's main thread to record what the receiver journalled.
 */
async function logPerFrame(afterSeq: number, acked: number): Promise<{ eventsPerFrame: number; logBytesPerFrame: number; recordedFrames: number }> {
  const db = new Database(join(dataDir, 'vigil.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const frames = db.prepare("SELECT count(*) AS n, max(seq) AS last FROM events WHERE seq > ? AND type = 'alarms.signal.received'");
    let f = frames.get(afterSeq) as { n: number; last: number | null };
    for (let waited = 0; f.n < acked && waited < 60_000; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      f = frames.get(afterSeq) as { n: number; last: number | null };
    }
    // Up to the last frame's event and the decisions written after it in the same commit (older code: a separate event).
    const row = db
      .prepare(
        `SELECT count(*) AS events, sum(length(CAST(id AS BLOB)) + length(CAST(type AS BLOB)) + length(CAST(subject AS BLOB)) + length(CAST(coalesce(org_id, '') AS BLOB))
           + length(CAST(actor AS BLOB)) + length(CAST(coalesce(reason, '') AS BLOB)) + length(CAST(at AS BLOB)) + length(CAST(data AS BLOB)) + length(prev_hash) + length(hash)) AS bytes
         FROM events WHERE seq > ? AND seq <= ? AND type LIKE 'alarms.%'`,
      )
      .get(afterSeq, (f.last ?? afterSeq) + 1) as { events: number; bytes: number | null };
    return {
      eventsPerFrame: +(row.events / Math.max(1, f.n)).toFixed(3),
      logBytesPerFrame: Math.round((row.bytes ?? 0) / Math.max(1, f.n)),
      recordedFrames: f.n,
    };
  } finally {
    db.close();
  }
}
const lastSeq = (): number => {
  const db = new Database(join(dataDir, 'vigil.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
  } finally {
    db.close();
  }
};
/**
 * BENCH_PHASE_WINDOWS=file: each phase's start and end on the monotonic clock, in µs — the
 * clock of a `--cpu-prof` profile's samples, so a profile of the node (BENCH_NODE_ARGS) can be
 * cut to one phase (scripts/cpuprofile-top.mjs --from --to).
 */
const windows: Record<string, [number, number]> = {};
const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);
/** The load generator's CPU (this process, all its threads) per ACK: what it takes of the node's two vCPUs. */
const genUs = (since: NodeJS.CpuUsage, acked: number): number => {
  const u = process.cpuUsage(since);
  return +((u.user + u.system) / Math.max(1, acked)).toFixed(1);
};

/** Every panel sends as fast as replies come back for SECONDS; returns ACKs/s and node CPU µs per ACK. */
async function flat(
  panels: Panel[],
  next: (p: Panel, i: number, n: number) => 'alarm' | 'poll',
  phase: string,
): Promise<{ perSec: number; cpuUs: number; mainUs: number; genUs: number; threads: string; nacked: number }> {
  let acked = 0;
  let nacked = 0;
  const cpu0 = cpuTicks();
  const gen0 = process.cpuUsage();
  const mono0 = monoUs();
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    panels.map(async (p, i) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const r = await p.send(next(p, i, n), (n % 999) + 1);
        if (r.ack) acked++;
        else nacked++;
      }
    }),
  );
  const s = (performance.now() - started) / 1000;
  const cpu1 = cpuTicks();
  windows[phase] = [mono0, monoUs()];
  return {
    perSec: Math.round(acked / s),
    cpuUs: +(((cpu1.all - cpu0.all) * 10_000) / Math.max(1, acked)).toFixed(1),
    mainUs: +(((cpu1.main - cpu0.main) * 10_000) / Math.max(1, acked)).toFixed(1),
    genUs: genUs(gen0, acked),
    threads: perThread(cpu0, cpu1, acked),
    nacked,
  };
}

/** The mix's panels, driven here or by worker threads that each take a share. */
class MixLoad {
  private constructor(
    private readonly local: Panel[],
    private readonly workers: Worker[],
  ) {}

  static async open(port: number, count: number, workers: number): Promise<MixLoad> {
    if (workers <= 0) return new MixLoad(await connectPanels(port, 0, count), []);
    const ws = Array.from({ length: workers }, () => new Worker(new URL('./marc-load-worker.mjs', import.meta.url)));
    const load = new MixLoad([], ws);
    const share = Math.ceil(count / workers);
    await Promise.all(ws.map((w, k) => load.ask(w, { cmd: 'connect', port, first: k * share, count: Math.max(0, Math.min(share, count - k * share)) })));
    return load;
  }

  private ask(w: Worker, command: LoadCommand): Promise<LoadAnswer> {
    return new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.postMessage(command);
    });
  }

  async flat(seconds: number): Promise<{ acked: number; nacked: number }> {
    if (this.workers.length === 0) return flatMix(this.local, 0, seconds);
    const answers = await Promise.all(this.workers.map((w) => this.ask(w, { cmd: 'flat', seconds })));
    let acked = 0;
    let nacked = 0;
    for (const a of answers) {
      if (a.cmd !== 'flat') continue;
      acked += a.acked;
      nacked += a.nacked;
    }
    return { acked, nacked };
  }

  async paced(seconds: number, intervalMs: number): Promise<number[]> {
    if (this.workers.length === 0) return pacedMix(this.local, 0, seconds, intervalMs);
    const answers = await Promise.all(this.workers.map((w) => this.ask(w, { cmd: 'paced', seconds, intervalMs })));
    return answers.flatMap((a) => (a.cmd === 'paced' ? a.latencies : []));
  }

  async close(): Promise<void> {
    this.local.forEach((p) => p.close());
    await Promise.all(this.workers.map((w) => this.ask(w, { cmd: 'close' }).then(() => w.terminate())));
  }
}

try {
  const panels = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => Panel.connect(tcpPort, panelAccount(i))));
  // A short warm-up so the JIT has seen the path.
  await Promise.all(
    panels.map(async (p) => {
      for (let n = 0; n < 20; n++) await p.send(n % 2 ? 'alarm' : 'poll', n + 1);
    }),
  );
  if (PHASES.includes('alarms')) {
    // The warm-up's frames recorded first, so the phase's log is its own.
    const warm = await logPerFrame(0, panels.length * 10);
    const seq0 = lastSeq();
    const r = await flat(panels, () => 'alarm', 'alarms');
    const acked = Math.round(r.perSec * SECONDS);
    console.log(
      `alarms${ENCRYPTED ? ' (encrypted)' : ''}: ${CONNECTIONS} panels, ${r.perSec} frames/s ACKed durable, node CPU ${r.cpuUs} µs/frame (main thread ${r.mainUs}), generator ${r.genUs} µs/frame, not ACKed ${r.nacked}; µs/frame by thread: ${r.threads}`,
    );
    Object.assign(out, { framesPerSec: r.perSec, cpuUsPerFrame: r.cpuUs, mainThreadUsPerFrame: r.mainUs, generatorUsPerFrame: r.genUs });
    if (warm.recordedFrames >= panels.length * 10) {
      const log = await logPerFrame(seq0, Math.floor(acked * 0.99));
      console.log(`alarms' log: ${log.recordedFrames} frames recorded, ${log.eventsPerFrame} events and ${log.logBytesPerFrame} bytes per frame`);
      Object.assign(out, { eventsPerFrame: log.eventsPerFrame, logBytesPerFrame: log.logBytesPerFrame });
    }
  }
  if (PHASES.includes('polls')) {
    const r = await flat(panels, () => 'poll', 'polls');
    console.log(
      `polls: ${CONNECTIONS} panels, ${r.perSec} polls/s ACKed, node CPU ${r.cpuUs} µs/poll (main thread ${r.mainUs}), generator ${r.genUs} µs/poll, not ACKed ${r.nacked}; µs/poll by thread: ${r.threads}`,
    );
    Object.assign(out, { pollsPerSec: r.perSec, cpuUsPerPoll: r.cpuUs, mainThreadUsPerPoll: r.mainUs, generatorUsPerPoll: r.genUs });
  }
  panels.forEach((p) => p.close());

  let mixRate = 0;
  // The mix's panels: in this process, or spread over BENCH_LOAD_WORKERS worker threads.
  const mix = PHASES.includes('mix') || PHASES.includes('paced') ? await MixLoad.open(tcpPort, MIX_CONNECTIONS, LOAD_WORKERS) : null;
  if (mix && PHASES.includes('mix')) {
    const cpu0 = cpuTicks();
    const gen0 = process.cpuUsage();
    const mono0 = monoUs();
    const started = performance.now();
    const r = await mix.flat(SECONDS);
    const s = (performance.now() - started) / 1000;
    const cpu1 = cpuTicks();
    windows.mix = [mono0, monoUs()];
    const genUsPerFrame = genUs(gen0, r.acked);
    const perSec = Math.round(r.acked / s);
    const cpuUs = +(((cpu1.all - cpu0.all) * 10_000) / Math.max(1, r.acked)).toFixed(1);
    const mainUs = +(((cpu1.main - cpu0.main) * 10_000) / Math.max(1, r.acked)).toFixed(1);
    mixRate = perSec;
    console.log(
      `mix: ${MIX_CONNECTIONS} panels (${LOAD_WORKERS || 'no'} load workers), 9 polls : 1 alarm, ${perSec} frames/s ACKed, node CPU ${cpuUs} µs/frame (main thread ${mainUs}), generator ${genUsPerFrame} µs/frame, not ACKed ${r.nacked}; µs/frame by thread: ${perThread(cpu0, cpu1, r.acked)}`,
    );
    Object.assign(out, {
      mixFramesPerSec: perSec,
      cpuUsPerMixFrame: cpuUs,
      mainThreadUsPerMixFrame: mainUs,
      generatorUsPerMixFrame: genUsPerFrame,
      mixNotAcked: r.nacked,
    });
  }
  if (mix && PHASES.includes('paced')) {
    const rate = Math.max(100, Math.round((mixRate || Number(process.env.BENCH_RATE ?? 5000) * 2) / 2));
    const start = performance.now();
    const mono0 = monoUs();
    const latencies = await mix.paced(SECONDS, (1000 * MIX_CONNECTIONS) / rate);
    windows.paced = [mono0, monoUs()];
    const achieved = Math.round(latencies.length / ((performance.now() - start) / 1000));
    console.log(`paced mix at ${rate}/s (achieved ${achieved}/s): ACK p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms`);
    Object.assign(out, { pacedRate: achieved, p50AckMs: pct(latencies, 50), p99AckMs: pct(latencies, 99) });
  }
  await mix?.close();
  if (process.env.BENCH_PHASE_WINDOWS) writeFileSync(process.env.BENCH_PHASE_WINDOWS, JSON.stringify(windows));

  if (PHASES.includes('screen')) {
    // Frame → operator's screen: time until the live WebSocket delivers the signal.
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
    const demo = await Promise.all(Array.from({ length: 20 }, (_, i) => Panel.connect(tcpPort, (0x1000 + i).toString(16).toUpperCase())));
    for (let n = 0; n < 500; n++) {
      const p = demo[n % demo.length]!;
      const zone = 100 + n;
      sentAt.set(`${p.account}:${zone}`, performance.now());
      void p.send('alarm', zone);
      await new Promise((r) => setTimeout(r, 4));
    }
    await new Promise((r) => setTimeout(r, 1000));
    ws.close();
    demo.forEach((p) => p.close());
    console.log(`to screen: ${toScreen.length}/500 signals delivered over WebSocket, p50 ${pct(toScreen, 50)} ms, p99 ${pct(toScreen, 99)} ms`);
    out.p99ToScreenMs = pct(toScreen, 99);
  }
} finally {
  node.kill('SIGTERM');
  await new Promise((r) => node.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}

if (PATHS > 0) {
  // Supervision of a million paths, simulated time, 250 ms ticks.
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
  // The heard-state checkpoint of these paths (every 5 s on a node): the event loop's share, and when it is durable.
  const checkpointDir = mkdtempSync(join(tmpdir(), 'vigil-bench-heard-'));
  const store = new FileHeardCheckpoint(join(checkpointDir, 'supervision-heard.bin'));
  const mainMs: number[] = [];
  const durableMs: number[] = [];
  for (let round = 0; round < 4; round++) {
    const start = performance.now();
    const saving = store.save({ savedAt: t0, clean: false, ...monitor.snapshot() });
    mainMs.push(performance.now() - start);
    await saving;
    durableMs.push(performance.now() - start);
  }
  const bytes = statSync(join(checkpointDir, 'supervision-heard.bin')).size;
  rmSync(checkpointDir, { recursive: true, force: true });
  // The first round also encodes the names (once, until paths are added): the steady state is the median of the others.
  const median = (xs: number[]): number => +[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1);
  console.log(
    `heard checkpoint: ${(bytes / 1e6).toFixed(1)} MB, event loop ${mainMs.map((m) => m.toFixed(1)).join(' / ')} ms, durable after ${durableMs.map((m) => m.toFixed(1)).join(' / ')} ms`,
  );
  out.checkpointMainMs = median(mainMs.slice(1));
  out.checkpointDurableMs = median(durableMs.slice(1));
  out.checkpointBytesPerPath = Math.round(bytes / PATHS);
}
out.loadAvg1After = +loadavg()[0]!.toFixed(2);
console.log(JSON.stringify(out));
