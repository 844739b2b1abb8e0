import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../platform/access.js';
import { readPurpose } from '../platform/personal-data.js';
import type { CitizenReportsService } from './reports-service.js';

/** Who sees and triages the reports of their organisation. */
export const TRIAGE_ROLES: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'admin'];
const id = { type: 'string', maxLength: 100 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
const note = { type: ['string', 'null'], maxLength: 2000 } as const;

/** /api/citizen-reports: the responsible organisation's triage; /api/public/citizen-reports/follow/:token: the reporter's link. */
export function citizenReportsRoutes(service: CitizenReportsService): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { token: string } }>(
      '/api/public/citizen-reports/follow/:token',
      {
        config: { access: { roles: 'public' } },
        schema: {
          summary: "A citizen report as its reporter follows it, with the personal link's token (no account)",
          tags: ['citizen-reports'],
          params: { type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 100 } } },
        },
      },
      async (request) => ({ report: service.follow(request.params.token) }),
    );

    app.get<{ Querystring: { open?: boolean } }>(
      '/api/citizen-reports',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: {
          summary: "Citizen reports of the caller's organisation and those shared with it, newest first (reporters' data not included)",
          tags: ['citizen-reports'],
          querystring: { type: 'object', properties: { open: { type: 'boolean' } } },
        },
      },
      async (request) => ({ reports: service.list(request.principal, request.query.open === true), figures: service.figures(request.principal) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/citizen-reports/:id',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: {
          summary: 'One citizen report; the reporter only for its own organisation (the read is recorded)',
          tags: ['citizen-reports'],
          params: idParams,
        },
      },
      async (request) => ({
        report: await service.get(request.params.id, request.principal, readPurpose(request.headers['x-vigil-purpose'], 'triage of a citizen report')),
      }),
    );

    app.post<{ Params: { id: string }; Body: { note?: string | null } }>(
      '/api/citizen-reports/:id/acknowledge',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: {
          summary: 'Acknowledge a report (optionally with a public note)',
          tags: ['citizen-reports'],
          params: idParams,
          body: { type: 'object', additionalProperties: false, properties: { note } },
        },
      },
      async (request) => ({ report: await service.acknowledge(request.params.id, request.body?.note ?? null, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: { into: string; note?: string | null } }>(
      '/api/citizen-reports/:id/merge',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: {
          summary: 'Merge a report into another of the same problem; its reporter then follows that one',
          tags: ['citizen-reports'],
          params: idParams,
          body: { type: 'object', required: ['into'], additionalProperties: false, properties: { into: id, note } },
        },
      },
      async (request) => ({ report: await service.merge(request.params.id, request.body.into, request.body.note ?? null, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: { type?: string; description?: string } }>(
      '/api/citizen-reports/:id/incident',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: {
          summary: "Turn a report into an incident of the caller's organisation (source citizen), linked to it",
          tags: ['citizen-reports'],
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { type: { type: 'string', maxLength: 40 }, description: { type: 'string', maxLength: 2000 } },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ report: await service.escalate(request.params.id, request.body ?? {}, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: { note: string } }>(
      '/api/citizen-reports/:id/resolve',
      {
        config: { access: { roles: TRIAGE_ROLES } },
        schema: {
          summary: 'Resolve a report with a public note (the reporter and the public read it)',
          tags: ['citizen-reports'],
          params: idParams,
          body: { type: 'object', required: ['note'], additionalProperties: false, properties: { note: { type: 'string', minLength: 1, maxLength: 2000 } } },
        },
      },
      async (request) => ({ report: await service.resolve(request.params.id, request.body.note, request.principal) }),
    );
  };
}
