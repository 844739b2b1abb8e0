import { threadId } from 'node:worker_threads';
import { VigilError } from '../kernel/errors.js';
import { parseJsonBytes } from '../kernel/json-bytes.js';
import type { Indicator } from './contract.js';
import { stixIndicators } from './exchange.js';

export interface ReadStixBody {
  source: string;
  /** The bundle's indicators, as stixIndicators reads them (what the log keeps). */
  indicators: Indicator[];
  threadId: number;
}

/**
 * A large STIX 2.1 indicator import (`{ source, bundle }`, up to 10 MiB), in a pool worker: parsed,
 * checked as the route's schema checks it, and read into the indicators the log keeps; the main
 * thread receives those, never the bundle's object graph. Refusals are the route's own: 400
 * bad_request (not JSON, not a STIX bundle), validation_failed (the schema).
 */
export function readStixBody(input: { bytes: Uint8Array }): ReadStixBody {
  const body = parseJsonBytes(input.bytes);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new VigilError('validation_failed', 'body must be object', { in: 'body' });
  const { source, bundle, ...rest } = body as { source?: unknown; bundle?: unknown };
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new VigilError('validation_failed', 'body must NOT have additional properties', { in: 'body', property: extra });
  if (typeof source !== 'string' || source.length < 1 || source.length > 200)
    throw new VigilError('validation_failed', 'body/source must be a string of 1 to 200 characters', { in: 'body' });
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle))
    throw new VigilError('validation_failed', 'body/bundle must be object', { in: 'body' });
  return { source, indicators: stixIndicators(bundle, source), threadId };
}
