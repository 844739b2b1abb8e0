import type { FastifyPluginAsync } from 'fastify';
import { ROLES, type Role } from '../platform/access.js';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TOPICS } from './contract.js';
import { MAX_ROTATION_GRACE_HOURS } from '../adapters/http/webhook-signature.js';
import type { RotationInput, SubscriptionEdit, SubscriptionInput, WebhooksService } from './webhooks-service.js';

const MANAGERS: readonly Role[] = ['admin'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;
const deliveryParams = {
  type: 'object',
  required: ['id', 'deliveryId'],
  properties: { id: { type: 'string', maxLength: 100 }, deliveryId: { type: 'string', maxLength: 100 } },
} as const;
const eventTypesSchema = {
  type: 'array',
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES.length,
  items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] },
} as const;
const rolesSchema = { type: 'array', minItems: 1, maxItems: ROLES.length, items: { type: 'string', enum: [...ROLES] } } as const;
/** The body of a rotation (shared with the alerts' CAP webhooks: the same rules). */
const rotationBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    graceHours: { type: 'number', minimum: 0, maximum: MAX_ROTATION_GRACE_HOURS },
    secret: { type: 'string', minLength: 16, maxLength: 200 },
  },
} as const;

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
              description: { type: 'string', maxLength: 1000 },
              url: { type: 'string', minLength: 8, maxLength: 2000 },
              eventTypes: eventTypesSchema,
              roles: rolesSchema,
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
        schema: {
          summary: 'A subscription’s delivery log, newest first: in flight on the sending node (pending, retrying), then delivered, failed',
          tags: ['webhooks'],
          params: idParams,
        },
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

    app.patch<{ Params: { id: string }; Body: SubscriptionEdit }>(
      '/api/webhooks/:id',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary: 'Edit a subscription: name, description, URL, event types, roles (the others kept; the secret stays)',
          tags: ['webhooks'],
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              name: { type: 'string', maxLength: 200 },
              description: { type: 'string', maxLength: 1000 },
              url: { type: 'string', minLength: 8, maxLength: 2000 },
              eventTypes: eventTypesSchema,
              roles: rolesSchema,
            },
          },
        },
      },
      async (request) => ({ subscription: await service.update(request.params.id, request.body, request.principal) }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/webhooks/:id/pause',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'Pause a subscription: nothing is queued or sent; the events of the pause are never sent', tags: ['webhooks'], params: idParams },
      },
      async (request) => ({ subscription: await service.pause(request.params.id, request.principal) }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/webhooks/:id/resume',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'Resume a paused subscription: events from now on are sent', tags: ['webhooks'], params: idParams },
      },
      async (request) => ({ subscription: await service.resume(request.params.id, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: RotationInput }>(
      '/api/webhooks/:id/rotate-secret',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary:
            'A new signing secret, returned this once; during the grace period (graceHours, default 24) each delivery carries two v1 signatures, with the new and the old secret',
          tags: ['webhooks'],
          params: idParams,
          body: rotationBody,
        },
      },
      async (request) => service.rotateSecret(request.params.id, request.body ?? {}, request.principal),
    );

    app.post<{ Params: { id: string; deliveryId: string } }>(
      '/api/webhooks/:id/deliveries/:deliveryId/resend',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary: 'Send a delivery of the log once more, now, with the same delivery id (as the event is visible to the subscription now)',
          tags: ['webhooks'],
          params: deliveryParams,
        },
      },
      async (request) => ({ delivery: await service.resend(request.params.id, request.params.deliveryId, request.principal) }),
    );
  };
}
