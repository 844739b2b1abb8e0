import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import type { ReadCoverageBody, ReadEvacuationBody } from './large-body-worker.js';

const WORKER = new URL('./large-body-worker.ts', import.meta.url);
/** What a large body's worker took out of it for this request, until the handler takes it. */
const coveragePoints = new WeakMap<FastifyRequest, Float64Array>();
const evacuationOrigins = new WeakMap<FastifyRequest, { json: string; sha256: string }>();
/** Thread that read the last large body (tests show it was not the main thread). */
export const lastLargeBody = { threadId: -1 };

/** The points a large coverage body's worker packed for this request (null for a small body: they are in request.body). */
export function packedPointsOf(request: FastifyRequest): Float64Array | null {
  return coveragePoints.get(request) ?? null;
}

/** The origins of a large evacuation body as one JSON text and its hash (null for a small body: they are in request.body). */
export function originsJsonOf(request: FastifyRequest): { json: string; sha256: string } | null {
  return evacuationOrigins.get(request) ?? null;
}

/**
 * In this plugin's scope, a JSON body of more than `largeBytes` for the coverage or the
 * evacuation route is parsed, checked against the route's schema and its bulk (points,
 * origins) packed in the worker pool (large-body-worker.ts); the route's own validation
 * then sees the body without it. Other bodies are parsed as Fastify does (prototype
 * poisoning refused).
 */
export function readLargeBodiesOffThread(app: FastifyInstance, urls: { coverage: string; evacuation: string }, largeBytes: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => {
    const url = request.routeOptions.url;
    if (body.length > largeBytes && (url === urls.coverage || url === urls.evacuation)) {
      // Its own ArrayBuffer, moved to the worker (a Buffer may be a view of a shared pool).
      const bytes = new Uint8Array(body.length);
      bytes.set(body);
      const task = { module: WORKER, input: { bytes }, transferList: [bytes.buffer] };
      if (url === urls.coverage) {
        const read = await runInWorker<ReadCoverageBody>({ ...task, fn: 'readCoverageBody' });
        lastLargeBody.threadId = read.threadId;
        if (read.points) coveragePoints.set(request, read.points);
        return read.rest;
      }
      const read = await runInWorker<ReadEvacuationBody>({ ...task, fn: 'readEvacuationBody' });
      lastLargeBody.threadId = read.threadId;
      if (read.origins) evacuationOrigins.set(request, read.origins);
      return read.rest;
    }
    return new Promise((resolve, reject) => parseJson(request, body.toString('utf8'), (error, value) => (error ? reject(error) : resolve(value))));
  });
}
