import type { FastifyPluginAsync } from 'fastify';
import { badRequest } from '../kernel/errors.js';
import { MAX_ATTACHMENT_BYTES } from '../platform/attachments.js';
import { printPdf } from '../adapters/pdf/print-pdf.js';
import type { Role } from '../platform/access.js';
import { readPurpose } from '../platform/personal-data.js';
import type { EventLog } from '../platform/event-log.js';
import type { EventInput, FeatureInput, GuidanceInput, MajorEventsService, ShareInput } from './events-service.js';
import { CLEARANCE_LEVELS, FEATURE_KINDS, LINK_KINDS, SECOND_FACTOR_FROM, type Clearance, type EntityLink } from './model.js';
import { buildEventTimeline, eventTimelineHtml } from './timeline.js';

/** Everyone who may take part in an event; what each sees is decided by its standing in the event. */
const PARTICIPANTS: readonly Role[] = ['commander', 'responder', 'supervisor', 'operator', 'admin'];
const COMMAND: readonly Role[] = ['commander', 'admin'];
const TIMELINE_READERS: readonly Role[] = ['commander', 'supervisor', 'admin'];

const id = { type: 'string', minLength: 1, maxLength: 100 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
const clearance = { type: 'integer', minimum: 1, maximum: 4 } as const;
const orgList = { type: ['array', 'null'], maxItems: 20, items: id } as const;
const share = { minClearance: clearance, sharedWith: orgList } as const;
const position = { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' } } as const;
/** Geometry is checked by parseGeometry (types, ranges, ring closure, size); the schema only bounds the shape. */
const geometry = { type: 'object' } as const;
const iso = { type: 'string', minLength: 10, maxLength: 40 } as const;
const roster = {
  participants: {
    type: 'array',
    maxItems: 30,
    items: {
      type: 'object',
      required: ['orgId', 'maxClearance'],
      additionalProperties: false,
      properties: { orgId: id, maxClearance: clearance, defaultClearance: clearance },
    },
  },
  members: {
    type: 'array',
    maxItems: 500,
    items: {
      type: 'object',
      required: ['username', 'eventRole', 'clearance'],
      additionalProperties: false,
      properties: { username: id, eventRole: { type: 'string', maxLength: 100 }, clearance },
    },
  },
} as const;

/** /api/events: major events — roster and clearances, map features, messages, uploads, guidance, timeline. */
export function eventsRoutes(service: MajorEventsService, log: EventLog, timeZone: string): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/events/levels',
      {
        config: { access: { roles: PARTICIPANTS } },
        schema: { summary: 'Clearance levels, feature kinds, and the level from which a second factor is needed', tags: ['events'] },
      },
      async () => ({ levels: CLEARANCE_LEVELS, featureKinds: FEATURE_KINDS, secondFactorFrom: SECOND_FACTOR_FROM }),
    );

    app.get(
      '/api/events',
      {
        config: { access: { roles: PARTICIPANTS } },
        schema: { summary: "Events the caller's organisation takes part in, with the caller's level in each", tags: ['events'] },
      },
      async (request) => ({ events: service.list(request.principal) }),
    );

    app.post<{ Body: EventInput }>(
      '/api/events',
      {
        config: { access: { roles: COMMAND } },
        schema: {
          summary: "Create a major event owned by the caller's organisation",
          tags: ['events'],
          body: {
            type: 'object',
            required: ['name', 'startsAt', 'endsAt'],
            additionalProperties: false,
            properties: { name: { type: 'string', maxLength: 200 }, description: { type: 'string', maxLength: 5000 }, startsAt: iso, endsAt: iso, ...roster },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ event: await service.create(request.body, request.principal) }),
    );

    app.get(
      '/api/events/guidance/mine',
      {
        config: { access: { roles: PARTICIPANTS } },
        schema: { summary: 'Guidance pushed to the caller (as a user or through its organisation) in the events it takes part in', tags: ['events'] },
      },
      async (request) => ({ guidance: service.guidanceFor(request.principal) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/events/:id',
      {
        config: { access: { roles: PARTICIPANTS } },
        schema: {
          summary: 'An event as the caller may see it: features, messages, uploads, guidance within its clearance and shares',
          tags: ['events'],
          params: idParams,
        },
      },
      async (request) => service.view(request.params.id, request.principal),
    );

    app.patch<{ Params: { id: string }; Body: Partial<EventInput> }>(
      '/api/events/:id',
      {
        config: { access: { roles: COMMAND } },
        schema: {
          summary: 'Change name, description or time window',
          tags: ['events'],
          params: idParams,
          body: {
            type: 'object',
            minProperties: 1,
            additionalProperties: false,
            properties: { name: { type: 'string', maxLength: 200 }, description: { type: 'string', maxLength: 5000 }, startsAt: iso, endsAt: iso },
          },
        },
      },
      async (request) => ({ event: await service.update(request.params.id, request.body, request.principal) }),
    );

    app.put<{ Params: { id: string }; Body: Pick<EventInput, 'participants' | 'members'> }>(
      '/api/events/:id/participants',
      {
        config: { access: { roles: COMMAND } },
        schema: {
          summary: 'Set the participating organisations (maximum and default clearance) and the members (event role, clearance)',
          tags: ['events'],
          params: idParams,
          body: { type: 'object', additionalProperties: false, properties: roster },
        },
      },
      async (request) => ({ event: await service.setRoster(request.params.id, request.body, request.principal) }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/events/:id/start',
      {
        config: { access: { roles: COMMAND } },
        schema: { summary: 'Start the event now (active whatever the window says)', tags: ['events'], params: idParams },
      },
      async (request) => ({ event: await service.start(request.params.id, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: { note?: string } | null }>(
      '/api/events/:id/stand-down',
      {
        config: { access: { roles: COMMAND } },
        schema: {
          summary: 'Stand the event down (ended)',
          tags: ['events'],
          params: idParams,
          body: { type: ['object', 'null'], additionalProperties: false, properties: { note: { type: 'string', maxLength: 2000 } } },
        },
      },
      async (request) => ({ event: await service.standDown(request.params.id, request.body?.note ?? null, request.principal) }),
    );

    const featureBody = {
      name: { type: 'string', maxLength: 200 },
      note: { type: 'string', maxLength: 2000 },
      kind: { type: 'string', enum: [...FEATURE_KINDS] },
      geometry,
      ...share,
    } as const;
    app.post<{ Params: { id: string }; Body: FeatureInput }>(
      '/api/events/:id/features',
      {
        config: { access: { roles: COMMAND } },
        schema: {
          summary: 'Draw a perimeter, zone, gate, first-aid post, evacuation route or resource, with its minimum clearance and shares',
          tags: ['events'],
          params: idParams,
          body: { type: 'object', required: ['kind', 'name', 'geometry', 'minClearance'], additionalProperties: false, properties: featureBody },
        },
      },
      async (request, reply) => reply.status(201).send({ feature: await service.drawFeature(request.params.id, request.body, request.principal) }),
    );

    const featureParams = { type: 'object', required: ['id', 'featureId'], properties: { id, featureId: id } } as const;
    app.patch<{ Params: { id: string; featureId: string }; Body: Partial<FeatureInput> }>(
      '/api/events/:id/features/:featureId',
      {
        config: { access: { roles: PARTICIPANTS } },
        schema: {
          summary: 'Change a feature (staff may move a resource they see; the rest needs a commander at officer level)',
          tags: ['events'],
          params: featureParams,
          body: { type: 'object', minProperties: 1, additionalProperties: false, properties: featureBody },
        },
      },
      async (request) => ({ feature: await service.updateFeature(request.params.id, request.params.featureId, request.body, request.principal) }),
    );

    app.delete<{ Params: { id: string; featureId: string } }>(
      '/api/events/:id/features/:featureId',
      { config: { access: { roles: COMMAND } }, schema: { summary: 'Remove a feature', tags: ['events'], params: featureParams } },
      async (request, reply) => {
        await service.removeFeature(request.params.id, request.params.featureId, request.principal);
        return reply.status(204).send();
      },
    );

    app.post<{ Params: { id: string }; Body: ShareInput & { text: string; links?: EntityLink[] } }>(
      '/api/events/:id/messages',
      {
        config: { access: { roles: PARTICIPANTS } },
        schema: {
          summary: 'Post a message to chosen organisations and a minimum clearance, linking features, uploads, messages, incidents or units',
          tags: ['events'],
          params: idParams,
          body: {
            type: 'object',
            required: ['text', 'minClearance'],
            additionalProperties: false,
            properties: {
              text: { type: 'string', maxLength: 4000 },
              ...share,
              links: {
                type: 'array',
                maxItems: 20,
                items: {
                  type: 'object',
                  required: ['kind', 'id'],
                  additionalProperties: false,
                  properties: { kind: { type: 'string', enum: [...LINK_KINDS] }, id },
                },
              },
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ message: await service.postMessage(request.params.id, request.body, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: ShareInput & { name: string; text: string } }>(
      '/api/events/:id/notes',
      {
        config: { access: { roles: PARTICIPANTS } },
        schema: {
          summary: 'Share a note with chosen organisations',
          tags: ['events'],
          params: idParams,
          body: {
            type: 'object',
            required: ['name', 'text', 'minClearance'],
            additionalProperties: false,
            properties: { name: { type: 'string', maxLength: 120 }, text: { type: 'string', maxLength: 8000 }, ...share },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ upload: await service.uploadNote(request.params.id, request.body, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: ShareInput & { name: string; layer: unknown } }>(
      '/api/events/:id/layers',
      {
        bodyLimit: MAX_ATTACHMENT_BYTES,
        config: { access: { roles: PARTICIPANTS } },
        schema: {
          summary: 'Share a GeoJSON layer (FeatureCollection of points, lines, polygons; checked strictly)',
          tags: ['events'],
          params: idParams,
          body: {
            type: 'object',
            required: ['name', 'layer', 'minClearance'],
            additionalProperties: false,
            properties: { name: { type: 'string', maxLength: 120 }, layer: { type: 'object' }, ...share },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ upload: await service.uploadLayer(request.params.id, request.body, request.principal) }),
    );

    await app.register(async (upload) => {
      upload.addContentTypeParser(
        ['image/jpeg', 'image/png', 'application/octet-stream'],
        { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES },
        (_req, body, done) => done(null, body),
      );
      upload.post<{ Params: { id: string }; Querystring: { name: string; minClearance: Clearance; sharedWith?: string[] }; Body: Buffer }>(
        '/api/events/:id/photos',
        {
          bodyLimit: MAX_ATTACHMENT_BYTES,
          config: { access: { roles: PARTICIPANTS } },
          schema: {
            summary: `Share a photo (JPEG or PNG, at most ${MAX_ATTACHMENT_BYTES / 1024} KiB) as the raw body; kept in the log with its SHA-256`,
            tags: ['events'],
            params: idParams,
            querystring: {
              type: 'object',
              required: ['name', 'minClearance'],
              additionalProperties: false,
              properties: {
                name: { type: 'string', minLength: 1, maxLength: 120 },
                minClearance: clearance,
                sharedWith: { type: 'array', maxItems: 20, items: id },
              },
            },
          },
        },
        async (request, reply) => {
          if (!Buffer.isBuffer(request.body)) throw badRequest('send the photo as the raw request body with its content type');
          const { name, minClearance, sharedWith } = request.query;
          return reply.status(201).send({
            upload: await service.uploadPhoto(
              request.params.id,
              { name, contentType: request.headers['content-type'] ?? '', bytes: request.body },
              { minClearance, sharedWith: sharedWith ?? null },
              request.principal,
            ),
          });
        },
      );
    });

    app.get<{ Params: { id: string } }>(
      '/api/events/uploads/:id',
      {
        config: { access: { roles: PARTICIPANTS } },
        schema: { summary: 'An upload: photo, note text or GeoJSON layer (checked against its SHA-256)', tags: ['events'], params: idParams },
      },
      async (request, reply) => {
        const { upload, bytes } = await service.uploadContent(
          request.params.id,
          request.principal,
          readPurpose(request.headers['x-vigil-purpose'], 'major event photo'),
        );
        const type = upload.kind === 'note' ? 'text/plain; charset=utf-8' : upload.contentType;
        return reply
          .type(type)
          .header('content-disposition', `inline; filename="${upload.name.replace(/"/g, '')}"`)
          .header('x-content-sha256', upload.sha256)
          .send(bytes);
      },
    );

    app.post<{ Params: { id: string }; Body: GuidanceInput }>(
      '/api/events/:id/guidance',
      {
        config: { access: { roles: COMMAND } },
        schema: {
          summary: "Push guidance to chosen organisations or users: a route on the routing engine's foot or car graph, or a drawn line, and an instruction",
          tags: ['events'],
          params: idParams,
          body: {
            type: 'object',
            required: ['instruction'],
            additionalProperties: false,
            properties: {
              instruction: { type: 'string', maxLength: 1000 },
              toOrgIds: { type: 'array', maxItems: 20, items: id },
              toUsernames: { type: 'array', maxItems: 50, items: id },
              route: {
                type: 'object',
                required: ['profile', 'from', 'to'],
                additionalProperties: false,
                properties: { profile: { type: 'string', enum: ['foot', 'car'] }, from: position, to: position },
              },
              line: geometry,
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ guidance: await service.pushGuidance(request.params.id, request.body, request.principal) }),
    );

    app.post<{ Params: { id: string; guidanceId: string } }>(
      '/api/events/:id/guidance/:guidanceId/ack',
      {
        config: { access: { roles: PARTICIPANTS } },
        schema: {
          summary: 'Acknowledge guidance sent to the caller',
          tags: ['events'],
          params: { type: 'object', required: ['id', 'guidanceId'], properties: { id, guidanceId: id } },
        },
      },
      async (request) => ({ guidance: await service.acknowledge(request.params.id, request.params.guidanceId, request.principal) }),
    );

    app.get<{ Params: { id: string; format: 'json' | 'html' | 'pdf' } }>(
      '/api/events/:id/timeline.:format',
      {
        config: { access: { roles: TIMELINE_READERS } },
        schema: {
          summary: "After-action timeline of the event (what the reader's clearance allows), JSON, printable HTML or PDF",
          tags: ['events'],
          params: { type: 'object', required: ['id', 'format'], properties: { id, format: { type: 'string', enum: ['json', 'html', 'pdf'] } } },
        },
      },
      async (request, reply) => {
        const { event, me } = service.open(request.params.id, request.principal);
        const timeline = await buildEventTimeline(event, me, log, Date.now());
        const file = `event-${event.eventId}-timeline`;
        if (request.params.format === 'json') return reply.header('content-disposition', `inline; filename="${file}.json"`).send(timeline);
        const html = eventTimelineHtml(timeline, timeZone);
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
