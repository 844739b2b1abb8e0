import { threadId } from 'node:worker_threads';
import { Ajv } from 'ajv';
import { VigilError } from '../kernel/errors.js';
import { movedToCaller } from '../platform/heavy/move.js';
import { coverageBodySchema } from './coverage-body.js';
import { packWeightedPoints, type WeightedPoint } from './router.js';

// The route's own options (src/api/server.ts), so a body means the same in both places.
const validate = new Ajv({ allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false }).compile(coverageBodySchema);

export interface ReadCoverageBody {
  /** The body without its points. */
  rest: Record<string, unknown>;
  /** The points packed [lon, lat, weight], or null when the body had none. */
  points: Float64Array | null;
  threadId: number;
}

/**
 * Runs in a pool worker: a coverage body of 200 000 points is 13 MB of JSON, whose
 * parse costs 200–500 ms and whose object graph would cost as much again to clone back
 * (v8 deserialisation is no cheaper than JSON.parse). So the body is parsed, checked
 * with the route's schema and its points packed here; the main thread receives a small
 * object and one moved Float64Array.
 */
export function readCoverageBody(input: { bytes: Uint8Array }): ReadCoverageBody {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new VigilError('bad_request', `the body is not JSON: ${(error as Error).message}`);
  }
  if (!validate(body)) {
    // As the route's own check answers (src/api/error-handler.ts): 400 validation_failed, where and what.
    const problems = (validate.errors ?? []).slice(0, 10);
    const text = problems.map((e) => `body${e.instancePath} ${e.message ?? ''}`).join(', ');
    throw new VigilError('validation_failed', `body is not valid: ${text}`, { in: 'body', problems });
  }
  const { points, ...rest } = body as unknown as { points?: WeightedPoint[] } & Record<string, unknown>;
  if (!points) return { rest, points: null, threadId };
  const packed = packWeightedPoints(points, points.length);
  return movedToCaller({ rest, points: packed, threadId }, [packed.buffer as ArrayBuffer]);
}
