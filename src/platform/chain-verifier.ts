import { eventHash } from './event-hash.js';
import { GENESIS_HASH, type EventLog, type StoredEvent } from './event-log.js';
import { runInWorker } from './heavy/worker-pool.js';

export interface ChainVerification {
  ok: boolean;
  checked: number;
  lastSeq: number;
  /** First event whose stored hash, predecessor link or sequence number is wrong. */
  firstBrokenSeq: number | null;
  problem: string | null;
  ms: number;
}

/** One batch's verdict: where the chain stands after it, or the first broken event in it. */
export interface BatchCheck {
  prevHash: string;
  expectedSeq: number;
  checked: number;
  firstBrokenSeq: number | null;
  problem: string | null;
  /** The thread that hashed the batch (tests show it was not the main thread). */
  threadId: number;
}

const BATCH = 5000;

/** Recomputes the hashes of one batch of consecutive events. Runs in a worker thread for the HTTP route (see `inWorker`). */
export async function checkBatch(input: { prevHash: string; expectedSeq: number; events: StoredEvent[] }): Promise<BatchCheck> {
  const { threadId } = await import('node:worker_threads');
  let { prevHash, expectedSeq } = input;
  let checked = 0;
  const broken = (seq: number, problem: string): BatchCheck => ({ prevHash, expectedSeq, checked, firstBrokenSeq: seq, problem, threadId });
  for (const event of input.events) {
    if (event.seq !== expectedSeq) return broken(expectedSeq, `event ${expectedSeq} is missing (next stored is ${event.seq})`);
    if (event.prevHash !== prevHash) return broken(event.seq, `event ${event.seq} does not link to its predecessor`);
    if (eventHash(prevHash, event) !== event.hash) return broken(event.seq, `event ${event.seq} was altered after it was written`);
    prevHash = event.hash;
    expectedSeq++;
    checked++;
  }
  return { prevHash, expectedSeq, checked, firstBrokenSeq: null, problem: null, threadId };
}

export interface VerifyOptions {
  /** Hash in the shared worker pool instead of this thread (the HTTP route: the main thread answers alarms). */
  inWorker?: boolean;
  /** Called with each batch's thread id. */
  onBatch?: (check: BatchCheck) => void;
}

/**
 * Walks the whole log from the first event, recomputing every hash. Any edit,
 * deletion, insertion or reordering of a stored event breaks the chain at or after
 * the tampered event, and is reported with its sequence number.
 */
export async function verifyChain(
  log: EventLog,
  onProgress?: (checked: number, total: number) => void,
  options: VerifyOptions = {},
): Promise<ChainVerification> {
  const started = performance.now();
  const total = await log.lastSeq();
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  const result = (firstBrokenSeq: number | null, problem: string | null): ChainVerification => ({
    ok: problem === null,
    checked,
    lastSeq: expectedSeq - 1,
    firstBrokenSeq,
    problem,
    ms: Math.round(performance.now() - started),
  });
  for (;;) {
    const events = await log.read({ afterSeq: expectedSeq - 1, limit: BATCH });
    if (events.length === 0) break;
    const input = { prevHash, expectedSeq, events };
    const check = options.inWorker ? await runInWorker<BatchCheck>({ module: new URL(import.meta.url), fn: 'checkBatch', input }) : await checkBatch(input);
    options.onBatch?.(check);
    ({ prevHash, expectedSeq } = check);
    checked += check.checked;
    if (check.problem !== null) return result(check.firstBrokenSeq, check.problem);
    onProgress?.(checked, total);
  }
  if (checked < total) return result(expectedSeq, `the log ends at ${checked} but its head says ${total}`);
  return result(null, null);
}
