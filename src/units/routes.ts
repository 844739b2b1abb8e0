import type { FastifyPluginAsync } from 'fastify';
import { readPurpose } from '../platform/personal-data.js';
import { badRequest } from '../kernel/errors.js';
import type { Role } from '../platform/access.js';
import { AVL_MESSAGE_SCHEMA, checkAvlMessage } from './avl-message.js';
import { CAPABILITIES, UNIT_KINDS, UNIT_STATUSES, type Capability, type CrewMember, type Fix, type UnitKind, type UnitStatus } from './model.js';
import type { UnitsService } from './units-service.js';
import { nullablePositionSchema } from '../kernel/geo.js';

const VIEWERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'admin'];
const FLEET_MANAGERS: readonly Role[] = ['commander', 'supervisor', 'admin'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;
const MAX_FIXES_PER_REQUEST = 100;

/** /api/units: the fleet, unit status, AVL positions over HTTP and tracks. */
export function unitsRoutes(service: UnitsService): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/units',
      { config: { access: { roles: VIEWERS } }, schema: { summary: 'Units the caller may see, with status and latest position', tags: ['units'] } },
      async (request) => ({ units: service.visible(request.principal), refusedAvlMessages: service.refused }),
    );

    app.get(
      '/api/units/mine',
      { config: { access: { roles: VIEWERS } }, schema: { summary: 'The unit the caller rides with (crew), if any', tags: ['units'] } },
      async (request) => ({ unit: service.state.unitOfUser(request.principal.userId) ?? null }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/units/:id',
      { config: { access: { roles: VIEWERS } }, schema: { summary: 'A unit', tags: ['units'], params: idParams } },
      async (request) => ({ unit: service.unitFor(request.params.id, request.principal) }),
    );

    app.post<{
      Body: {
        unitId?: string;
        callSign: string;
        kind: UnitKind;
        capabilities: Capability[];
        homeSiteId?: string | null;
        homePosition?: [number, number] | null;
        crew?: CrewMember[];
      };
    }>(
      '/api/units',
      {
        config: { access: { roles: FLEET_MANAGERS } },
        schema: {
          summary: "Register (or, with unitId, update) a unit of the caller's organisation",
          tags: ['units'],
          body: {
            type: 'object',
            required: ['callSign', 'kind', 'capabilities'],
            additionalProperties: false,
            properties: {
              unitId: { type: 'string', maxLength: 100 },
              callSign: { type: 'string', minLength: 1, maxLength: 40 },
              kind: { type: 'string', enum: [...UNIT_KINDS] },
              capabilities: { type: 'array', maxItems: 20, items: { type: 'string', enum: [...CAPABILITIES] } },
              homeSiteId: { type: ['string', 'null'], maxLength: 200 },
              homePosition: nullablePositionSchema,
              crew: {
                type: 'array',
                maxItems: 20,
                items: {
                  type: 'object',
                  required: ['name', 'role'],
                  additionalProperties: false,
                  properties: {
                    name: { type: 'string', minLength: 1, maxLength: 120 },
                    role: { type: 'string', maxLength: 60 },
                    userId: { type: ['string', 'null'], maxLength: 100 },
                  },
                },
              },
            },
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send({
          unit: await service.register({ ...request.body, crew: request.body.crew?.map((c) => ({ ...c, userId: c.userId ?? null })) }, request.principal),
        }),
    );

    app.post<{ Params: { id: string }; Body: { status: UnitStatus; note?: string } }>(
      '/api/units/:id/status',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary: "Change a unit's status (its crew or its dispatch); transitions are checked",
          tags: ['units'],
          params: idParams,
          body: {
            type: 'object',
            required: ['status'],
            additionalProperties: false,
            properties: { status: { type: 'string', enum: [...UNIT_STATUSES] }, note: { type: 'string', maxLength: 500 } },
          },
        },
      },
      async (request) => ({ unit: await service.setStatus(request.params.id, request.body.status, request.principal, request.body.note?.trim() || null) }),
    );

    app.post<{ Params: { id: string }; Body: { fixes: unknown[] } }>(
      '/api/units/:id/positions',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary: 'AVL fixes of a unit (an AVL gateway with an API key, or the crew); answered once durable',
          tags: ['units'],
          params: idParams,
          body: {
            type: 'object',
            required: ['fixes'],
            additionalProperties: false,
            properties: { fixes: { type: 'array', minItems: 1, maxItems: MAX_FIXES_PER_REQUEST, items: AVL_MESSAGE_SCHEMA } },
          },
        },
      },
      async (request, reply) => {
        const now = Date.now();
        const fixes: Fix[] = request.body.fixes.map((m, i) => {
          const checked = checkAvlMessage(m, now);
          if (!checked.ok) throw badRequest(`fix ${i}: ${checked.problem}`);
          return checked.fix;
        });
        const unit = await service.addFixes(request.params.id, fixes, request.principal);
        return reply.status(202).send({ accepted: fixes.length, position: unit.position });
      },
    );

    app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string; afterSeq?: number } }>(
      '/api/units/:id/track',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary:
            "A unit's positions between two times (default: the last hour), oldest first; a long history comes in pages: ask again with afterSeq = nextAfterSeq until it is null",
          tags: ['units'],
          params: idParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              from: { type: 'string', format: 'date-time' },
              to: { type: 'string', format: 'date-time' },
              afterSeq: { type: 'integer', minimum: 0 },
            },
          },
        },
      },
      async (request, reply) => {
        const to = request.query.to ? Date.parse(request.query.to) : Date.now();
        const from = request.query.from ? Date.parse(request.query.from) : to - 3600_000;
        if (from > to) throw badRequest('from is after to');
        // Opened, sorted and written as JSON in the worker pool: the main thread sends the text.
        const json = await service.trackJson(
          request.params.id,
          from,
          to,
          request.principal,
          { afterSeq: request.query.afterSeq },
          readPurpose(request.headers['x-vigil-purpose'], 'unit track'),
        );
        return reply.type('application/json; charset=utf-8').send(json);
      },
    );
  };
}
