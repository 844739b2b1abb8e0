import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../../../platform/access.js';
import { MAX_ROTATION_GRACE_HOURS } from '../../../adapters/http/webhook-signature.js';
import type { WebhookEdit, WebhookInput, WebhookRotation, WebhooksService } from './webhooks-service.js';
import { WEBHOOK_EVENTS, WEBHOOK_FORMATS } from './webhooks-state.js';

const MANAGERS: readonly Role[] = ['alert-officer', 'admin'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;
const fields = {
  name: { type: 'string', maxLength: 200 },
  description: { type: 'string', maxLength: 1000 },
  url: { type: 'string', minLength: 8, maxLength: 2000 },
  events: { type: 'array', minItems: 1, maxItems: WEBHOOK_EVENTS.length, items: { type: 'string', enum: [...WEBHOOK_EVENTS] } },
  includeExercise: { type: 'boolean' },
  format: { type: 'string', enum: [...WEBHOOK_FORMATS] },
} as const;

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
              ...fields,
              name: { type: 'string', maxLength: 200, default: '' },
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
          params: idParams,
        },
      },
      async (request, reply) => {
        await webhooks.remove(request.params.id, request.principal);
        return reply.status(204).send();
      },
    );

    app.patch<{ Params: { id: string }; Body: WebhookEdit }>(
      '/api/alerts/webhooks/:id',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary: 'Edit a webhook endpoint: name, description, URL, events, exercises, format (the others kept; the secret stays)',
          tags: ['alerts'],
          params: idParams,
          body: { type: 'object', additionalProperties: false, minProperties: 1, properties: fields },
        },
      },
      async (request) => ({ webhook: await webhooks.update(request.params.id, request.body, request.principal) }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/alerts/webhooks/:id/pause',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'Pause a webhook endpoint: alerts issued while paused are not sent to it, then or later', tags: ['alerts'], params: idParams },
      },
      async (request) => ({ webhook: await webhooks.pause(request.params.id, request.principal) }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/alerts/webhooks/:id/resume',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'Resume a paused webhook endpoint: alerts issued from now on are sent', tags: ['alerts'], params: idParams },
      },
      async (request) => ({ webhook: await webhooks.resume(request.params.id, request.principal) }),
    );

    app.post<{ Params: { id: string }; Body: WebhookRotation }>(
      '/api/alerts/webhooks/:id/rotate-secret',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary:
            'A new signing secret, returned this once; during the grace period (graceHours, default 24) each POST carries two v1 signatures, with the new and the old secret',
          tags: ['alerts'],
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              graceHours: { type: 'number', minimum: 0, maximum: MAX_ROTATION_GRACE_HOURS },
              secret: { type: 'string', minLength: 16, maxLength: 200 },
            },
          },
        },
      },
      async (request) => webhooks.rotateSecret(request.params.id, request.body ?? {}, request.principal),
    );

    app.get<{ Params: { id: string } }>(
      '/api/alerts/webhooks/:id/deliveries',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary:
            'An endpoint’s delivery log: POSTs in flight on the sending node (pending, retrying with the next attempt time), then the last 200 settled (delivered, or failed after its retries), newest first',
          tags: ['alerts'],
          params: idParams,
        },
      },
      async (request) => ({ deliveries: webhooks.deliveries(request.params.id, request.principal) }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/alerts/webhooks/:id/test',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'Send a signed webhook.test POST to the endpoint now (once) and say what it answered', tags: ['alerts'], params: idParams },
      },
      async (request) => ({ delivery: await webhooks.test(request.params.id, request.principal) }),
    );

    app.post<{ Params: { id: string; deliveryId: string } }>(
      '/api/alerts/webhooks/:id/deliveries/:deliveryId/resend',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary: 'Send a delivery of the log once more, now, with the same delivery id (a test is sent as a new test)',
          tags: ['alerts'],
          params: {
            type: 'object',
            required: ['id', 'deliveryId'],
            properties: { id: { type: 'string', maxLength: 100 }, deliveryId: { type: 'string', maxLength: 100 } },
          },
        },
      },
      async (request) => ({ delivery: await webhooks.resend(request.params.id, request.params.deliveryId, request.principal) }),
    );
  };
}
