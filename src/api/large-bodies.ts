import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VigilError } from '../kernel/errors.js';
import { tuning } from '../kernel/tuning.js';

/** The limits, from the kernel's tuning table (VIGIL_LARGE_BODY_BYTES, VIGIL_LARGE_BODIES_PER_CALLER, VIGIL_LARGE_BODIES_AT_ONCE). */
export interface LargeBodyLimits {
  /** A body of more than this (declared, or of unknown length) counts as large. */
  largeBytes: number;
  /** Large bodies one caller (a user, an API key; an address for anonymous callers) may send at once. */
  perCaller: number;
  /** Large bodies the node takes at once from everyone. */
  atOnce: number;
}

export function largeBodyLimits(env: Record<string, string | undefined> = process.env): LargeBodyLimits {
  return {
    largeBytes: tuning('VIGIL_LARGE_BODY_BYTES', env)!,
    perCaller: tuning('VIGIL_LARGE_BODIES_PER_CALLER', env)!,
    atOnce: tuning('VIGIL_LARGE_BODIES_AT_ONCE', env)!,
  };
}

export interface LargeBodyStats {
  limits: LargeBodyLimits;
  inFlight: number;
  peak: number;
  refused: number;
}

/**
 * Parsing and validating a large JSON body (a coverage request of 200 000 points is
 * about 13 MB) runs on the main thread, which also acknowledges DC-09 alarms. A flood
 * of them from a signed-in account must not queue seconds of that work in front of the
 * alarms, nor hold hundreds of megabytes of buffered bodies: before a large body is
 * read, the caller takes a slot — two per caller, four for the whole node by default — kept until
 * the reply is sent; without one the request is refused at once (429, Retry-After),
 * before a byte of its body is read. Small bodies (every UI form) never wait.
 */
export function boundLargeBodies(app: FastifyInstance, limits: LargeBodyLimits = largeBodyLimits()): LargeBodyStats {
  const stats: LargeBodyStats = { limits, inFlight: 0, peak: 0, refused: 0 };
  const perCaller = new Map<string, number>();
  app.addHook('preParsing', async (request, reply, payload) => {
    if (!isLarge(request, limits.largeBytes)) return payload;
    const caller = callerOf(request);
    const held = perCaller.get(caller) ?? 0;
    if (held >= limits.perCaller || stats.inFlight >= limits.atOnce) {
      stats.refused++;
      // The unread body is not wanted: close the connection after the reply rather than drain megabytes.
      reply.header('connection', 'close');
      throw new VigilError(
        'rate_limited',
        held >= limits.perCaller
          ? `you already have ${held} large requests in progress; wait for them to finish`
          : 'the node is busy with other large requests; try again shortly',
        { retryAfterSeconds: 2, limit: held >= limits.perCaller ? limits.perCaller : limits.atOnce },
      );
    }
    perCaller.set(caller, held + 1);
    stats.inFlight++;
    stats.peak = Math.max(stats.peak, stats.inFlight);
    let released = false;
    // The response's close comes once, whether the reply was sent, failed or the client went away.
    reply.raw.once('close', () => {
      if (released) return;
      released = true;
      stats.inFlight--;
      const n = (perCaller.get(caller) ?? 1) - 1;
      if (n <= 0) perCaller.delete(caller);
      else perCaller.set(caller, n);
    });
    return payload;
  });
  return stats;
}

function isLarge(request: FastifyRequest, largeBytes: number): boolean {
  const length = request.headers['content-length'];
  if (length === undefined) return request.headers['transfer-encoding'] !== undefined; // chunked: size unknown until read
  return Number(length) > largeBytes;
}

function callerOf(request: FastifyRequest): string {
  const p = request.principal;
  return p && p.kind !== 'public' ? `actor:${p.actor}` : `ip:${request.ip}`;
}
