import { VigilError } from './errors.js';

/** A request body handed to a pool worker as bytes, parsed there; not JSON is the route's own 400 bad_request. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new VigilError('bad_request', `the body is not JSON: ${(error as Error).message}`);
  }
}
