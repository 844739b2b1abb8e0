import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../kernel/errors.js';
import { SlidingWindowLimiter, clientKey } from '../kernel/rate-limiter.js';
import type { AppContext } from '../platform/app-context.js';
import { FormError, boundaryOf, field, parseMultipart, parseUrlEncoded, type ParsedForm } from './form.js';
import { CITIZEN_APP_API_KEY, SAFETY_SERVICES, SERVICE_BY_CODE } from './model.js';
import { definitionDoc, discoveryDoc, errorsDoc, render, requestDoc, servicesDoc, type Format, type Lang } from './open311-format.js';
import { PhotoError, stripPhoto, type StrippedPhoto } from './photo.js';
import { MAX_PHOTO_BYTES, type CitizenReportsService } from './reports-service.js';
import { checkClient, checkReport, parseRequestsQuery, type Open311Error, type RequestContext } from './rules.js';

const HOUR = 3_600_000;
/** A multipart body carries one photo (stripped to ≤ 600 KiB) and the fields. */
const MULTIPART_LIMIT = 4 * 1024 * 1024;
const PUBLIC = { access: { roles: 'public' as const } };
const fileParam = { type: 'object', required: ['file'], properties: { file: { type: 'string', maxLength: 120 } } } as const;
const str = { type: 'string', maxLength: 2000 } as const;
const requestsQuery = {
  type: 'object',
  properties: { service_request_id: str, service_code: str, start_date: str, end_date: str, status: str, jurisdiction_id: str, locale: str },
} as const;

/** An Open311 error document, in the request's format, with its HTTP status. */
class Open311Failure extends Error {
  constructor(
    readonly status: number,
    readonly errors: Open311Error[],
  ) {
    super(errors.map((e) => e.description).join('; '));
  }
}

const formatOf = (url: string): Format => (/\.xml(\?|$)/.test(url) ? 'xml' : 'json');
const langOf = (q: unknown): Lang => ((q as { locale?: string } | undefined)?.locale?.toLowerCase().startsWith('fr') ? 'fr' : 'en');

/** `name.json` / `name.xml` → [name, format]; anything else is a 404 in Open311's form. */
function splitFile(file: string): [string, Format] {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  if (!m) throw new Open311Failure(404, [{ code: 404, description: 'unknown resource: add .json or .xml' }]);
  return [m[1]!, m[2] as Format];
}

/**
 * Open311 GeoReport v2 at /open311/v2/ and its discovery document: the safety services
 * and their definitions, POST requests (form or multipart with a photo), GET requests
 * with filters, one request, tokens; JSON and XML; errors as Open311 lists them.
 */
export function open311Routes(ctx: AppContext, service: CitizenReportsService, context: () => RequestContext): FastifyPluginAsync {
  const perIp = new SlidingWindowLimiter(ctx.config.reportsPerIp, HOUR);
  const perDevice = new SlidingWindowLimiter(ctx.config.reportsPerDevice, HOUR);

  return async (app: FastifyInstance) => {
    // Open311 clients post forms; this scope (only) reads them.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, parseUrlEncoded(body as string));
      } catch (e) {
        done(e as Error, undefined);
      }
    });
    app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MULTIPART_LIMIT }, (req, body, done) => {
      try {
        done(null, parseMultipart(body as Buffer, boundaryOf(String(req.headers['content-type']))));
      } catch (e) {
        done(e as Error, undefined);
      }
    });
    app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const format = formatOf(request.url);
      let status = 500;
      let errors: Open311Error[];
      const e = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
      if (error instanceof Open311Failure) ({ status, errors } = error);
      else if (error instanceof FormError) errors = [{ code: (status = 400), description: error.message, reason: 'open311.form-invalid' }];
      else if (error instanceof PhotoError) errors = [{ code: (status = 400), description: error.message, reason: 'open311.photo-invalid' }];
      else if (error instanceof VigilError) {
        status = error.status;
        const retry = (error.details as { retryAfterSeconds?: number } | null)?.retryAfterSeconds;
        const reason = error.reason ?? (error.code === 'rate_limited' ? 'open311.rate-limited' : undefined);
        const params = error.reason ? error.params : retry ? { minutes: Math.ceil(retry / 60) } : undefined;
        errors = [{ code: status, description: error.message, ...(reason ? { reason, ...(params ? { params } : {}) } : {}) }];
        if (retry) void reply.header('retry-after', String(retry));
      } else if (e.validation) errors = [{ code: (status = 400), description: `invalid request: ${e.message}` }];
      else if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        errors = [{ code: (status = 413), description: 'the request body is too large', reason: 'open311.too-large' }];
      else if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
        errors = [{ code: (status = e.statusCode), description: e.message ?? 'bad request' }];
      else {
        request.log.error({ err: error }, 'open311 request failed');
        errors = [{ code: 500, description: 'internal error; it has been logged' }];
      }
      const doc = render(format, 'errors', errorsDoc(errors));
      return reply.status(status).type(doc.type).send(doc.body);
    });

    const send = (reply: FastifyReply, format: Format, root: string, value: Parameters<typeof render>[2], status = 200) => {
      const doc = render(format, root, value);
      return reply.status(status).type(doc.type).send(doc.body);
    };
    const checkJurisdiction = (q: unknown): void => {
      const j = (q as { jurisdiction_id?: string } | undefined)?.jurisdiction_id;
      if (j !== undefined && j !== '' && j !== ctx.config.open311Jurisdiction)
        throw new Open311Failure(404, [{ code: 404, description: 'jurisdiction_id provided was not found' }]);
    };

    for (const format of ['json', 'xml'] as const) {
      app.get(
        `/open311/discovery.${format}`,
        { config: PUBLIC, schema: { summary: `Open311 service discovery (${format})`, tags: ['open311'] } },
        async (_request, reply) => send(reply, format, 'discovery', discoveryDoc(ctx.publicUrl(), '2026-12-04T00:00:00Z')),
      );
      app.get(
        `/open311/v2/services.${format}`,
        { config: PUBLIC, schema: { summary: `Open311: the safety services (${format})`, tags: ['open311'], querystring: requestsQuery } },
        async (request, reply) => {
          checkJurisdiction(request.query);
          return send(reply, format, 'services', servicesDoc(SAFETY_SERVICES, langOf(request.query)));
        },
      );
      app.get<{ Querystring: Record<string, string | undefined> }>(
        `/open311/v2/requests.${format}`,
        {
          config: PUBLIC,
          schema: { summary: `Open311: service requests, filtered (newest first, at most 1000) (${format})`, tags: ['open311'], querystring: requestsQuery },
        },
        async (request, reply) => {
          checkJurisdiction(request.query);
          const q = parseRequestsQuery(request.query, ctx.clock.now());
          if (!q.ok) throw new Open311Failure(q.status, q.errors);
          const base = ctx.publicUrl();
          return send(
            reply,
            format,
            'service_requests',
            service.query(q.value).map((r) => requestDoc(service.publicView(r, base, langOf(request.query)))),
          );
        },
      );
      app.post<{ Body: ParsedForm | undefined }>(
        `/open311/v2/requests.${format}`,
        {
          config: PUBLIC,
          schema: {
            summary: `Open311: report an issue (form fields of GeoReport v2; multipart with a photo in "media") (${format})`,
            description:
              'Fields: api_key, jurisdiction_id, service_code, lat+long or address_string, description, media_url, email, first_name, last_name, phone, device_id, attribute[code]; Vigil adds photo_location_consent=true. Call 112 for emergencies.',
            tags: ['open311'],
          },
        },
        async (request, reply) => {
          const form = request.body;
          if (!form || !(form.fields instanceof Map)) {
            throw new Open311Failure(400, [{ code: 400, description: 'send the request as application/x-www-form-urlencoded or multipart/form-data' }]);
          }
          const rc = context();
          const client = checkClient(form, rc);
          if (!client.ok) throw new Open311Failure(client.status, client.errors);
          const checked = checkReport(form, rc, client.value);
          if (!checked.ok) throw new Open311Failure(checked.status, checked.errors);
          let photo: StrippedPhoto | null = null;
          const file = form.files.find((f) => f.field === 'media') ?? form.files[0];
          if (file) {
            photo = stripPhoto(file.data);
            if (photo.data.length > MAX_PHOTO_BYTES)
              throw new Open311Failure(400, [
                {
                  code: 400,
                  description: `the photo is larger than ${MAX_PHOTO_BYTES / 1024} KiB once its metadata are removed: send a smaller one`,
                  reason: 'open311.too-large',
                },
              ]);
          }
          // Only a well-formed report costs its sender a place in the limits.
          limit(perIp, `ip:${clientKey(request.ip)}`, 'reports from your network');
          const device = field(form, 'device_id');
          if (device) limit(perDevice, `device:${device}`, 'reports from this device');
          const { report, followToken, notice } = await service.submit(checked.value, photo);
          const base = ctx.publicUrl();
          return send(
            reply,
            format,
            'service_requests',
            [
              {
                service_request_id: report.reportId,
                token: report.token,
                service_notice: notice,
                account_id: null,
                // Vigil's extension: the reporter's personal link to follow the report without an account.
                follow_url: `${base}/citizen?follow=${followToken}`,
              },
            ],
            201,
          );
        },
      );
    }

    const limit = (limiter: SlidingWindowLimiter, key: string, what: string): void => {
      const taken = limiter.take(key, ctx.clock.now());
      if (taken.ok) return;
      const retryAfterSeconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      throw new VigilError('rate_limited', `too many ${what}; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    };

    app.get<{ Params: { file: string } }>(
      '/open311/v2/services/:file',
      {
        config: PUBLIC,
        schema: {
          summary: 'Open311: a service definition and its attributes (<code>.json / .xml)',
          tags: ['open311'],
          params: fileParam,
          querystring: requestsQuery,
        },
      },
      async (request, reply) => {
        const [code, format] = splitFile(request.params.file);
        checkJurisdiction(request.query);
        const s = SERVICE_BY_CODE.get(code);
        if (!s) throw new Open311Failure(404, [{ code: 404, description: `service_code ${code.slice(0, 60)} was not found` }]);
        return send(reply, format, 'service_definition', definitionDoc(s, langOf(request.query)));
      },
    );
    app.get<{ Params: { file: string } }>(
      '/open311/v2/requests/:file',
      {
        config: PUBLIC,
        schema: { summary: 'Open311: one service request (<id>.json / .xml)', tags: ['open311'], params: fileParam, querystring: requestsQuery },
      },
      async (request, reply) => {
        const [id, format] = splitFile(request.params.file);
        checkJurisdiction(request.query);
        const r = service.state.reports.get(id);
        if (!r) throw new Open311Failure(404, [{ code: 404, description: `service_request_id ${id.slice(0, 60)} was not found` }]);
        return send(reply, format, 'service_requests', [requestDoc(service.publicView(r, ctx.publicUrl(), langOf(request.query)))]);
      },
    );
    app.get<{ Params: { file: string } }>(
      '/open311/v2/tokens/:file',
      {
        config: PUBLIC,
        schema: {
          summary: 'Open311: the service request id of a token (<token>.json / .xml)',
          tags: ['open311'],
          params: fileParam,
          querystring: requestsQuery,
        },
      },
      async (request, reply) => {
        const [token, format] = splitFile(request.params.file);
        checkJurisdiction(request.query);
        const id = service.state.byToken.get(token);
        if (!id) throw new Open311Failure(404, [{ code: 404, description: `token ${token.slice(0, 60)} was not found` }]);
        return send(reply, format, 'service_requests', [{ service_request_id: id, token }]);
      },
    );
    app.get<{ Params: { id: string } }>(
      '/open311/v2/media/:id',
      {
        config: PUBLIC,
        schema: {
          summary: "A report's photo (its metadata removed when it was received)",
          tags: ['open311'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
        },
      },
      async (request, reply) => {
        const photo = await service.photo(request.params.id);
        if (!photo) throw new Open311Failure(404, [{ code: 404, description: 'no photo for this request' }]);
        return reply.type(photo.contentType).header('cache-control', 'public, max-age=86400').header('x-content-type-options', 'nosniff').send(photo.data);
      },
    );
  };
}

/** The api_keys accepted: the configured apps' and the citizen app's own. */
export function apiKeysOf(configured: Record<string, string>): Map<string, string> {
  const keys = new Map<string, string>([[CITIZEN_APP_API_KEY, 'vigil-citizen-app']]);
  for (const [name, key] of Object.entries(configured)) keys.set(key, name);
  return keys;
}
