import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import type { ReadCoverageBody } from './coverage-body-worker.js';

const WORKER = new URL('./coverage-body-worker.ts', import.meta.url);
/** The points of large coverage bodies, packed in the worker, until the handler takes them. */
const packed = new WeakMap<FastifyRequest, Float64Array>();
/** Thread that read the last large coverage body (tests show it was not the main thread). */
export const lastCoverageBody = { threadId: -1 };

/** The points a large body's worker packed for this request (null for a small body: they are in request.body). */
export function packedPointsOf(request: FastifyRequest): Float64Array | null {
  return packed.get(request) ?? null;
}

/**
 * In this plugin's scope, a JSON body of more than `largeBytes` for `url` is parsed,
 * checked against the route's schema and its points packed in the worker pool
 * (coverage-body-worker.ts); the route's own validation then sees the body without its
 * points. Other bodies are parsed as Fastify does (prototype poisoning refused).
 */
export function readCoverageBodyOffThread(app: FastifyInstance, url: string, largeBytes: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => {
    if (request.routeOptions.url === url && body.length > largeBytes) {
      // Its own ArrayBuffer, moved to the worker (a Buffer may be a view of a shared pool).
      const bytes = new Uint8Array(body.length);
      bytes.set(body);
      const read = await runInWorker<ReadCoverageBody>({ module: WORKER, fn: 'readCoverageBody', input: { bytes }, transferList: [bytes.buffer] });
      lastCoverageBody.threadId = read.threadId;
      if (read.points) packed.set(request, read.points);
      return read.rest;
    }
    return new Promise((resolve, reject) => parseJson(request, body.toString('utf8'), (error, value) => (error ? reject(error) : resolve(value))));
  });
}
