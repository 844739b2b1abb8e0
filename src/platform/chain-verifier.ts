import { eventHash } from './event-hash.js';
import { GENESIS_HASH, type EventLog } from './event-log.js';

export interface ChainVerification {
  ok: boolean;
  checked: number;
  lastSeq: number;
  /** First event whose stored hash, predecessor link or sequence number is wrong. */
  firstBrokenSeq: number | null;
  problem: string | null;
  ms: number;
}

const BATCH = 5000;

/**
 * Walks the whole log from the first event, recomputing every hash. Any edit,
 * deletion, insertion or reordering of a stored event breaks the chain at or after
 * the tampered event, and is reported with its sequence number.
 */
export async function verifyChain(log: EventLog, onProgress?: (checked: number, total: number) => void): Promise<ChainVerification> {
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
    const batch = await log.read({ afterSeq: expectedSeq - 1, limit: BATCH });
    if (batch.length === 0) break;
    for (const event of batch) {
      if (event.seq !== expectedSeq) return result(expectedSeq, `event ${expectedSeq} is missing (next stored is ${event.seq})`);
      if (event.prevHash !== prevHash) return result(event.seq, `event ${event.seq} does not link to its predecessor`);
      if (eventHash(prevHash, event) !== event.hash) return result(event.seq, `event ${event.seq} was altered after it was written`);
      prevHash = event.hash;
      expectedSeq++;
      checked++;
    }
    onProgress?.(checked, total);
  }
  if (checked < total) return result(expectedSeq, `the log ends at ${checked} but its head says ${total}`);
  return result(null, null);
}
