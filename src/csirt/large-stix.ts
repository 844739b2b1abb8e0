import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import type { ReadStixBody } from './stix-worker.js';

const WORKER = new URL('./stix-worker.ts', import.meta.url);
/** What a large import's worker read out of it for this request, until the handler takes it. */
const readStix = new WeakMap<FastifyRequest, ReadStixBody>();
/** Thread that read the last large STIX import (tests show it was not the main thread). */
export const lastLargeStix = { threadId: -1 };

/** The indicators a large import's worker read for this request (null for a small body: it is in request.body). */
export function stixReadOffThread(request: FastifyRequest): ReadStixBody | null {
  return readStix.get(request) ?? null;
}

/**
 * In this plugin's scope, a JSON body of more than `largeBytes` is parsed, checked and read into
 * indicators in the worker pool (stix-worker.ts); the route's validation then sees `{ source, bundle: {} }`.
 * Smaller bodies are parsed as Fastify does (prototype poisoning refused). The same pattern as the large
 * intelligence upload (src/device-security/large-intel.ts); the per-caller and node-wide bounds on large
 * bodies in flight (src/api/large-bodies.ts) apply before.
 */
export function readLargeStixOffThread(app: FastifyInstance, largeBytes: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => {
    if (body.length > largeBytes) {
      // Its own ArrayBuffer, moved to the worker (a Buffer may be a view of a shared pool).
      const bytes = new Uint8Array(body.length);
      bytes.set(body);
      const read = await runInWorker<ReadStixBody>({ module: WORKER, fn: 'readStixBody', input: { bytes }, transferList: [bytes.buffer] });
      lastLargeStix.threadId = read.threadId;
      readStix.set(request, read);
      return { source: read.source, bundle: {} };
    }
    return new Promise((resolve, reject) => parseJson(request, body.toString('utf8'), (error, value) => (error ? reject(error) : resolve(value))));
  });
}
