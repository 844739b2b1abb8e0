import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import type { ReadIntelBody } from './intel-worker.js';

const WORKER = new URL('./intel-worker.ts', import.meta.url);
/** What a large upload's worker read out of it for this request, until the handler takes it. */
const readIntel = new WeakMap<FastifyRequest, ReadIntelBody['intel']>();
/** Thread that read the last large upload (tests show it was not the main thread). */
export const lastLargeIntel = { threadId: -1 };

/** The intelligence a large upload's worker read for this request (null for a small body: it is in request.body). */
export function intelReadOffThread(request: FastifyRequest): ReadIntelBody['intel'] | null {
  return readIntel.get(request) ?? null;
}

/**
 * In this plugin's scope, a JSON body of more than `largeBytes` for the intelligence upload is parsed,
 * checked and read in the worker pool (intel-worker.ts); the route's validation then sees an empty
 * object. Other bodies are parsed as Fastify does (prototype poisoning refused). The same pattern as
 * the routing's large bodies (src/routing/large-body-off-thread.ts).
 */
export function readLargeIntelOffThread(app: FastifyInstance, url: string, largeBytes: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => {
    if (body.length > largeBytes && request.routeOptions.url === url) {
      // Its own ArrayBuffer, moved to the worker (a Buffer may be a view of a shared pool).
      const bytes = new Uint8Array(body.length);
      bytes.set(body);
      const read = await runInWorker<ReadIntelBody>({ module: WORKER, fn: 'readIntelBody', input: { bytes }, transferList: [bytes.buffer] });
      lastLargeIntel.threadId = read.threadId;
      readIntel.set(request, read.intel);
      return {};
    }
    return new Promise((resolve, reject) => parseJson(request, body.toString('utf8'), (error, value) => (error ? reject(error) : resolve(value))));
  });
}
