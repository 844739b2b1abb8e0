import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { eventHash } from './event-hash.js';
import { GENESIS_HASH, type ChainReader, type EventLog, type StoredEvent } from './event-log.js';
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
  if (options.inWorker && log.workerReader) {
    // The whole walk in one pool task: the worker reads the log itself, so the main thread
    // neither reads nor decodes a single event (it only forwards progress).
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (m: { checked: number }) => onProgress?.(m.checked, total));
    try {
      const out = await runInWorker<ChainVerification & { threadId: number }>({
        module: new URL(import.meta.url),
        fn: 'walkChainInWorker',
        input: { reader: { module: log.workerReader.module.href, input: log.workerReader.input }, total, port: port2 },
        transferList: [port2],
      });
      options.onBatch?.({
        prevHash: '',
        expectedSeq: out.lastSeq + 1,
        checked: out.checked,
        firstBrokenSeq: out.firstBrokenSeq,
        problem: out.problem,
        threadId: out.threadId,
      });
      // The last count, whatever of the port's messages are still on their way.
      if (out.problem === null) onProgress?.(out.checked, total);
      const { threadId: _thread, ...verdict } = out;
      return { ...verdict, ms: Math.round(performance.now() - started) };
    } finally {
      port1.close();
    }
  }
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

/**
 * The whole-log walk inside a pool worker: opens the log's own reader there
 * (EventLog.workerReader), reads, decodes and hashes batch after batch, posts progress.
 */
export async function walkChainInWorker(input: {
  reader: { module: string; input: unknown };
  total: number;
  port: MessagePort;
}): Promise<ChainVerification & { threadId: number }> {
  const { threadId } = await import('node:worker_threads');
  const started = performance.now();
  const loaded = (await import(input.reader.module)) as { openChainReader(input: unknown): ChainReader | Promise<ChainReader> };
  let reader: ChainReader;
  try {
    reader = await loaded.openChainReader(input.reader.input);
  } catch (error) {
    input.port.close();
    throw error;
  }
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  const result = (firstBrokenSeq: number | null, problem: string | null): ChainVerification & { threadId: number } => ({
    ok: problem === null,
    checked,
    lastSeq: expectedSeq - 1,
    firstBrokenSeq,
    problem,
    ms: Math.round(performance.now() - started),
    threadId,
  });
  try {
    for (;;) {
      const events = await reader.read(expectedSeq - 1, BATCH);
      if (events.length === 0) break;
      const check = await checkBatch({ prevHash, expectedSeq, events });
      ({ prevHash, expectedSeq } = check);
      checked += check.checked;
      if (check.problem !== null) return result(check.firstBrokenSeq, check.problem);
      input.port.postMessage({ checked });
    }
    if (checked < input.total) return result(expectedSeq, `the log ends at ${checked} but its head says ${input.total}`);
    return result(null, null);
  } finally {
    await reader.close();
    input.port.close();
  }
}
