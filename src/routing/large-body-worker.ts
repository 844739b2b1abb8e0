import { createHash } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { Ajv, type ValidateFunction } from 'ajv';
import { VigilError } from '../kernel/errors.js';
import { movedToCaller } from '../platform/heavy/move.js';
import { coverageBodySchema, evacuationBodySchema } from './body-schemas.js';
import { packWeightedPoints, type WeightedPoint } from './router.js';

// The route's own options (src/api/server.ts), so a body means the same in both places.
const ajv = new Ajv({ allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false });
const validateCoverage: ValidateFunction = ajv.compile(coverageBodySchema);
const validateEvacuation: ValidateFunction = ajv.compile(evacuationBodySchema);

export interface ReadCoverageBody {
  /** The body without its points. */
  rest: Record<string, unknown>;
  /** The points packed [lon, lat, weight], or null when the body had none. */
  points: Float64Array | null;
  threadId: number;
}

/**
 * Coverage, in a pool worker: a coverage body of 200 000 points is 13 MB of JSON, whose
 * parse costs 200–500 ms and whose object graph would cost as much again to clone back
 * (v8 deserialisation is no cheaper than JSON.parse). So the body is parsed, checked
 * with the route's schema and its points packed here; the main thread receives a small
 * object and one moved Float64Array.
 */
/** The body as JSON, checked with the route's schema; refusals as the route's own (src/api/error-handler.ts): 400 validation_failed. */
function parsed(bytes: Uint8Array, validate: ValidateFunction): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new VigilError('bad_request', `the body is not JSON: ${(error as Error).message}`);
  }
  if (!validate(body)) {
    const problems = (validate.errors ?? []).slice(0, 10);
    const text = problems.map((e) => `body${e.instancePath} ${e.message ?? ''}`).join(', ');
    throw new VigilError('validation_failed', `body is not valid: ${text}`, { in: 'body', problems });
  }
  return body as Record<string, unknown>;
}

export function readCoverageBody(input: { bytes: Uint8Array }): ReadCoverageBody {
  const { points, ...rest } = parsed(input.bytes, validateCoverage) as { points?: WeightedPoint[] } & Record<string, unknown>;
  if (!points) return { rest, points: null, threadId };
  const packed = packWeightedPoints(points, points.length);
  return movedToCaller({ rest, points: packed, threadId }, [packed.buffer as ArrayBuffer]);
}

export interface ReadEvacuationBody {
  /** The body without its origins. */
  rest: Record<string, unknown>;
  /** The origins as one JSON text (parsed again by the planning worker) and its SHA-256 (the run's key), or null when the body had none. */
  origins: { json: string; sha256: string } | null;
  threadId: number;
}

/**
 * Runs in a pool worker: 20 000 origins are 6 MB of JSON. They come back as one string
 * (cloned as a memory copy, not an object per origin), as the city's buildings do.
 */
export function readEvacuationBody(input: { bytes: Uint8Array }): ReadEvacuationBody {
  const { origins, ...rest } = parsed(input.bytes, validateEvacuation);
  if (!origins) return { rest, origins: null, threadId };
  const json = JSON.stringify(origins);
  return { rest, origins: { json, sha256: createHash('sha256').update(json).digest('hex') }, threadId };
}
