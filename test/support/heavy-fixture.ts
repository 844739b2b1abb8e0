// Work for the pool's own tests (src/platform/heavy/heavy.test.ts): CPU-bound on purpose.
import { threadId } from 'node:worker_threads';
import { VigilError } from '../../src/kernel/errors.js';

/** Busy for `ms` of CPU, then tells which thread it ran on. */
export function spin(input: { ms: number }): { threadId: number } {
  const until = performance.now() + input.ms;
  while (performance.now() < until) {
    // burn CPU the way a big evacuation plan does
  }
  return { threadId };
}

export function refuse(): never {
  throw new VigilError('bad_request', 'the position is more than 1000 m from any road');
}

/** The niceness of the thread the task runs on (Linux: per thread). */
export async function priority(): Promise<{ nice: number; threadId: number }> {
  const { getPriority } = await import('node:os');
  return { nice: getPriority(), threadId };
}
