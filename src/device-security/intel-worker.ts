import { threadId } from 'node:worker_threads';
import { VigilError } from '../kernel/errors.js';
import { parseJsonBytes } from '../kernel/json-bytes.js';
import { readIntel } from './intel.js';

/** The most CVE records one upload lists (the route's schema: maxItems). */
export const MAX_INTEL_ITEMS = 20_000;

export interface ReadIntelBody {
  /** The CVE records and the KEV catalogue, as readIntel reads them (compact: what the log keeps). */
  intel: ReturnType<typeof readIntel>;
  threadId: number;
}

/**
 * A large vulnerability-intelligence upload (a list of CVE JSON 5 records, the KEV catalogue: up to
 * 16 MiB), in a pool worker: parsed, checked as the route's schema checks it, and read into the records
 * the log keeps here; the main thread receives those, never the document's object graph. Refusals are
 * the route's own: 400 bad_request (not JSON, not intelligence), validation_failed (the schema).
 */
export function readIntelBody(input: { bytes: Uint8Array }): ReadIntelBody {
  const body = parseJsonBytes(input.bytes);
  if (body === null || typeof body !== 'object') throw new VigilError('validation_failed', 'body must be object,array', { in: 'body' });
  if (Array.isArray(body) && body.length > MAX_INTEL_ITEMS)
    throw new VigilError('validation_failed', `body must NOT have more than ${MAX_INTEL_ITEMS} items`, { in: 'body' });
  return { intel: readIntel(body), threadId };
}
