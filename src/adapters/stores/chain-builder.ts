import { newId } from '../../kernel/ids.js';
import { eventHash } from '../../platform/event-hash.js';
import { VigilError } from '../../kernel/errors.js';
import type { NewEvent, StoredEvent } from '../../platform/event-log.js';
import { validateNewEvent } from './event-validation.js';

/** An event to chain: its envelope and its data as the canonical JSON text to store. */
export interface EventToChain {
  e: Omit<NewEvent, 'data'>;
  json: string;
}

/** One caller's validated events, with their data serialised once. */
export interface PendingAppend {
  events: EventToChain[];
  resolve: (stored: StoredEvent[]) => void;
  reject: (error: unknown) => void;
}

export interface ChainedBatch {
  /** Per caller, in order: what to acknowledge (new or, for a retried id, the original). */
  results: StoredEvent[][];
  /** Only the newly written events, contiguous in seq, with their serialised data. */
  written: { stored: StoredEvent; json: string }[];
  head: { seq: number; hash: string };
}

/**
 * Assigns sequence numbers and hashes to a group commit, the same way in both
 * stores. A client-chosen id already stored (looked up by `existing`) or repeated
 * within the batch is not written again: the caller gets the first one back, which
 * makes retries after an ambiguous failure safe.
 */
export function chainBatch(
  head: { seq: number; hash: string },
  batch: readonly { events: readonly EventToChain[] }[],
  existing: (id: string) => StoredEvent | undefined,
  /** How the stored event gets its data; a writer thread that hands back only hashes skips the parse. */
  dataOf: (json: string) => unknown = (json) => JSON.parse(json),
): ChainedBatch {
  let { seq, hash: prevHash } = head;
  const seen = new Map<string, StoredEvent>();
  const written: ChainedBatch['written'] = [];
  const results = batch.map((pending) =>
    pending.events.map(({ e, json }) => {
      if (e.id !== undefined) {
        const earlier = seen.get(e.id) ?? existing(e.id);
        if (earlier) return earlier;
      }
      const fields = {
        seq: ++seq,
        id: e.id ?? newId('evt'),
        type: e.type,
        subject: e.subject,
        orgId: e.orgId,
        actor: e.actor,
        reason: e.reason ?? null,
        at: new Date(e.at ?? Date.now()).toISOString(),
        // What a reader will get back: the data as parsed from the stored (canonical) JSON.
        data: dataOf(json),
      };
      const hash = eventHash(prevHash, fields, json);
      // Written out, not `{ ...fields, prevHash, hash }`: V8 (Node 20) makes new hidden classes for a
      // spread object that then gains properties, on every call (about 1 KB and several µs per event).
      const stored: StoredEvent = {
        seq: fields.seq,
        id: fields.id,
        type: fields.type,
        subject: fields.subject,
        orgId: fields.orgId,
        actor: fields.actor,
        reason: fields.reason,
        at: fields.at,
        data: fields.data,
        prevHash,
        hash,
      };
      prevHash = hash;
      seen.set(stored.id, stored);
      written.push({ stored, json });
      return stored;
    }),
  );
  return { results, written, head: { seq, hash: prevHash } };
}

/** Row shape shared by both stores' `events` tables. */
export interface EventRow {
  seq: number | string;
  id: string;
  type: string;
  subject: string;
  org_id: string | null;
  actor: string;
  reason: string | null;
  at: string;
  data: string;
  prev_hash: string;
  hash: string;
}

export const eventFromRow = (r: EventRow): StoredEvent => ({
  seq: Number(r.seq),
  id: r.id,
  type: r.type,
  subject: r.subject,
  orgId: r.org_id,
  actor: r.actor,
  reason: r.reason,
  at: r.at,
  data: JSON.parse(r.data) as unknown,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export const READ_LIMIT_MAX = 10_000;
export const clampLimit = (limit: number | undefined): number => Math.max(1, Math.min(limit ?? 1000, READ_LIMIT_MAX));

/**
 * The front half of both stores' append: refuse when closed, validate every event
 * (one bad event fails only its own caller), and queue the caller for the next
 * group commit, which `schedule` arranges.
 */
export function enqueueAppend(closed: boolean, events: NewEvent[], queue: PendingAppend[], schedule: () => void): Promise<StoredEvent[]> {
  if (closed) return Promise.reject(new VigilError('unavailable', 'the event log is closed'));
  if (events.length === 0) return Promise.resolve([]);
  let validated: PendingAppend['events'];
  try {
    // The data travels as its canonical text only: the envelope is all the chain and a writer thread need of the rest.
    validated = events.map((e) => {
      const json = validateNewEvent(e);
      const { data: _data, ...envelope } = e;
      return { e: envelope, json };
    });
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    queue.push({ events: validated, resolve, reject });
    schedule();
  });
}
