import { VigilError } from '../../kernel/errors.js';
import type { NewEvent } from '../../platform/event-log.js';
import { canonicalJson } from '../../platform/event-hash.js';

const TYPE = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;
export const MAX_EVENT_BYTES = 1024 * 1024;

/**
 * What both stores refuse before touching disk: a malformed event would poison
 * the chain for every later reader, so it never gets a sequence number.
 * Returns the data as canonical JSON: the text that is stored and hashed, made once.
 */
export function validateNewEvent(e: NewEvent): string {
  if (typeof e.type !== 'string' || !TYPE.test(e.type) || e.type.length > 120) {
    throw new VigilError('validation_failed', `event type must look like 'capability.noun.verb': ${String(e.type).slice(0, 120)}`);
  }
  if (typeof e.subject !== 'string' || e.subject.length === 0 || e.subject.length > 200) {
    throw new VigilError('validation_failed', 'event subject must be 1..200 characters');
  }
  if (typeof e.actor !== 'string' || e.actor.length === 0 || e.actor.length > 200) {
    throw new VigilError('validation_failed', 'event actor must be 1..200 characters');
  }
  if (e.orgId !== null && (typeof e.orgId !== 'string' || e.orgId.length === 0)) {
    throw new VigilError('validation_failed', 'event orgId must be a non-empty string or null');
  }
  if (e.reason != null && (typeof e.reason !== 'string' || e.reason.length > 2000)) {
    throw new VigilError('validation_failed', 'event reason must be a string of at most 2000 characters');
  }
  if (e.id !== undefined && (typeof e.id !== 'string' || e.id.length === 0 || e.id.length > 100)) {
    throw new VigilError('validation_failed', 'event id must be 1..100 characters');
  }
  if (e.at !== undefined && !Number.isFinite(e.at)) throw new VigilError('validation_failed', 'event time must be epoch milliseconds');
  let json: string;
  try {
    json = canonicalJson(e.data ?? null);
  } catch (error) {
    throw new VigilError('validation_failed', `event data is not JSON: ${(error as Error).message}`);
  }
  if (json.length > MAX_EVENT_BYTES) {
    throw new VigilError('payload_too_large', `event data is ${json.length} bytes; the limit is ${MAX_EVENT_BYTES}`);
  }
  return json;
}

/** Upper bound for a prefix range scan: 'alarm.' → every type starting with it (index-friendly, unlike LIKE). */
export function prefixUpperBound(prefix: string): string {
  return prefix + '\u{10FFFF}';
}
