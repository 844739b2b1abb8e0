import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../platform/access.js';
import { badRequest } from '../kernel/errors.js';
import { tuning } from '../kernel/tuning.js';
import {
  ALERT_SEVERITIES,
  CASE_RESOLUTIONS,
  CASE_STATUSES,
  DEFAULT_MAX_ARTEFACT_FILE_BYTES,
  MAX_ARTEFACT_BYTES,
  OBSERVABLE_TYPES,
  PAP_LEVELS,
  TLP_LEVELS,
  type ObservableType,
} from './contract.js';
import { TRIAGE_STATES, VEX_JUSTIFICATIONS, type TriageInput } from '../device-security/contract.js';
import type { CaseInput, CsirtService } from './csirt-service.js';
import { readLargeStixOffThread, stixReadOffThread } from './large-stix.js';
import { JSON_EVENT_SCHEMA, type JsonSecurityEvent, type SecurityIntake } from './intake.js';

/** Who reads the desk: the CSIRT, and an organisation's admins and supervisors (their own organisation's security data). */
export const CSIRT_READERS: readonly Role[] = ['csirt', 'admin', 'supervisor'];
/** Who works cases and alerts. */
export const CSIRT_HANDLERS: readonly Role[] = ['csirt'];
const MAX_EVENTS_PER_REQUEST = 1000;

const id = { type: 'string', minLength: 1, maxLength: 100 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const observable = {
  type: 'object',
  required: ['type', 'value'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: [...OBSERVABLE_TYPES] },
    value: text(2048),
    ioc: { type: 'boolean' },
    note: { type: 'string', maxLength: 1000 },
  },
} as const;
const tags = ['csirt'];

/** /api/csirt: security events in, alerts, cases, advisories, STIX/MISP exchange. */
export function csirtRoutes(service: CsirtService, intake: SecurityIntake): FastifyPluginAsync {
  return async (app) => {
    const handlers = { config: { access: { roles: CSIRT_HANDLERS } } };
    const readers = { config: { access: { roles: CSIRT_READERS } } };

    app.post<{ Body: JsonSecurityEvent | { events: JsonSecurityEvent[] } }>(
      '/api/csirt/events',
      {
        ...handlers,
        schema: {
          summary: 'Security events in as JSON (a firewall, a log shipper with a csirt API key): one event, or { events: [...] }; 202 once stored',
          tags,
          body: {
            anyOf: [
              JSON_EVENT_SCHEMA,
              {
                type: 'object',
                required: ['events'],
                additionalProperties: false,
                properties: { events: { type: 'array', minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST, items: JSON_EVENT_SCHEMA } },
              },
            ],
          },
        },
      },
      async (request, reply) => {
        const now = Date.now();
        const list = 'events' in request.body ? request.body.events : [request.body];
        const admitted = list.filter(() => intake.admit(request.ip, now));
        await intake.add(admitted.map((e) => intake.fromJson(e, request.ip, now)));
        return reply.code(202).send({ stored: admitted.length, dropped: list.length - admitted.length });
      },
    );

    app.get(
      '/api/csirt/summary',
      { ...readers, schema: { summary: 'The desk in figures: events, open alerts and cases, median time to triage and to close', tags } },
      async (request) => ({
        summary: {
          ...service.summary(request.principal),
          // What the intake refused and dropped is counted city-wide, across organisations: the CSIRT's figures only.
          eventsRefused: service.readsEveryOrganisation(request.principal) ? intake.figures.refused : 0,
          eventsDropped: service.readsEveryOrganisation(request.principal) ? intake.figures.dropped : 0,
          maxArtefactBytes: service.store?.maxBytes ?? MAX_ARTEFACT_BYTES,
          artefactRetentionDays: service.artefactRetentionDays,
        },
      }),
    );

    app.get<{ Querystring: { limit?: number } }>(
      '/api/csirt/events',
      {
        ...readers,
        schema: {
          summary: 'The latest security events the caller may see',
          tags,
          querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } },
        },
      },
      async (request) => ({ events: service.events(request.principal, request.query.limit ?? 200) }),
    );

    app.get(
      '/api/csirt/alerts',
      { ...readers, schema: { summary: 'Security alerts (deduplicated per rule and key, grouped by what they concern)', tags } },
      async (request) => ({
        alerts: service.alerts(request.principal),
      }),
    );

    app.post<{ Params: { id: string }; Body: { status: 'acknowledged' | 'dismissed' | 'new' } }>(
      '/api/csirt/alerts/:id/status',
      {
        ...handlers,
        schema: {
          summary: 'Acknowledge, dismiss or reopen an alert',
          tags,
          params: idParams,
          body: {
            type: 'object',
            required: ['status'],
            additionalProperties: false,
            properties: { status: { type: 'string', enum: ['acknowledged', 'dismissed', 'new'] } },
          },
        },
      },
      async (request) => ({ alert: await service.setAlertStatus(request.principal, request.params.id, request.body.status) }),
    );

    app.get('/api/csirt/cases', { ...readers, schema: { summary: 'Cases the caller may see', tags } }, async (request) => ({
      cases: service.caseRows(request.principal),
    }));

    app.post<{ Body: CaseInput }>(
      '/api/csirt/cases',
      {
        ...handlers,
        schema: {
          summary: 'Open a case, by hand or from alerts (their observables join it)',
          tags,
          body: {
            type: 'object',
            required: ['title'],
            additionalProperties: false,
            properties: {
              title: text(200),
              description: { type: 'string', maxLength: 10_000 },
              orgId: { anyOf: [id, { type: 'null' }] },
              severity: { type: 'string', enum: [...ALERT_SEVERITIES] },
              tlp: { type: 'string', enum: [...TLP_LEVELS] },
              pap: { type: 'string', enum: [...PAP_LEVELS] },
              alertIds: { type: 'array', maxItems: 200, uniqueItems: true, items: id },
              incidentId: { anyOf: [id, { type: 'null' }] },
              observables: { type: 'array', maxItems: 200, items: observable },
              findingIds: { type: 'array', maxItems: 200, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 400 } },
              notifyOwners: { type: 'boolean' },
            },
          },
        },
      },
      async (request, reply) => reply.code(201).send({ case: await service.openCase(request.principal, request.body) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/csirt/cases/:id',
      { ...readers, schema: { summary: 'A case with its tasks, observables and their sightings, timeline, alerts and advisories', tags, params: idParams } },
      async (request) => ({
        case: service.caseView(request.principal, request.params.id),
      }),
    );

    app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>(
      '/api/csirt/cases/:id',
      {
        ...handlers,
        schema: {
          summary: 'Change a case: title, description, severity, TLP, PAP, assignee (username), status (new, in-progress)',
          tags,
          params: idParams,
          body: {
            type: 'object',
            minProperties: 1,
            additionalProperties: false,
            properties: {
              title: text(200),
              description: { type: 'string', maxLength: 10_000 },
              severity: { type: 'string', enum: [...ALERT_SEVERITIES] },
              tlp: { type: 'string', enum: [...TLP_LEVELS] },
              pap: { type: 'string', enum: [...PAP_LEVELS] },
              assignee: { anyOf: [text(100), { type: 'null' }] },
              status: { type: 'string', enum: CASE_STATUSES.filter((s) => s !== 'closed') },
            },
          },
        },
      },
      async (request) => ({ case: await service.updateCase(request.principal, request.params.id, request.body) }),
    );

    app.post<{ Params: { id: string }; Body: { alertIds: string[] } }>(
      '/api/csirt/cases/:id/alerts',
      {
        ...handlers,
        schema: {
          summary: 'Link alerts to a case',
          tags,
          params: idParams,
          body: {
            type: 'object',
            required: ['alertIds'],
            additionalProperties: false,
            properties: { alertIds: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: id } },
          },
        },
      },
      async (request) => ({ case: await service.linkAlerts(request.principal, request.params.id, request.body.alertIds) }),
    );

    app.post<{ Params: { id: string }; Body: { findingIds: string[]; notifyOwners?: boolean } }>(
      '/api/csirt/cases/:id/findings',
      {
        ...handlers,
        schema: {
          summary:
            'Link device-security findings to a case: their device and CVE join as observables; each owner organisation not yet told gets an advisory (notifyOwners: false to not)',
          tags,
          params: idParams,
          body: {
            type: 'object',
            required: ['findingIds'],
            additionalProperties: false,
            properties: {
              findingIds: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 400 } },
              notifyOwners: { type: 'boolean' },
            },
          },
        },
      },
      async (request) => ({
        case: await service.linkFindings(request.principal, request.params.id, request.body.findingIds, request.body.notifyOwners ?? true),
      }),
    );

    app.post<{ Params: { id: string; findingId: string }; Body: TriageInput }>(
      '/api/csirt/cases/:id/findings/:findingId/triage',
      {
        ...handlers,
        schema: {
          summary:
            "Triage one of the case's findings without leaving it: new, confirmed, not-affected (with a VEX justification), mitigated or fixed, saying why; recorded by device security, shown on the case's timeline",
          tags,
          params: {
            type: 'object',
            required: ['id', 'findingId'],
            properties: { id, findingId: { type: 'string', minLength: 1, maxLength: 400 } },
          },
          body: {
            type: 'object',
            required: ['state', 'detail'],
            additionalProperties: false,
            properties: {
              state: { type: 'string', enum: [...TRIAGE_STATES] },
              justification: { anyOf: [{ type: 'string', enum: [...VEX_JUSTIFICATIONS] }, { type: 'null' }] },
              detail: { type: 'string', minLength: 1, maxLength: 2000 },
            },
          },
        },
      },
      async (request) => ({
        case: await service.triageFinding(request.principal, request.params.id, request.params.findingId, request.body),
      }),
    );

    await app.register(async (upload) => {
      // Any content: a sample, a capture, a firmware image, a mail. Handed over as the request
      // stream (never parsed, never held whole in memory), kept as bytes, never executed or shown inline.
      upload.removeAllContentTypeParsers();
      upload.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
      upload.post<{ Params: { id: string }; Querystring: { name: string; note?: string; ioc?: boolean }; Body: Readable }>(
        '/api/csirt/cases/:id/artefacts',
        {
          ...handlers,
          schema: {
            summary: `Keep a file with a case (any type, as the raw body, at most VIGIL_CSIRT_MAX_ARTEFACT_BYTES, default ${DEFAULT_MAX_ARTEFACT_FILE_BYTES / 1024 / 1024} MiB; 413 beyond): streamed to disk and hashed as it arrives, durable before the answer; its SHA-256 joins the case as an observable`,
            tags,
            params: idParams,
            querystring: {
              type: 'object',
              required: ['name'],
              additionalProperties: false,
              properties: { name: text(120), note: { type: 'string', maxLength: 1000 }, ioc: { type: 'boolean' } },
            },
          },
        },
        async (request, reply) => {
          const body = request.body as Readable | undefined;
          if (!body || typeof body.pipe !== 'function') throw badRequest('send the file as the raw request body');
          const length = request.headers['content-length'];
          const file = {
            name: request.query.name,
            declaredType: request.headers['content-type'] ?? '',
            body,
            ...(length !== undefined && /^\d+$/.test(length) ? { declaredBytes: Number(length) } : {}),
          };
          try {
            return reply.code(201).send({
              case: await service.addArtefactUpload(request.principal, request.params.id, file, { note: request.query.note, ioc: request.query.ioc }),
            });
          } catch (error) {
            if (!request.raw.complete) {
              // Refused before the body was read to its end (too large, no right to the case): the answer
              // goes out and the connection closes; the rest of the body is not waited for long.
              reply.header('connection', 'close');
              reply.raw.once('finish', () => setTimeout(() => request.raw.socket?.destroy(), 5_000).unref());
            }
            throw error;
          }
        },
      );
    });

    app.get<{ Params: { id: string } }>(
      '/api/csirt/artefacts/:id',
      {
        ...readers,
        schema: {
          summary:
            "A case's artefact (the policy asked on every read), streamed and checked against its SHA-256: always a download (application/octet-stream, attachment, nosniff), never shown inline",
          tags,
          params: idParams,
        },
      },
      async (request, reply) => {
        const { artefact, body } = await service.openArtefact(request.principal, request.params.id);
        const ascii = artefact.name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
        return reply
          .type('application/octet-stream')
          .header('content-length', String(artefact.bytes))
          .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(artefact.name)}`)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'no-store')
          .header('x-content-sha256', artefact.sha256)
          .send(body);
      },
    );

    app.post<{ Params: { id: string }; Body: { note?: string } }>(
      '/api/csirt/artefacts/:id/erase',
      {
        ...handlers,
        schema: {
          summary:
            "Erase a case's artefact (the right to act on its case): recorded first, then its bytes go — the key of the copy in the log shredded, the file on disk deleted once no other artefact names its SHA-256. Closed cases lose their artefacts by themselves after VIGIL_CSIRT_ARTEFACT_RETENTION_DAYS",
          tags,
          params: idParams,
          body: { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 1000 } } },
        },
      },
      async (request) => ({ case: await service.eraseArtefact(request.principal, request.params.id, request.body?.note ?? '') }),
    );

    app.post<{ Params: { id: string }; Body: { title: string; owner?: string | null; dueAt?: string | null } }>(
      '/api/csirt/cases/:id/tasks',
      {
        ...handlers,
        schema: {
          summary: 'Add a task (owner: a username; due time)',
          tags,
          params: idParams,
          body: {
            type: 'object',
            required: ['title'],
            additionalProperties: false,
            properties: {
              title: text(200),
              owner: { anyOf: [text(100), { type: 'null' }] },
              dueAt: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
            },
          },
        },
      },
      async (request, reply) => reply.code(201).send({ case: await service.addTask(request.principal, request.params.id, request.body) }),
    );

    app.post<{ Params: { id: string; taskId: string }; Body: { done: boolean } }>(
      '/api/csirt/cases/:id/tasks/:taskId',
      {
        ...handlers,
        schema: {
          summary: 'Mark a task done (or not)',
          tags,
          params: { type: 'object', required: ['id', 'taskId'], properties: { id, taskId: id } },
          body: { type: 'object', required: ['done'], additionalProperties: false, properties: { done: { type: 'boolean' } } },
        },
      },
      async (request) => ({ case: await service.taskDone(request.principal, request.params.id, request.params.taskId, request.body.done) }),
    );

    app.post<{ Params: { id: string }; Body: { type: ObservableType; value: string; ioc?: boolean; note?: string } }>(
      '/api/csirt/cases/:id/observables',
      { ...handlers, schema: { summary: 'Add an observable (IP, domain, URL, hash, CVE, device, account…)', tags, params: idParams, body: observable } },
      async (request, reply) => reply.code(201).send({ case: await service.addObservable(request.principal, request.params.id, request.body) }),
    );

    app.post<{ Params: { id: string }; Body: { text: string } }>(
      '/api/csirt/cases/:id/comments',
      {
        ...handlers,
        schema: {
          summary: 'Add a note to the timeline',
          tags,
          params: idParams,
          body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: text(5000) } },
        },
      },
      async (request, reply) => reply.code(201).send({ case: await service.comment(request.principal, request.params.id, request.body.text) }),
    );

    app.post<{ Params: { id: string }; Body: { resolution: (typeof CASE_RESOLUTIONS)[number]; note?: string } }>(
      '/api/csirt/cases/:id/close',
      {
        ...handlers,
        schema: {
          summary: 'Close a case with its resolution',
          tags,
          params: idParams,
          body: {
            type: 'object',
            required: ['resolution'],
            additionalProperties: false,
            properties: { resolution: { type: 'string', enum: [...CASE_RESOLUTIONS] }, note: { type: 'string', maxLength: 5000 } },
          },
        },
      },
      async (request) => ({ case: await service.close(request.principal, request.params.id, request.body.resolution, request.body.note ?? '') }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/csirt/cases/:id/reopen',
      { ...handlers, schema: { summary: 'Reopen a closed case', tags, params: idParams } },
      async (request) => ({
        case: await service.reopen(request.principal, request.params.id),
      }),
    );

    app.post<{ Params: { id: string }; Body: { orgId: string; title: string; body: string; tlp?: (typeof TLP_LEVELS)[number] } }>(
      '/api/csirt/cases/:id/advisories',
      {
        ...handlers,
        schema: {
          summary: 'Send an advisory to a constituent organisation (tracked until it confirms)',
          tags,
          params: idParams,
          body: {
            type: 'object',
            required: ['orgId', 'title', 'body'],
            additionalProperties: false,
            properties: { orgId: id, title: text(200), body: text(10_000), tlp: { type: 'string', enum: [...TLP_LEVELS] } },
          },
        },
      },
      async (request, reply) => reply.code(201).send({ case: await service.sendAdvisory(request.principal, request.params.id, request.body) }),
    );

    app.get(
      '/api/csirt/advisories',
      { ...readers, schema: { summary: "Advisories: to the caller's organisation (the CSIRT: all)", tags } },
      async (request) => ({
        advisories: service.advisories(request.principal),
      }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/csirt/advisories/:id/confirm',
      {
        config: { access: { roles: ['admin', 'supervisor'] } },
        schema: { summary: 'The organisation told confirms it received and acts on the advisory', tags, params: idParams },
      },
      async (request) => ({ advisory: await service.confirmAdvisory(request.principal, request.params.id) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/csirt/cases/:id/stix',
      { ...handlers, schema: { summary: "The case's indicators and CVEs as a STIX 2.1 bundle", tags, params: idParams } },
      async (request, reply) =>
        reply
          .header('content-disposition', `attachment; filename="${request.params.id}.stix.json"`)
          .send(service.exportStix(request.principal, request.params.id)),
    );

    app.get<{ Params: { id: string } }>(
      '/api/csirt/cases/:id/misp',
      { ...handlers, schema: { summary: 'The case as a MISP event (JSON)', tags, params: idParams } },
      async (request, reply) =>
        reply
          .header('content-disposition', `attachment; filename="${request.params.id}.misp.json"`)
          .send(service.exportMisp(request.principal, request.params.id)),
    );

    await app.register(async (stix) => {
      // A large bundle (over VIGIL_LARGE_BODY_BYTES, up to 10 MiB) is parsed and read in the worker pool.
      readLargeStixOffThread(stix, tuning('VIGIL_LARGE_BODY_BYTES')!);
      stix.post<{ Body: { source: string; bundle: unknown } }>(
        '/api/csirt/indicators',
        {
          ...handlers,
          bodyLimit: 10 * 1024 * 1024,
          schema: {
            summary: 'Import the indicators of a STIX 2.1 bundle (a national CERT’s feed): matched against incoming events',
            tags,
            body: {
              type: 'object',
              required: ['source', 'bundle'],
              additionalProperties: false,
              properties: { source: text(200), bundle: { type: 'object' } },
            },
          },
        },
        async (request) => {
          const read = stixReadOffThread(request);
          return read
            ? service.importStixIndicators(request.principal, read.indicators, read.source)
            : service.importStix(request.principal, request.body.bundle, request.body.source);
        },
      );
    });

    app.get('/api/csirt/indicators', { ...handlers, schema: { summary: 'Imported indicators', tags } }, async (request) => ({
      indicators: service.indicators(request.principal),
    }));
  };
}
