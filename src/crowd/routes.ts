import type { FastifyPluginAsync } from 'fastify';
import { badRequest, notFound } from '../kernel/errors.js';
import type { Role } from '../platform/access.js';
import { PEOPLE_COUNT_SCHEMA, checkPeopleCount } from './count-message.js';
import type { CrowdService, GateInput, ZoneInput } from './crowd-service.js';
import type { PeopleCount } from './model.js';
import { positionSchema } from '../kernel/geo.js';

const VIEWERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'admin'];
/** Who acts on the crowd: the control room and the commander. */
const ACTORS: readonly Role[] = ['operator', 'supervisor', 'commander'];
const PLANNERS: readonly Role[] = ['commander', 'supervisor', 'admin'];
/** Counter gateways (API keys) and the control room. */
const FEEDERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'admin'];
const MAX_READINGS_PER_REQUEST = 1000;
const id = { type: 'string', maxLength: 100 } as const;
const position = positionSchema;
const counterIds = { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } } as const;

/** /api/crowd: crowd zones, gates, counts over HTTP, suggestions and gate actions. */
export function crowdRoutes(service: CrowdService): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/crowd',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: 'Crowd zones the caller may see (density, level, trend, suggestions) and their gates', tags: ['crowd'] },
      },
      async (request) => ({ zones: service.visibleZones(request.principal), gates: service.visibleGates(request.principal), refusedReadings: service.refused }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/crowd/zones/:id',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: 'A crowd zone', tags: ['crowd'], params: { type: 'object', required: ['id'], properties: { id } } },
      },
      async (request) => ({ zone: service.zone(request.params.id, request.principal) }),
    );

    app.post<{ Body: ZoneInput }>(
      '/api/crowd/zones',
      {
        config: { access: { roles: PLANNERS } },
        schema: {
          summary: "Define (or, with zoneId, update) a crowd zone of the caller's organisation; area from the polygon",
          tags: ['crowd'],
          body: {
            type: 'object',
            required: ['name', 'polygon'],
            additionalProperties: false,
            properties: {
              zoneId: id,
              name: { type: 'string', minLength: 1, maxLength: 120 },
              eventId: { type: ['string', 'null'], maxLength: 100 },
              polygon: {
                type: 'object',
                required: ['type', 'coordinates'],
                properties: { type: { const: 'Polygon' }, coordinates: { type: 'array', maxItems: 11 } },
              },
              warningDensity: { type: 'number' },
              criticalDensity: { type: 'number' },
              occupancyCounters: counterIds,
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ zone: await service.defineZone(request.body, request.principal) }),
    );

    app.post<{ Body: GateInput }>(
      '/api/crowd/gates',
      {
        config: { access: { roles: PLANNERS } },
        schema: {
          summary: 'Define (or update) a gate between a zone and a neighbouring zone or the outside, with its line counters',
          tags: ['crowd'],
          body: {
            type: 'object',
            required: ['name', 'position', 'inside'],
            additionalProperties: false,
            properties: {
              gateId: id,
              name: { type: 'string', minLength: 1, maxLength: 120 },
              position,
              inside: id,
              outside: { type: ['string', 'null'], maxLength: 100 },
              lineCounters: counterIds,
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ gate: await service.defineGate(request.body, request.principal) }),
    );

    app.post<{ Body: { readings: unknown[] } }>(
      '/api/crowd/counts',
      {
        config: { access: { roles: FEEDERS } },
        schema: {
          summary: 'People counts from counters (a counting gateway with an API key); answered once durable',
          tags: ['crowd'],
          body: {
            type: 'object',
            required: ['readings'],
            additionalProperties: false,
            properties: { readings: { type: 'array', minItems: 1, maxItems: MAX_READINGS_PER_REQUEST, items: PEOPLE_COUNT_SCHEMA } },
          },
        },
      },
      async (request, reply) => {
        const now = Date.now();
        const readings: PeopleCount[] = request.body.readings.map((m, i) => {
          const checked = checkPeopleCount(m as Parameters<typeof checkPeopleCount>[0], now);
          if (!checked.ok) throw badRequest(`reading ${i}: ${checked.problem}`);
          return checked.reading;
        });
        // Every reading is checked before any is stored: a bad one refuses the whole request.
        for (const r of readings) if (!service.isCounter(r.counterId, request.principal)) throw notFound('counter', r.counterId);
        const outcomes = await Promise.all(readings.map((r) => service.reading(r, request.principal)));
        const refused = outcomes.filter((o) => o !== 'recorded').length;
        if (refused === readings.length)
          throw badRequest('no reading was accepted: counters unknown to you, or counts sent to line counters (in/out) or the reverse');
        return reply.status(202).send({ accepted: readings.length - refused, refused });
      },
    );

    const gateAction = (action: 'close' | 'open') =>
      app.post<{ Params: { id: string } }>(
        `/api/crowd/gates/:id/${action}`,
        {
          config: { access: { roles: ACTORS } },
          schema: {
            summary: `${action === 'close' ? 'Close' : 'Open'} a gate${action === 'close' ? ' (and the foot graph there)' : ''}`,
            tags: ['crowd'],
            params: { type: 'object', required: ['id'], properties: { id } },
          },
        },
        async (request) => ({
          gate:
            action === 'close' ? await service.closeGate(request.params.id, request.principal) : await service.openGate(request.params.id, request.principal),
        }),
      );
    gateAction('close');
    gateAction('open');

    const suggestionAction = (action: 'apply' | 'dismiss') =>
      app.post<{ Params: { id: string; sid: string } }>(
        `/api/crowd/zones/:id/suggestions/:sid/${action}`,
        {
          config: { access: { roles: ACTORS } },
          schema: {
            summary: `${action === 'apply' ? 'Apply' : 'Dismiss'} a suggestion for a zone`,
            tags: ['crowd'],
            params: { type: 'object', required: ['id', 'sid'], properties: { id, sid: { type: 'string', maxLength: 220 } } },
          },
        },
        async (request) => ({
          zone:
            action === 'apply'
              ? await service.applySuggestion(request.params.id, request.params.sid, request.principal)
              : await service.dismissSuggestion(request.params.id, request.params.sid, request.principal),
        }),
      );
    suggestionAction('apply');
    suggestionAction('dismiss');
  };
}
