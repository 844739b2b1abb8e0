import type { FastifyPluginAsync } from 'fastify';
import { isErasedText, personalSubject, readPurpose } from '../platform/personal-data.js';
import type { AlarmsReadPort } from '../alarms/contract.js';
import { badRequest } from '../kernel/errors.js';
import type { Role } from '../platform/access.js';
import { can } from '../platform/policy.js';
import type { EventLog } from '../platform/event-log.js';
import { UNIT_STATUSES, type UnitStatus } from '../units/contract.js';
import { INCIDENT_TYPES, INCIDENT_TYPE_IDS, type IncidentType } from './incident-types.js';
import { INTERNAL_ROLES, MAX_ATTACHMENT_BYTES, type CreateIncidentInput, type IncidentsService } from './incidents-service.js';
import {
  CHANNELS,
  INCIDENT_RESOLUTIONS,
  INCIDENT_SOURCES,
  INCIDENT_STATUSES,
  TRIAGE_CATEGORIES,
  type CasualtyCounts,
  type CommsChannel,
  type IncidentResolution,
  type IncidentStatus,
} from './model.js';
import { printPdf } from '../adapters/pdf/print-pdf.js';
import { buildTimeline, timelineHtml } from './timeline.js';
import { positionSchema } from '../kernel/geo.js';

const VIEWERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'alert-officer', 'admin'];
const DISPATCHERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'admin'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;
const position = positionSchema;
const ids = { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 100 } } as const;

/** /api/incidents: intake, board, ownership, status, dispatch, communications, timeline. */
export function incidentsRoutes(service: IncidentsService, alarms: AlarmsReadPort, log: EventLog, timeZone: string): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/incidents/types',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: 'Incident types with default priority and the capabilities their units need', tags: ['incidents'] },
      },
      async () => ({ types: INCIDENT_TYPES, travelTimes: service.travel.name }),
    );

    app.get<{ Querystring: { closed?: boolean } }>(
      '/api/incidents',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary: 'The incident board: incidents the caller may see, most urgent first',
          tags: ['incidents'],
          querystring: { type: 'object', additionalProperties: false, properties: { closed: { type: 'boolean', default: false } } },
        },
      },
      // The board carries no caller: who called is read on the incident itself, where the read is recorded.
      async (request) => ({ incidents: service.visible(request.principal, request.query.closed ?? false).map(({ caller: _caller, ...i }) => i) }),
    );

    app.get(
      '/api/incidents/assigned',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: "Responder view: the caller's unit and the incident it is assigned to", tags: ['incidents'] },
      },
      async (request) => {
        const mine = service.assignedTo(request.principal);
        if (!mine) return { unit: null, incident: null, log: [] };
        const assignment = mine.incident?.assignments.find((a) => a.unitId === mine.unit.unitId && !a.releasedAt) ?? null;
        const incident = mine.incident ? service.viewFor(mine.incident, request.principal) : null;
        // The caller is personal data: viewFor keeps it only for those the policy lets read it, and the read is recorded first.
        if (incident?.caller && !isErasedText(incident.caller.phone ?? incident.caller.name)) {
          await service.recordPersonalRead(
            incident,
            request.principal,
            [{ subject: personalSubject('caller', incident.incidentId), label: `${incident.reference}: caller` }],
            readPurpose(request.headers['x-vigil-purpose'], 'responder assignment'),
          );
        }
        return { unit: mine.unit, incident, assignment, log: incident ? service.logFor(incident, request.principal) : [] };
      },
    );

    app.post<{ Body: CreateIncidentInput }>(
      '/api/incidents',
      {
        config: { access: { roles: DISPATCHERS } },
        schema: {
          summary: 'Open an incident (call-taker form; sensors, cameras and citizen reports with their source)',
          tags: ['incidents'],
          body: {
            type: 'object',
            required: ['type', 'position', 'source'],
            additionalProperties: false,
            properties: {
              type: { type: 'string', enum: INCIDENT_TYPE_IDS },
              priority: { type: 'integer', minimum: 1, maximum: 5 },
              title: { type: 'string', maxLength: 200 },
              description: { type: 'string', maxLength: 5000 },
              position,
              address: { type: ['string', 'null'], maxLength: 300 },
              siteId: { type: ['string', 'null'], maxLength: 200 },
              source: { type: 'string', enum: [...INCIDENT_SOURCES] },
              caller: {
                type: ['object', 'null'],
                additionalProperties: false,
                properties: { name: { type: ['string', 'null'], maxLength: 120 }, phone: { type: ['string', 'null'], maxLength: 40 } },
              },
              alarmIds: ids,
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ incident: await service.create(request.body, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: { type?: IncidentType; priority?: number; description?: string } }>(
      '/api/incidents/from-alarm/:id',
      {
        config: { access: { roles: DISPATCHERS } },
        schema: {
          summary: 'Escalate an alarm into an incident: its site, kind, position and link carried over',
          tags: ['incidents'],
          params: idParams,
          body: {
            type: ['object', 'null'],
            additionalProperties: false,
            properties: {
              type: { type: 'string', enum: INCIDENT_TYPE_IDS },
              priority: { type: 'integer', minimum: 1, maximum: 5 },
              description: { type: 'string', maxLength: 5000 },
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ incident: await service.fromAlarm(request.params.id, request.principal, request.body ?? {}) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/incidents/:id',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary: 'An incident with its communications log (internal entries for dispatch and responders only)',
          tags: ['incidents'],
          params: idParams,
        },
      },
      async (request) => {
        const incident = service.viewFor(service.incidentFor(request.params.id, request.principal), request.principal);
        // viewFor keeps only the linked alarms the caller may read, and the caller's identity only for those the policy lets read it.
        const view = {
          incident,
          log: service.logFor(incident, request.principal),
          alarms: incident.alarmIds.map((a) => alarms.alarm(a)).filter(Boolean),
          // Whether the policy lets the caller act on it (a partner reading a share only does not): the UI offers actions only then.
          mayAct: can(request.principal, 'act', service.resourceOf(incident)),
        };
        // Who called is personal data: the read is recorded (who, which incident, why) before it is answered.
        if (incident.caller && !isErasedText(incident.caller.phone ?? incident.caller.name)) {
          await service.recordPersonalRead(
            incident,
            request.principal,
            [{ subject: personalSubject('caller', incident.incidentId), label: `${incident.reference}: caller` }],
            readPurpose(request.headers['x-vigil-purpose'], 'incident view'),
          );
        }
        return view;
      },
    );

    app.patch<{ Params: { id: string }; Body: { priority?: number; title?: string; description?: string } }>(
      '/api/incidents/:id',
      {
        config: { access: { roles: DISPATCHERS } },
        schema: {
          summary: 'Change priority, title or description',
          tags: ['incidents'],
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              priority: { type: 'integer', minimum: 1, maximum: 5 },
              title: { type: 'string', minLength: 1, maxLength: 200 },
              description: { type: 'string', maxLength: 5000 },
            },
          },
        },
      },
      async (request) => ({ incident: await service.update(request.params.id, request.body, request.principal) }),
    );

    app.put<{ Params: { id: string }; Body: CasualtyCounts }>(
      '/api/incidents/:id/casualties',
      {
        config: { access: { roles: DISPATCHERS } },
        schema: {
          summary: 'Record the casualty counts by triage category as they stand now (reported in the EDXL-SitRep)',
          tags: ['incidents'],
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: [...TRIAGE_CATEGORIES],
            properties: Object.fromEntries(TRIAGE_CATEGORIES.map((k) => [k, { type: 'integer', minimum: 0, maximum: 100000 }])),
          },
        },
      },
      async (request) => ({ incident: await service.recordCasualties(request.params.id, request.body, request.principal) }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/incidents/:id/take',
      {
        config: { access: { roles: DISPATCHERS } },
        schema: {
          summary: 'Take the incident (ownership; a commander of an organisation it is shared with takes it over)',
          tags: ['incidents'],
          params: idParams,
        },
      },
      async (request) => ({ incident: await service.take(request.params.id, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: { status: IncidentStatus; resolution?: IncidentResolution; note?: string } }>(
      '/api/incidents/:id/status',
      {
        config: { access: { roles: DISPATCHERS } },
        schema: {
          summary: 'Move the incident along new → dispatched → on-scene → contained → closed (closing needs a resolution)',
          tags: ['incidents'],
          params: idParams,
          body: {
            type: 'object',
            required: ['status'],
            additionalProperties: false,
            properties: {
              status: { type: 'string', enum: [...INCIDENT_STATUSES] },
              resolution: { type: 'string', enum: [...INCIDENT_RESOLUTIONS] },
              note: { type: 'string', maxLength: 2000 },
            },
          },
        },
      },
      async (request) => ({
        incident: await service.changeStatus(request.params.id, request.body.status, request.principal, {
          resolution: request.body.resolution ?? null,
          note: request.body.note ?? null,
        }),
      }),
    );

    app.post<{ Params: { id: string }; Body: { alarmIds?: string[]; alertIds?: string[] } }>(
      '/api/incidents/:id/links',
      {
        config: { access: { roles: DISPATCHERS } },
        schema: {
          summary: 'Link alarms and public alerts to the incident',
          tags: ['incidents'],
          params: idParams,
          body: { type: 'object', additionalProperties: false, properties: { alarmIds: ids, alertIds: ids } },
        },
      },
      async (request) => ({ incident: await service.link(request.params.id, request.body, request.principal) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/incidents/:id/recommendation',
      {
        config: { access: { roles: DISPATCHERS } },
        schema: {
          summary: 'Available units that can handle it, ranked by ETA (travel-time source named), and those left out with why',
          tags: ['incidents'],
          params: idParams,
        },
      },
      async (request) => {
        const r = await service.recommend(request.params.id, request.principal);
        return { travelTimes: r.travelTimes, ranked: r.ranked.slice(0, 20), excluded: r.excluded };
      },
    );

    app.post<{ Params: { id: string }; Body: { unitId: string; overrideReason?: string } }>(
      '/api/incidents/:id/dispatch',
      {
        config: { access: { roles: DISPATCHERS } },
        schema: {
          summary: 'Dispatch a unit: the recommended one, or another with the reason',
          tags: ['incidents'],
          params: idParams,
          body: {
            type: 'object',
            required: ['unitId'],
            additionalProperties: false,
            properties: { unitId: { type: 'string', maxLength: 100 }, overrideReason: { type: 'string', maxLength: 500 } },
          },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send({ assignment: await service.dispatch(request.params.id, request.body.unitId, request.principal, request.body.overrideReason ?? null) }),
    );

    app.post<{ Params: { id: string; unitId: string }; Body: { status: UnitStatus; note?: string } }>(
      '/api/incidents/:id/units/:unitId/status',
      {
        config: { access: { roles: INTERNAL_ROLES } },
        schema: {
          summary: "An assigned unit's crew reports en route, on scene, returning (the first unit on scene puts the incident on scene)",
          tags: ['incidents'],
          params: {
            type: 'object',
            required: ['id', 'unitId'],
            properties: { id: { type: 'string', maxLength: 100 }, unitId: { type: 'string', maxLength: 100 } },
          },
          body: {
            type: 'object',
            required: ['status'],
            additionalProperties: false,
            properties: { status: { type: 'string', enum: [...UNIT_STATUSES] }, note: { type: 'string', maxLength: 500 } },
          },
        },
      },
      async (request) => ({
        incident: await service.unitStatus(request.params.id, request.params.unitId, request.body.status, request.principal, request.body.note?.trim() || null),
      }),
    );

    app.post<{ Params: { id: string; unitId: string }; Body: { note?: string } }>(
      '/api/incidents/:id/units/:unitId/release',
      {
        config: { access: { roles: DISPATCHERS } },
        schema: {
          summary: 'Release an assigned unit (it becomes available, or returning from the scene)',
          tags: ['incidents'],
          params: {
            type: 'object',
            required: ['id', 'unitId'],
            properties: { id: { type: 'string', maxLength: 100 }, unitId: { type: 'string', maxLength: 100 } },
          },
          body: { type: ['object', 'null'], additionalProperties: false, properties: { note: { type: 'string', maxLength: 500 } } },
        },
      },
      async (request) => ({ incident: await service.release(request.params.id, request.params.unitId, request.principal, request.body?.note?.trim() || null) }),
    );

    app.post<{ Params: { id: string }; Body: { channel: CommsChannel; text: string; attachmentIds?: string[]; alertIds?: string[] } }>(
      '/api/incidents/:id/messages',
      {
        config: { access: { roles: ['operator', 'supervisor', 'commander', 'responder', 'admin'] } },
        schema: {
          summary: 'Post to the internal channel (dispatch ↔ responders) or release public information (command; may link public alerts)',
          tags: ['incidents'],
          params: idParams,
          body: {
            type: 'object',
            required: ['channel', 'text'],
            additionalProperties: false,
            properties: {
              channel: { type: 'string', enum: [...CHANNELS] },
              text: { type: 'string', minLength: 1, maxLength: 4000 },
              attachmentIds: { ...ids, maxItems: 10 },
              alertIds: { ...ids, maxItems: 10 },
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ entry: await service.post(request.params.id, request.body, request.principal) }),
    );

    await app.register(async (upload) => {
      upload.addContentTypeParser(
        ['image/jpeg', 'image/png', 'application/pdf', 'text/plain', 'application/octet-stream'],
        { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES },
        (_req, body, done) => done(null, body),
      );
      upload.post<{ Params: { id: string }; Querystring: { name: string }; Body: Buffer }>(
        '/api/incidents/:id/attachments',
        {
          bodyLimit: MAX_ATTACHMENT_BYTES,
          config: { access: { roles: INTERNAL_ROLES } },
          schema: {
            summary: `Attach a small file (JPEG, PNG, PDF or UTF-8 text, at most ${MAX_ATTACHMENT_BYTES / 1024} KiB) as the raw body; kept in the log with its SHA-256`,
            tags: ['incidents'],
            params: idParams,
            querystring: {
              type: 'object',
              required: ['name'],
              additionalProperties: false,
              properties: { name: { type: 'string', minLength: 1, maxLength: 120 } },
            },
          },
        },
        async (request, reply) => {
          if (!Buffer.isBuffer(request.body)) throw badRequest('send the file as the raw request body with its content type');
          return reply.status(201).send({
            attachment: await service.attach(
              request.params.id,
              { name: request.query.name, contentType: request.headers['content-type'] ?? '', bytes: request.body },
              request.principal,
            ),
          });
        },
      );
    });

    app.get<{ Params: { id: string } }>(
      '/api/incidents/attachments/:id',
      {
        config: { access: { roles: INTERNAL_ROLES } },
        schema: { summary: 'An attachment (checked against its recorded SHA-256)', tags: ['incidents'], params: idParams },
      },
      async (request, reply) => {
        const { ref, bytes } = await service.attachment(request.params.id, request.principal);
        const incident = service.incidentFor(service.state.attachments.get(ref.attachmentId)!.incidentId, request.principal);
        await service.recordPersonalRead(
          incident,
          request.principal,
          [{ subject: personalSubject('attachment', ref.attachmentId), label: `${incident.reference}: file ${ref.name}` }],
          readPurpose(request.headers['x-vigil-purpose'], 'incident attachment'),
        );
        return reply
          .type(ref.contentType)
          .header('content-disposition', `attachment; filename="${ref.name.replace(/"/g, '')}"`)
          .header('x-content-sha256', ref.sha256)
          .send(bytes);
      },
    );

    app.get<{ Params: { id: string; format: 'json' | 'html' | 'pdf' } }>(
      '/api/incidents/:id/timeline.:format',
      {
        config: { access: { roles: ['operator', 'supervisor', 'commander', 'admin'] } },
        schema: {
          summary: 'After-action timeline: every signal, decision, dispatch, status change, message and alert on one time axis (JSON, printable HTML, PDF)',
          tags: ['incidents'],
          params: {
            type: 'object',
            required: ['id', 'format'],
            properties: { id: { type: 'string', maxLength: 100 }, format: { type: 'string', enum: ['json', 'html', 'pdf'] } },
          },
        },
      },
      async (request, reply) => {
        const incident = service.viewFor(service.incidentFor(request.params.id, request.principal), request.principal);
        const timeline = await buildTimeline(incident, log, alarms, service.logFor(incident, request.principal), Date.now(), request.principal);
        const file = `${incident.reference}-timeline`;
        if (request.params.format === 'json') return reply.header('content-disposition', `inline; filename="${file}.json"`).send(timeline);
        const html = timelineHtml(timeline, timeZone);
        if (request.params.format === 'html')
          return reply.type('text/html; charset=utf-8').header('content-disposition', `inline; filename="${file}.html"`).send(html);
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${file}.pdf"`)
          .send(await printPdf(html, request.principal.actor));
      },
    );
  };
}
