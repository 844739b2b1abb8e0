import type { FastifyPluginAsync } from 'fastify';
import type { Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import type { LiveHub } from './live-hub.js';
import type { Metrics } from './metrics.js';
import type { CredentialSource } from '../platform/access.js';
import type { RouteEntry } from './route-entry.js';

export interface PlatformRouteDeps {
  ctx: AppContext;
  metrics: Metrics;
  hub: LiveHub;
  routes: RouteEntry[];
  version: string;
  resolve: (source: CredentialSource) => Principal;
  demo: () => 'loading' | 'ready' | 'failed' | null;
  demoInbox: () => DemoInbox | null;
  /** The DC-09 receiver thread's state (null when there is none). */
  receiver: () => {
    status: 'ok' | 'degraded';
    reason: string | null;
    unrecorded: number;
    restarts: number;
    scheduling: { realtime: number | null; asked: number; nice: number; notRealtime: string | null; detail: string | null };
  } | null;
}

/** What the demo's SMTP sink, SMSC and Cell Broadcast Centre caught (src/demo/demo-sinks.ts), newest first. */
export interface DemoInbox {
  mail: { at: string; from: string; to: string[]; subject: string; text: string }[];
  sms: { at: string; from: string; to: string; text: string; part: string | null; messageId: string }[];
  broadcasts: { at: string; operation: 'write-replace' | 'stop'; language: string | null; pages: string[]; cells: string[]; msgType: string }[];
}

const startedAt = Date.now();

/** Health, OpenAPI, Prometheus metrics, the route table and the live WebSocket. */
export function platformRoutes(deps: PlatformRouteDeps): FastifyPluginAsync {
  const { ctx, metrics, hub } = deps;
  return async (app) => {
    app.get(
      '/api/health',
      {
        config: { access: { roles: 'public' } },
        schema: {
          summary: 'Liveness and readiness of this node',
          tags: ['platform'],
          response: {
            200: {
              type: 'object',
              required: ['status'],
              properties: {
                status: { type: 'string', enum: ['ok'] },
                version: { type: 'string' },
                node: { type: 'string' },
                store: { type: 'string' },
                stream: { type: 'string' },
                lastSeq: { type: 'integer' },
                appliedSeq: { type: 'integer' },
                uptimeSeconds: { type: 'number' },
                /** The demo city loading after the node started listening (vigil serve on a fresh data folder). */
                demo: { type: 'string', enum: ['loading', 'ready', 'failed'] },
                /** The DC-09 receiver thread: degraded (with the reason) while it is down and being started again. */
                receiver: {
                  type: 'object',
                  required: ['status', 'reason', 'unrecorded', 'restarts'],
                  properties: {
                    status: { type: 'string', enum: ['ok', 'degraded'] },
                    reason: { type: ['string', 'null'] },
                    /** Frames journalled (ACKed) not yet recorded in the log: the backlog. */
                    unrecorded: { type: 'integer' },
                    restarts: { type: 'integer' },
                    /** How the ACK path (receiver thread, journal writer) is scheduled: its SCHED_FIFO priority, or its niceness and why it is not real-time. */
                    scheduling: {
                      type: 'object',
                      required: ['realtime', 'asked', 'nice', 'notRealtime', 'detail'],
                      properties: {
                        realtime: { type: ['integer', 'null'] },
                        asked: { type: 'integer' },
                        nice: { type: 'integer' },
                        notRealtime: { type: ['string', 'null'], enum: ['off', 'refused', 'unsupported', 'starting', null] },
                        detail: { type: ['string', 'null'] },
                      },
                    },
                  },
                },
              },
            },
            503: { $ref: 'ErrorBody#' },
          },
        },
      },
      async (_request, reply) => {
        let lastSeq: number;
        try {
          lastSeq = await ctx.log.lastSeq();
        } catch (error) {
          ctx.logger.error({ err: error }, 'health check: store unreachable');
          return reply.status(503).send({ error: { code: 'unavailable', message: 'event store unreachable', details: null } });
        }
        return {
          status: 'ok',
          version: deps.version,
          node: ctx.config.nodeId,
          store: ctx.log.backend,
          stream: ctx.bus.backend,
          lastSeq,
          appliedSeq: ctx.projections.appliedSeq,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          ...(deps.demo() ? { demo: deps.demo() } : {}),
          ...(deps.receiver() ? { receiver: deps.receiver() } : {}),
        };
      },
    );

    app.get<{ Querystring: { limit?: number } }>(
      '/api/demo/inbox',
      {
        config: { access: { roles: ['admin'] } },
        schema: {
          summary:
            'What the demo’s own mail catcher, SMSC and Cell Broadcast Centre received (a demo node on loopback starts them; nothing leaves the machine): running false when this node has none',
          tags: ['platform'],
          querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } } },
        },
      },
      async (request) => {
        const inbox = deps.demoInbox();
        const limit = request.query.limit ?? 100;
        return inbox
          ? { running: true, mail: inbox.mail.slice(0, limit), sms: inbox.sms.slice(0, limit), broadcasts: inbox.broadcasts.slice(0, limit) }
          : { running: false, mail: [], sms: [], broadcasts: [] };
      },
    );

    app.get('/api/openapi.json', { config: { access: { roles: 'public' } }, schema: { summary: 'This OpenAPI 3.1 document', tags: ['platform'] } }, async () =>
      app.swagger(),
    );

    app.get(
      '/api/routes',
      {
        config: { access: { roles: ['admin'] } },
        schema: { summary: 'Every route with the roles allowed to call it (the access matrix)', tags: ['platform'] },
      },
      async () => ({ routes: deps.routes }),
    );

    app.get(
      '/metrics',
      {
        config: { access: { roles: ['admin', 'supervisor'] } },
        schema: { summary: 'Prometheus metrics of this node (scrape with an API key)', tags: ['platform'] },
      },
      async (_request, reply) => {
        metrics.appliedSeq.set(ctx.projections.appliedSeq);
        return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    );

    app.get(
      '/api/live',
      {
        websocket: true,
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary: 'WebSocket of live events the user may see',
          description: 'Server sends {type:"hello"}, {type:"events",events:[…]}, {type:"ping"}; client may send {type:"subscribe",typePrefixes:[…]|null}.',
          tags: ['platform'],
        },
      },
      (socket, request) => {
        if (request.accessRefusal) {
          socket.close(request.accessRefusal.code === 'unauthenticated' ? 4401 : 4403, request.accessRefusal.message.slice(0, 120));
          return;
        }
        const source: CredentialSource = { headers: { ...request.headers }, ip: request.ip };
        hub.accept(socket, request.principal, () => {
          try {
            const p = deps.resolve(source);
            return p.kind === 'public' ? null : p;
          } catch {
            return null;
          }
        });
      },
    );
  };
}
