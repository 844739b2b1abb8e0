import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { VigilError, type ErrorCode } from '../../kernel/errors.js';
import { tuning } from '../../kernel/tuning.js';

/**
 * The one pool of worker threads for CPU-heavy requests (evacuation plans,
 * coverage, hash-chain checks, OSM parsing). Threads are a process resource, so
 * there is one pool per process, created on first use and closed with the node.
 *
 * Sources are TypeScript loaded through tsx; a worker thread does not inherit the
 * loader registered in the main thread on Node 20, so every worker starts from
 * worker-entry.mjs, which registers tsx and then imports the task's module.
 */
export interface WorkerTask {
  /** The module (import.meta.url-relative URL) exporting the function. */
  module: URL;
  /** The exported function's name; it receives `input` and may return a promise. */
  fn: string;
  input: unknown;
  transferList?: (ArrayBuffer | MessagePort)[];
  signal?: AbortSignal;
}

function defaultThreads(): number {
  // Leave a core to the main thread: it answers alarms.
  return tuning('VIGIL_WORKER_THREADS') ?? Math.max(1, Math.min(4, availableParallelism() - 1));
}

const ENTRY = fileURLToPath(new URL('./worker-entry.mjs', import.meta.url));

let pool: Piscina | null = null;

function thePool(): Piscina {
  pool ??= new Piscina({
    minThreads: 0,
    maxThreads: defaultThreads(),
    // Long enough to keep a worker's caches (road graphs) between requests of a busy minute.
    idleTimeout: tuning('VIGIL_WORKER_IDLE_MS')!,
    filename: ENTRY,
    // The main thread's flags (--import tsx, --test …) mean nothing to a worker.
    execArgv: [],
    // Each worker lowers its own priority first (worker-entry.mjs): on Linux niceness is per thread,
    // so the main thread (DC-09 ACKs, MQTT, /api/health) and the SQLite writer keep theirs.
    env: { ...process.env, VIGIL_WORKER_NICE: String(tuning('VIGIL_WORKER_NICE')) },
    // Tasks wait here; the job gates in front bound how many come. Not 'auto' (threads², 1 on a
    // 2-core machine): several gates' tasks at once then failed with "Task queue is at limit" (a 500).
    maxQueue: Infinity,
  });
  return pool;
}

/** Tasks finished per function name: what tests and metrics count when other work shares the pool. */
const finishedByFn = new Map<string, number>();

/** Runs `fn` of `module` in a worker thread and resolves with its result. */
export async function runInWorker<T>(task: WorkerTask): Promise<T> {
  const result = (await thePool()
    .run(
      { module: task.module.href, fn: task.fn, input: task.input },
      {
        ...(task.transferList ? { transferList: task.transferList as never } : {}),
        ...(task.signal ? { signal: task.signal } : {}),
      },
    )
    .finally(() => finishedByFn.set(task.fn, (finishedByFn.get(task.fn) ?? 0) + 1))) as
    T | { vigilError?: { code: ErrorCode; message: string; details: unknown } };
  const refused = (result as { vigilError?: { code: ErrorCode; message: string; details: unknown } } | null)?.vigilError;
  if (refused) throw new VigilError(refused.code, refused.message, refused.details ?? undefined);
  return result as T;
}

/** How many tasks of the function `fn` have finished (resolved or failed) in this process. */
export function workerTasksFinished(fn: string): number {
  return finishedByFn.get(fn) ?? 0;
}

/** Stops the pool's threads (the next task starts a new pool). */
export async function closeWorkerPool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.destroy();
}
