import { threadId } from 'node:worker_threads';
import { runInWorker } from '../../platform/heavy/worker-pool.js';
import type { CapAlert } from './cap-model.js';
import { CAP_TOO_LARGE, MAX_CAP_BYTES, parseCapXml } from './cap-xml.js';
import { VigilError } from '../../kernel/errors.js';

/** Thread of the last off-thread parse (tests show it was not the main thread). */
export const lastCapParse = { threadId: -1 };

/** Runs in a pool worker: reading a MiB of areas costs 60–110 ms of CPU, which must not hold DC-09 ACKs. */
export function parseCapInWorker(input: { xml: string }): { cap: CapAlert; threadId: number } {
  return { cap: parseCapXml(input.xml), threadId };
}

/** Refuses an oversized document before any work (413), then reads it in the worker pool (niced, see worker-pool.ts). */
export async function parseCapOffThread(xml: string): Promise<CapAlert> {
  if (Buffer.byteLength(xml) > MAX_CAP_BYTES) throw new VigilError('payload_too_large', CAP_TOO_LARGE);
  const out = await runInWorker<{ cap: CapAlert; threadId: number }>({ module: new URL(import.meta.url), fn: 'parseCapInWorker', input: { xml } });
  lastCapParse.threadId = out.threadId;
  return out.cap;
}
