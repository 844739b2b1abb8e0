import { createHash } from 'node:crypto';
import type { StoredEvent } from './event-log.js';

/**
 * Canonical JSON: what JSON.stringify would write (toJSON honoured, undefined,
 * functions and symbols left out of objects and null in arrays, non-finite numbers
 * null), but with keys sorted at every depth. Both stores hash the same bytes for
 * the same event, so a log can move between them and still verify. Parsing the
 * output and writing it again gives the same text, which lets the stores keep
 * this text as the event's data and hash it without re-serialising.
 */
export function canonicalJson(value: unknown): string {
  // Plain data already in canonical order (most event data is built with sorted keys): JSON.stringify
  // writes the very same text, natively — about half the cost of building it here.
  if (sortedPlain(value)) return JSON.stringify(value) ?? 'null';
  return write(value) ?? 'null';
}

/**
 * Whether JSON.stringify(value) is canonicalJson(value): primitives, arrays and plain objects
 * (Object.prototype or none, no toJSON) whose keys are in sorted order, at every depth. A BigInt,
 * a Date or other class instance, or unsorted keys anywhere: false, and write() does it.
 */
function sortedPlain(value: unknown): boolean {
  switch (typeof value) {
    case 'object':
      break;
    case 'bigint':
      return false;
    default:
      return true; // string, number, boolean, undefined, function, symbol: both write them alike
  }
  if (value === null) return true;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!sortedPlain(value[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  for (const key of keys) if (!sortedPlain(obj[key])) return false;
  return true;
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      throw new TypeError('event data cannot hold a BigInt');
    default:
      return undefined;
  }
  if (value === null) return 'null';
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') return write((toJson as () => unknown).call(value));
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (write(value[i]) ?? 'null');
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  // Most objects are built in a fixed order; sort only when they are not already sorted.
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  for (const key of keys) {
    const v = write(obj[key]);
    if (v === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${v}`;
  }
  return `${out}}`;
}

export type HashedFields = Omit<StoredEvent, 'hash' | 'prevHash'>;

/**
 * SHA-256 over the previous hash and the event's canonical JSON. `dataJson`, when
 * given, must be canonicalJson(e.data): the stores pass the text they keep so the
 * data is not serialised twice; the verifier recomputes it from what it reads.
 */
export function eventHash(prevHash: string, e: HashedFields, dataJson: string = canonicalJson(e.data)): string {
  // Keys in sorted order: actor, at, data, id, orgId, reason, seq, subject, type.
  const content =
    `{"actor":${JSON.stringify(e.actor)},"at":${JSON.stringify(e.at)},"data":${dataJson},"id":${JSON.stringify(e.id)},` +
    `"orgId":${e.orgId === null ? 'null' : JSON.stringify(e.orgId)},"reason":${e.reason === null ? 'null' : JSON.stringify(e.reason)},` +
    `"seq":${e.seq},"subject":${JSON.stringify(e.subject)},"type":${JSON.stringify(e.type)}}`;
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}
