import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

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
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19 - 3]);
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
