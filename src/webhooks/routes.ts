import type { FastifyPluginAsync } from 'fastify';
import { ROLES, type Role } from '../platform/access.js';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TOPICS } from './contract.js';
import type { SubscriptionInput, WebhooksService } from './webhooks-service.js';

const MANAGERS: readonly Role[] = ['admin'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;

/** /api/webhooks: an organisation's webhook subscriptions (every capability's events), managed by its administrators. */
export function webhooksRoutes(service: WebhooksService): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/webhooks/topics',
      { config: { access: { roles: MANAGERS } }, schema: { summary: 'What a webhook subscription may choose, by capability', tags: ['webhooks'] } },
      async () => ({ topics: WEBHOOK_TOPICS }),
    );

    app.get(
      '/api/webhooks',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'The caller’s organisation’s webhook subscriptions (secrets are never shown)', tags: ['webhooks'] },
      },
      async (request) => ({ subscriptions: service.list(request.principal) }),
    );

    app.post<{ Body: SubscriptionInput }>(
      '/api/webhooks',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary:
            'Subscribe an endpoint to event types: each event its roles would see on the live feed is POSTed as JSON, signed (Vigil-Signature: t=…,v1=HMAC-SHA256(secret, t.body)), retried with backoff; the secret is returned this once',
          tags: ['webhooks'],
          body: {
            type: 'object',
            required: ['url', 'eventTypes', 'roles'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', maxLength: 200, default: '' },
              url: { type: 'string', minLength: 8, maxLength: 2000 },
              eventTypes: { type: 'array', minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } },
              roles: { type: 'array', minItems: 1, maxItems: ROLES.length, items: { type: 'string', enum: [...ROLES] } },
              secret: { type: 'string', minLength: 16, maxLength: 200 },
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send(await service.create(request.body, request.principal)),
    );

    app.delete<{ Params: { id: string } }>(
      '/api/webhooks/:id',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'Remove a webhook subscription of the caller’s organisation', tags: ['webhooks'], params: idParams },
      },
      async (request, reply) => {
        await service.remove(request.params.id, request.principal);
        return reply.status(204).send();
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/webhooks/:id/deliveries',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'A subscription’s delivery log, newest first: retrying, delivered, failed', tags: ['webhooks'], params: idParams },
      },
      async (request) => ({ deliveries: service.deliveries(request.params.id, request.principal) }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/webhooks/:id/test',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'Send a signed webhook.test event to the endpoint now (once) and say what it answered', tags: ['webhooks'], params: idParams },
      },
      async (request) => ({ delivery: await service.test(request.params.id, request.principal) }),
    );
  };
}
