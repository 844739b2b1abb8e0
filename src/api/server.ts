import { boundLargeBodies, type LargeBodyStats } from './large-bodies.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import { VigilError } from '../kernel/errors.js';
import { PUBLIC_PRINCIPAL, isAllowed, type CredentialSource, type Principal, type RouteAccess } from '../platform/access.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { errorBodySchema, installErrorHandling } from './error-handler.js';
import './fastify-types.js';
import { LiveHub } from './live-hub.js';
import type { Metrics } from './metrics.js';
import { platformRoutes, type DemoInbox, type PlatformRouteDeps } from './platform-routes.js';
import type { RouteEntry } from './route-entry.js';
import { lazyValidatorFactory } from './lazy-validators.js';

export type { CredentialSource } from '../platform/access.js';

export interface ApiServerOptions {
  ctx: AppContext;
  metrics: Metrics;
  capabilities: readonly Capability[];
  /** Turns a request's credentials into a principal; PUBLIC_PRINCIPAL when it has none. */
  resolvePrincipal: (source: CredentialSource) => Principal;
  version: string;
  /** The demo city loading in the background (vigil serve): shown on /api/health; null when there is none. */
  demo?: () => 'loading' | 'ready' | 'failed' | null;
  /** What the demo's SMTP sink and SMSC caught (vigil serve on a demo folder); null when they are not running. */
  demoInbox?: () => DemoInbox | null;
  /** The DC-09 receiver thread's state on /api/health. */
  receiver?: PlatformRouteDeps['receiver'];
}

/** One row of the route × access table, collected as routes register. */
export type { RouteEntry } from './route-entry.js';

export interface ApiServer {
  app: FastifyInstance;
  hub: LiveHub;
  routes: RouteEntry[];
  /** Large request bodies in progress and refused (large-bodies.ts). */
  largeBodies: LargeBodyStats;
}

/** Paths that must declare an access rule; anything else is the static web UI. */
const guardedPath = (url: string): boolean => url.startsWith('/api') || url.startsWith('/open311/') || url === '/metrics';

export async function buildApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { ctx, metrics } = options;
  const tls = ctx.config.tlsCertFile && ctx.config.tlsKeyFile ? { cert: readFileSync(ctx.config.tlsCertFile), key: readFileSync(ctx.config.tlsKeyFile) } : null;
  // Fastify's types split HTTP and HTTPS instances; the routes use only what both have.
  const app = Fastify({
    ...(tls ? { https: tls } : {}),
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    logController: new LogController({ disableRequestLogging: true }),
    // X-Forwarded-For/-Proto/-Host are believed only from the listed proxies (VIGIL_TRUST_PROXY).
    trustProxy: ctx.config.trustProxy.length > 0 ? ctx.config.trustProxy : false,
    connectionTimeout: 60_000,
    requestTimeout: 60_000,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
    // Each route's request schemas compile on its first request, not all at start (lazy-validators.ts).
    schemaController: { compilersFactory: { buildValidator: lazyValidatorFactory() } },
  }) as unknown as FastifyInstance;
  // Listener limits: bodies (bodyLimit), connections, header and keep-alive time.
  app.server.maxConnections = ctx.config.maxConnections;
  app.server.headersTimeout = 15_000;
  app.server.keepAliveTimeout = 30_000;
  const routes: RouteEntry[] = [];
  const hub = new LiveHub(
    metrics,
    ctx.config.maxWebSocketClients,
    options.capabilities.flatMap((c) => c.liveViews ?? []),
  );

  app.addSchema(errorBodySchema);
  installErrorHandling(app);
  // Fastify 5 refuses object defaults on requests; onRequest sets it on every request.
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('accessRefusal', null);

  // Refuse to start with a route that forgot to say who may call it.
  app.addHook('onRoute', (route) => {
    if (!guardedPath(route.url)) return;
    const access = route.config?.access;
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} declares no config.access`);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, access, websocket: Boolean((route as { websocket?: boolean }).websocket) });
    }
    route.schema = {
      ...route.schema,
      description: [route.schema?.description, `Access: ${describeAccess(access)}.`].filter(Boolean).join(' '),
      ...(access.roles === 'public' ? {} : { security: [{ session: [] }, { apiKey: [] }] }),
    };
  });

  await app.register(helmet, { contentSecurityPolicy: { directives: contentSecurityPolicy(Boolean(tls) || ctx.config.trustProxy.length > 0) } });

  app.addHook('onRequest', async (request) => {
    request.principal = PUBLIC_PRINCIPAL;
    const access = request.routeOptions.config.access;
    const upgrade = String(request.headers.upgrade).toLowerCase() === 'websocket';
    const foreign = crossOriginRefusal(request, upgrade);
    if (foreign) {
      if (upgrade) {
        request.accessRefusal = foreign;
        return;
      }
      throw foreign;
    }
    try {
      request.principal = options.resolvePrincipal(credentialsOf(request));
    } catch (error) {
      // Bad credentials on a public route (e.g. the UI's stale cookie on /api/health) are ignored.
      if (access?.roles !== 'public') throw error;
    }
    const refusal =
      request.principal.enrolmentOnly && access?.roles !== 'public' && !request.url.startsWith('/api/auth/')
        ? new VigilError('second_factor_required', 'your roles require a second factor: enrol an authenticator app or a passkey first', { enrol: true })
        : access && !isAllowed(access, request.principal)
          ? accessError(access, request.principal)
          : null;
    if (refusal) {
      // A refused HTTP reply to a WebSocket upgrade leaves Fastify's close pending
      // forever; WebSocket routes accept, then close with 4401/4403 (browsers never
      // see the status of a failed upgrade anyway).
      if (upgrade) request.accessRefusal = refusal;
      else throw refusal;
    }
  });

  // Large bodies are parsed on the main thread: a few at once, two per caller (large-bodies.ts).
  const largeBodies = boundLargeBodies(app);

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vigil API',
        version: options.version,
        description: 'Operations platform for safe, secure and resilient cities.',
        license: { name: 'AGPL-3.0-or-later' },
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
  });
  await app.register(websocket, {
    options: { maxPayload: 64 * 1024 },
    // The plugin's default preClose calls its callback twice, which can leave
    // app.close() pending forever; end the clients and the ws server once.
    preClose(done) {
      for (const client of this.websocketServer.clients) client.terminate();
      this.websocketServer.close(() => done());
    },
  });

  await app.register(
    platformRoutes({
      ctx,
      metrics,
      hub,
      routes,
      version: options.version,
      resolve: options.resolvePrincipal,
      demo: options.demo ?? (() => null),
      demoInbox: options.demoInbox ?? (() => null),
      receiver: options.receiver ?? (() => null),
    }),
  );
  for (const capability of options.capabilities) {
    if (capability.routes) await app.register(capability.routes);
  }
  await registerWebUi(app, ctx.config.webDistDir);
  return { app, hub, routes, largeBodies };
}

/** Sessions come only from the cookie (browsers send it on the WebSocket upgrade too); machines use X-API-Key. */
function credentialsOf(request: FastifyRequest): CredentialSource {
  return { headers: request.headers, ip: request.ip };
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A browser on another site must not act with the user's cookie (CSRF) nor open the
 * live feed (cross-site WebSocket hijacking): state-changing requests that carry the
 * session cookie, every sign-in request, and WebSocket upgrades are refused when their
 * Origin is not this server's own (scheme and host as the browser saw them, through a
 * trusted proxy's X-Forwarded-* headers). Clients that send no Origin (curl, machines) pass.
 */
function crossOriginRefusal(request: FastifyRequest, upgrade: boolean): VigilError | null {
  const checked =
    upgrade || (STATE_CHANGING.has(request.method) && (Boolean(request.headers.cookie?.includes('vigil_session=')) || request.url.startsWith('/api/auth/')));
  if (!checked) return null;
  const origin = request.headers.origin;
  if (origin === undefined) return request.headers['sec-fetch-site'] === 'cross-site' ? new VigilError('forbidden', 'cross-site request refused') : null;
  const own = `${request.protocol}://${request.host}`;
  if (origin.toLowerCase() === own.toLowerCase()) return null;
  return new VigilError(
    'forbidden',
    `requests from ${origin.slice(0, 100)} are refused: only this site's own pages (${own}) may act here` +
      ' (behind a reverse proxy? list it in VIGIL_TRUST_PROXY and let it pass Host and X-Forwarded-Proto)',
  );
}

/**
 * Everything the web UI loads comes from Vigil itself: scripts only from files of this
 * origin (no inline script, no eval), MapLibre's worker from a file, map images and
 * exports as data:/blob:. Inline style attributes stay allowed (React and MapLibre set them).
 */
function contentSecurityPolicy(https: boolean): Record<string, string[] | null> {
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    workerSrc: ["'self'", 'blob:'],
    mediaSrc: ["'self'", 'blob:', 'data:'],
    manifestSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    // Upgrading http: subresources would break a plain-HTTP loopback installation.
    upgradeInsecureRequests: https ? [] : null,
  };
}

function accessError(access: RouteAccess, p: Principal): VigilError {
  if (p.kind === 'public') return new VigilError('unauthenticated', 'sign in or present an API key to use this route');
  if ((access.minAuthLevel ?? 1) > p.authLevel) {
    return new VigilError('second_factor_required', 'this route requires a second factor (TOTP) at sign-in');
  }
  return new VigilError('forbidden', `this route is for ${describeAccess(access)}`, {
    required: access.roles,
    held: p.roles,
  });
}

export function describeAccess(access: RouteAccess): string {
  const who =
    access.roles === 'public'
      ? 'everyone, unauthenticated included'
      : access.roles === 'authenticated'
        ? 'any signed-in user or API key'
        : `roles ${access.roles.join(', ')}`;
  return access.minAuthLevel === 2 ? `${who}, with a second factor` : who;
}

async function registerWebUi(app: FastifyInstance, distDir: string): Promise<void> {
  const index = join(distDir, 'index.html');
  if (existsSync(index)) {
    await app.register(fastifyStatic, {
      root: distDir,
      wildcard: false,
      index: false,
      maxAge: '1h',
      // The service worker and the manifest are looked up again by browsers; a stale one would pin an old app.
      setHeaders: (res, path) => {
        if (path.endsWith('sw.js') || path.endsWith('.webmanifest')) res.header('cache-control', 'no-cache');
      },
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    if (guardedPath(request.url) || request.method !== 'GET') {
      return reply.status(404).send(new VigilError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`).toBody());
    }
    if (!existsSync(index)) {
      return reply.status(503).type('text/plain').send('The web UI is not built: run `npm run build:web`.');
    }
    // The citizen app (public, installable) is its own page; client-side routes (/map, /audit, …) load the staff app.
    const citizen = request.url === '/citizen' || request.url.startsWith('/citizen?') || request.url.startsWith('/citizen/');
    return reply.header('Cache-Control', 'no-cache').sendFile(citizen && existsSync(join(distDir, 'citizen.html')) ? 'citizen.html' : 'index.html');
  });
}
