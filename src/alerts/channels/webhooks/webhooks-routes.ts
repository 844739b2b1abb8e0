import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../../../platform/access.js';
import type { WebhookInput, WebhooksService } from './webhooks-service.js';
import { WEBHOOK_EVENTS, WEBHOOK_FORMATS } from './webhooks-state.js';

const MANAGERS: readonly Role[] = ['alert-officer', 'admin'];

/** /api/alerts/webhooks: an organisation's outgoing webhook endpoints. */
export function webhooksRoutes(webhooks: WebhooksService): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/alerts/webhooks',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'The caller’s organisation’s webhook endpoints (secrets are never shown)', tags: ['alerts'] },
      },
      async (request) => ({ webhooks: webhooks.list(request.principal) }),
    );

    app.post<{ Body: WebhookInput }>(
      '/api/alerts/webhooks',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary:
            'Register a webhook endpoint: every alert of the organisation it wants is POSTed there, signed (Vigil-Signature: t=…,v1=HMAC-SHA256(secret, t.body)); the secret is returned this once',
          tags: ['alerts'],
          body: {
            type: 'object',
            required: ['url', 'events'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', maxLength: 200, default: '' },
              url: { type: 'string', minLength: 8, maxLength: 2000 },
              events: { type: 'array', minItems: 1, maxItems: WEBHOOK_EVENTS.length, items: { type: 'string', enum: [...WEBHOOK_EVENTS] } },
              includeExercise: { type: 'boolean', default: false },
              format: { type: 'string', enum: [...WEBHOOK_FORMATS], default: 'cap-xml' },
              secret: { type: 'string', minLength: 16, maxLength: 200 },
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send(await webhooks.register(request.body, request.principal)),
    );

    app.delete<{ Params: { id: string } }>(
      '/api/alerts/webhooks/:id',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary: 'Remove a webhook endpoint of the caller’s organisation',
          tags: ['alerts'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
        },
      },
      async (request, reply) => {
        await webhooks.remove(request.params.id, request.principal);
        return reply.status(204).send();
      },
    );
  };
}
