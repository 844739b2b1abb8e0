/**
 * `npm run bench:first-start`: time from `vigil serve` (as `npm start` runs it) on a fresh data
 * folder to a healthy node (GET /api/health answers 200), and to the demo city being ready
 * (health says `demo: ready`, or the first healthy answer when the node loads it before listening).
 * Runs the real binary in a child process; ends with one JSON line. Also the CPU time (user + system, every
 * thread, from /proc on Linux; null elsewhere) the node spent until the demo city was ready: steadier than
 * the wall clock on a shared machine, where the wall clock measures the share of the CPUs a run got.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.RUNS ?? 1);
const PORT = 18_600 + Math.floor(Math.random() * 300);

/** CPU milliseconds (user + system, all threads) a process has used so far; null without /proc. */
function cpuMsOf(pid: number | undefined): number | null {
  const stat = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(stat)) return null;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function once(): Promise<{ healthyMs: number; demoReadyMs: number; demoReadyCpuMs: number | null; restartHealthyMs: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-first-start-'));
  const env = {
    ...process.env,
    VIGIL_DATA_DIR: dataDir,
    VIGIL_PORT: String(PORT),
    VIGIL_DC09_PORT: 'off',
    VIGIL_MQTT_EMBEDDED_PORT: 'off',
    VIGIL_LOG_LEVEL: 'warn',
  };
  const start = async (): Promise<{ healthyMs: number; demoReadyMs: number; demoReadyCpuMs: number | null; stop: () => Promise<void> }> => {
    const started = performance.now();
    const child = spawn(process.execPath, ['bin/vigil.js', 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    let healthyMs = -1;
    let demoReadyMs: number;
    let demoReadyCpuMs: number | null;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`vigil serve exited with ${child.exitCode}`);
      try {
        const r = await fetch(`http://127.0.0.1:${PORT}/api/health`);
        if (r.ok) {
          const body = (await r.json()) as { demo?: string };
          if (healthyMs < 0) healthyMs = performance.now() - started;
          if (body.demo === undefined || body.demo === 'ready') {
            demoReadyMs = performance.now() - started;
            demoReadyCpuMs = cpuMsOf(child.pid);
            break;
          }
          if (body.demo === 'failed') throw new Error('the demo city failed to load');
        }
      } catch (error) {
        if ((error as Error).message.includes('demo')) throw error;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const stop = (): Promise<void> =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    return { healthyMs, demoReadyMs, demoReadyCpuMs, stop };
  };
  try {
    const first = await start();
    await first.stop();
    const again = await start();
    await again.stop();
    return { healthyMs: first.healthyMs, demoReadyMs: first.demoReadyMs, demoReadyCpuMs: first.demoReadyCpuMs, restartHealthyMs: again.healthyMs };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = [];
for (let i = 0; i < RUNS; i++) results.push(await once());
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const healthyMs = Math.round(median(results.map((r) => r.healthyMs)));
const demoReadyMs = Math.round(median(results.map((r) => r.demoReadyMs)));
const restartHealthyMs = Math.round(median(results.map((r) => r.restartHealthyMs)));
const cpu = results.map((r) => r.demoReadyCpuMs).filter((x): x is number => x !== null);
const demoReadyCpuMs = cpu.length === results.length ? Math.round(median(cpu)) : null;
const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
console.log(
  `fresh data folder → healthy: ${healthyMs} ms; → demo city ready: ${demoReadyMs} ms (CPU ${demoReadyCpuMs ?? '–'} ms); restart → healthy: ${restartHealthyMs} ms (runs ${RUNS}, load ${load})`,
);
console.log(JSON.stringify({ bench: 'first-start', healthyMs, demoReadyMs, demoReadyCpuMs, restartHealthyMs, runs: RUNS, loadavg: load }));
