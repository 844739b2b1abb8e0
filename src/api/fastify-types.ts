import type { VigilError } from '../kernel/errors.js';
import type { Principal, RouteAccess } from '../platform/access.js';

// Every route carries its access rule in its config; every request carries the
// principal resolved from its credentials (public when it has none).
declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** What a 413 says on this route instead of the generic "request body is larger than the server accepts". */
    tooLarge?: string;
  }
  interface FastifyRequest {
    principal: Principal;
    /** Set instead of throwing when a WebSocket upgrade is refused (see server.ts). */
    accessRefusal: VigilError | null;
  }
}

export {};
