import { threadId } from 'node:worker_threads';
import { runInWorker } from '../../platform/heavy/worker-pool.js';
import type { CapAlert } from './cap-model.js';
import { withoutLongResources, type OmittedResource } from './cap-resources.js';
import { capFindings, type CapFinding } from './cap-rules.js';
import { CAP_TOO_LARGE, MAX_CAP_BYTES, parseCapXml } from './cap-xml.js';
import { VigilError } from '../../kernel/errors.js';

/** Thread of the last off-thread parse, and of the last off-thread rules check (tests show it was not the main thread). */
export const lastCapParse = { threadId: -1, checkedOnThread: -1 };

/** A CAP 1.2 document read and checked in the worker pool (readCapOffThread). */
export interface ReadCap {
  cap: CapAlert;
  /** The rules' findings (cap-rules.ts): errors refuse the import. */
  findings: CapFinding[];
  /** The alert without its long embedded resources; null when nothing was left out (then it is `cap`), or when the rules refuse it. */
  kept: CapAlert | null;
  omitted: OmittedResource[];
  /** The length of the kept alert's JSON (the import's record must fit in one event). */
  keptChars: number;
}

/**
 * Runs in a pool worker: parsing, the rules (a point-in-polygon check per vertex of every
 * area) and the copy without long resources are each tens of ms for a MiB of areas.
 */
export function readCapInWorker(input: { xml: string }): ReadCap & { threadId: number } {
  const cap = parseCapXml(input.xml);
  const findings = capFindings(cap);
  if (findings.some((f) => f.level === 'error')) return { cap, findings, kept: null, omitted: [], keptChars: 0, threadId };
  const { cap: kept, omitted } = withoutLongResources(cap);
  return { cap, findings, kept: omitted.length > 0 ? kept : null, omitted, keptChars: JSON.stringify(kept).length, threadId };
}

/** Refuses an oversized document before any work (413), then reads and checks it in the worker pool (niced, see worker-pool.ts). */
export async function readCapOffThread(xml: string): Promise<ReadCap> {
  if (Buffer.byteLength(xml) > MAX_CAP_BYTES) throw new VigilError('payload_too_large', CAP_TOO_LARGE);
  const { threadId: on, ...read } = await runInWorker<ReadCap & { threadId: number }>({
    module: new URL(import.meta.url),
    fn: 'readCapInWorker',
    input: { xml },
  });
  lastCapParse.threadId = lastCapParse.checkedOnThread = on;
  return read;
}
