import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../../platform/access.js';
import { CATEGORIES } from '../cap/cap-model.js';
import { CHANNELS } from '../model.js';
import type { AuthorityInput, AuthorityService } from './authority-service.js';

const READERS: readonly Role[] = ['admin', 'alert-officer'];
const orgParams = {
  type: 'object',
  required: ['org'],
  properties: { org: { type: 'string', minLength: 1, maxLength: 200 } },
  additionalProperties: false,
} as const;
const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
const lonLat = { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' } } as const;

const grantSchema = {
  type: 'object',
  required: ['areas', 'categories', 'channels'],
  additionalProperties: false,
  properties: {
    areas: {
      type: 'array',
      minItems: 1,
      maxItems: 200,
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: { name, polygon: { type: 'array', minItems: 3, maxItems: 5000, items: lonLat } },
      },
    },
    categories: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...CATEGORIES] } },
    eventCodes: { type: 'array', maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 64 } },
    channels: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...CHANNELS] } },
    note: { type: 'string', maxLength: 1000 },
    reason: { type: 'string', maxLength: 2000 },
  },
} as const;

/** /api/alerts/authorities: who may warn the public, where, about what and on which channels. */
export function authorityRoutes(service: AuthorityService): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/alerts/authorities',
      {
        config: { access: { roles: READERS } },
        schema: { summary: "Alerting authorities (all for the platform organisation, else the caller's own)", tags: ['alerts'] },
      },
      async (request) => ({ authorities: service.list(request.principal) }),
    );

    app.put<{ Params: { org: string }; Body: AuthorityInput & { reason?: string } }>(
      '/api/alerts/authorities/:org',
      {
        config: { access: { roles: ['admin'], minAuthLevel: 2 } },
        schema: {
          summary:
            "Grant (or replace) an organisation's authority to alert: areas by name, CAP categories, optional event codes, channels (platform administrators; org by name or id)",
          tags: ['alerts'],
          params: orgParams,
          body: grantSchema,
        },
      },
      async (request) => {
        const { reason, ...input } = request.body;
        return { authority: await service.grant(request.params.org, input, request.principal, reason) };
      },
    );

    app.delete<{ Params: { org: string }; Body: { reason?: string } | undefined }>(
      '/api/alerts/authorities/:org',
      {
        config: { access: { roles: ['admin'], minAuthLevel: 2 } },
        schema: { summary: "Revoke an organisation's authority to alert (platform administrators)", tags: ['alerts'], params: orgParams },
      },
      async (request) => {
        await service.revoke(request.params.org, request.principal, request.body?.reason);
        return { ok: true };
      },
    );
  };
}
