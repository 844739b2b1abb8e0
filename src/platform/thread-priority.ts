import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { promisify } from 'node:util';

/**
 * Thread priorities on Linux, where niceness is per thread (a thread is a task): `os.setPriority(0, n)`
 * in a thread changes that thread alone, and a thread starts at the niceness of the thread that created
 * it. Any thread may lower its own priority; raising it again needs CAP_SYS_NICE (or RLIMIT_NICE).
 */

/** This thread's id (Linux: /proc/thread-self), or null where there is no such file. */
export function currentThreadId(): number | null {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').at(-1));
  } catch {
    return null;
  }
}

/** The niceness of one of this process's threads (field 19 of /proc/self/task/<tid>/stat), or null. */
export function threadNice(tid: number): number | null {
  const fields = statFields(tid);
  return fields ? Number(fields[19 - 3]) : null;
}

/** The fields of /proc/self/task/<tid>/stat from field 3 on (index 0 is field 3), or null where it cannot be read. */
function statFields(tid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Every thread of this process with its niceness (tests; empty where there is no /proc). */
export function threadsNice(): { tid: number; nice: number }[] {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return [];
  }
  return tids.flatMap((t) => {
    const nice = threadNice(Number(t));
    return nice === null ? [] : [{ tid: Number(t), nice }];
  });
}

/** The node's niceness before `lowerNodeExcept` lowered it (null: not lowered). */
let nodeBase: number | null = null;

/**
 * Lowers the node below the threads in `keep` (the DC-09 receiver thread and its journal writer: the
 * ACK path), once per process: the calling thread (the main thread) and every other thread of the
 * process already running — V8's platform threads (the main heap's concurrent GC), libuv's thread pool
 * (the HTTP side's file I/O, zlib, crypto), the SQLite writer — go to `by` steps of niceness below the
 * node's, and threads already below it (the heavy-work pool's, started before this) go `by` steps
 * further, so they stay below the main thread (the pool's worker at 10 stayed at 10 — level with the
 * main thread it should yield to — under an attack's heavy requests, 600 ms of CPU a second; now 19).
 * Threads started after inherit the main thread's. Linux
 * only (elsewhere niceness is per process, and lowering it would lower the receiver too). Returns the
 * niceness before and after and how many threads were lowered, or null when `by` is 0, it was done
 * already, or this is not Linux.
 */
export function lowerNodeExcept(by: number, keep: readonly number[]): { from: number; to: number; threads: number } | null {
  if (by <= 0 || nodeBase !== null || process.platform !== 'linux') return null;
  const self = currentThreadId();
  if (self === null || keep.length === 0) return null;
  const from = getPriority();
  const to = Math.min(19, from + by);
  let threads = 0;
  for (const { tid, nice } of threadsNice()) {
    if (keep.includes(tid) || nice >= 19) continue;
    try {
      // Any thread may lower a thread of its own process (same user); only raising needs CAP_SYS_NICE.
      setPriority(tid === self ? 0 : tid, Math.min(19, Math.max(to, nice + by)));
      threads++;
    } catch {
      // Gone meanwhile, or refused: it keeps its priority.
    }
  }
  nodeBase = from;
  return { from, to, threads };
}

/** The node's niceness before it was lowered (`lowerNodeExcept`), or the calling thread's now when it was not. */
export function nodeBaseNice(): number {
  return nodeBase ?? getPriority();
}

/** A thread's scheduling policy and real-time priority (fields 41 and 40 of /proc/self/task/<tid>/stat), or null. */
export function threadScheduling(tid: number): { policy: 'other' | 'fifo' | 'rr' | 'batch' | 'idle' | 'deadline'; rtPriority: number } | null {
  const fields = statFields(tid);
  const policy = fields ? (['other', 'fifo', 'rr', 'batch', undefined, 'idle', 'deadline'] as const)[Number(fields[41 - 3])] : undefined;
  return policy ? { policy, rtPriority: Number(fields![40 - 3]) } : null;
}

/** What `raiseToRealtime` did: the priority the threads run at, or why they keep their niceness. */
export type RealtimeOutcome = { realtime: number; refused: null } | { realtime: null; refused: string };

const execFileAsync = promisify(execFile);

/**
 * Puts threads of this process under SCHED_FIFO at `priority` (1–99), with reset-on-fork so nothing
 * they start inherits it. Why: under EEVDF a waking thread at niceness 0 may wait up to a slice
 * (~1.5 ms on two CPUs) for a niced thread already running, at each of the ACK path's four wake-ups;
 * a real-time thread preempts it at once (measured in docs/benchmarks.md). Needs CAP_SYS_NICE or an
 * RLIMIT_RTPRIO of at least `priority` (systemd: LimitRTPRIO=, Docker: --ulimit rtprio=); Linux's
 * real-time throttling (sched_rt_runtime_us, 95 %) still leaves the rest of the machine a share should
 * one of them spin. Node has no call for it, so util-linux's `chrt` sets it. All or none: a thread
 * that cannot be raised puts back those that were.
 */
export async function raiseToRealtime(tids: readonly number[], priority: number): Promise<RealtimeOutcome> {
  if (process.platform !== 'linux') return { realtime: null, refused: 'real-time scheduling is set on Linux only' };
  const done: number[] = [];
  try {
    for (const tid of tids) {
      await execFileAsync('chrt', ['--fifo', '--reset-on-fork', '--pid', String(priority), String(tid)], { timeout: 5_000 });
      done.push(tid);
    }
    return { realtime: priority, refused: null };
  } catch (error) {
    for (const tid of done) await execFileAsync('chrt', ['--other', '--pid', '0', String(tid)], { timeout: 5_000 }).catch(() => undefined);
    const detail = error instanceof Error ? (error as { stderr?: string }).stderr?.trim() || error.message : String(error);
    return { realtime: null, refused: detail.split('\n')[0]! };
  }
}
