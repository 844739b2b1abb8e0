// Shared by the heavy-work threads' entries (worker-entry.mjs, xsd-validator-thread.mjs): plain
// JavaScript, so it loads before any TypeScript loader is registered.
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers the calling thread's priority `nice` steps below its own (capped at 19). On Linux niceness is
 * per thread, so heavy work yields the cores to the alarm path; threads this one starts inherit it.
 * Where lowering is not permitted (some containers) the thread runs on at its priority.
 */
export function lowerThisThread(nice) {
  if (!Number.isInteger(nice) || nice <= 0) return;
  try {
    setPriority(Math.min(19, getPriority() + nice));
  } catch {
    // Not permitted here: the work still runs, at the node's priority.
  }
}
