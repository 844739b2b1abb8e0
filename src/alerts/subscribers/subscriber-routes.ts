import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../../kernel/errors.js';
import { SlidingWindowLimiter, clientKey } from '../../kernel/rate-limiter.js';
import type { AppContext } from '../../platform/app-context.js';
import type { SubscribeInput, SubscribersService } from './subscribers-service.js';

const TEN_MINUTES = 10 * 60_000;
const tokenParams = { type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 100 } } } as const;
const position = { lat: { type: 'number', minimum: -90, maximum: 90 }, lon: { type: 'number', minimum: -180, maximum: 180 } } as const;

/** What a person gives to be warned: the same on subscribing and on changing it later. */
const subscribeBody = {
  type: 'object',
  required: ['language', 'locations', 'consent'],
  additionalProperties: false,
  properties: {
    name: { type: ['string', 'null'], maxLength: 200 },
    language: { type: 'string', pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$' },
    email: { type: ['string', 'null'], maxLength: 320 },
    phone: { type: ['string', 'null'], maxLength: 40 },
    consent: { type: 'boolean' },
    push: {
      type: ['object', 'null'],
      required: ['endpoint', 'keys'],
      additionalProperties: true,
      properties: {
        endpoint: { type: 'string', maxLength: 2000 },
        keys: {
          type: 'object',
          required: ['p256dh', 'auth'],
          properties: { p256dh: { type: 'string', maxLength: 200 }, auth: { type: 'string', maxLength: 100 } },
        },
      },
    },
    locations: {
      type: 'array',
      minItems: 1,
      maxItems: 5,
      items: {
        type: 'object',
        required: ['kind', 'lat', 'lon'],
        additionalProperties: false,
        properties: { kind: { type: 'string', enum: ['home', 'work', 'last'] }, ...position },
      },
    },
  },
} as const;

/**
 * The public side of subscribing: subscribe, change places and channels, "I am here
 * now", unsubscribe — no account, the token given at subscription is the key. Each
 * address (IPv4, IPv6 /64) may subscribe and update only so often, so the list cannot be flooded.
 */
export function subscriberRoutes(ctx: AppContext, subscribers: SubscribersService, publicAlertsOrg: () => string | null): FastifyPluginAsync {
  const subscribeLimit = new SlidingWindowLimiter(ctx.config.subscribePerIp, TEN_MINUTES);
  const updateLimit = new SlidingWindowLimiter(ctx.config.subscriberUpdatesPerIp, TEN_MINUTES);
  const limited =
    (limiter: SlidingWindowLimiter, what: string) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const taken = limiter.take(clientKey(request.ip), ctx.clock.now());
      if (taken.ok) return;
      const retryAfterSeconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      reply.header('retry-after', String(retryAfterSeconds));
      throw new VigilError('rate_limited', `too many ${what} from your network; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    };
  const limitSubscribe = limited(subscribeLimit, 'subscriptions');
  const limitUpdate = limited(updateLimit, 'changes to subscriptions');

  return async (app) => {
    app.post<{ Body: SubscribeInput }>(
      '/api/public/subscribers',
      {
        config: { access: { roles: 'public' } },
        preHandler: limitSubscribe,
        schema: {
          summary:
            'Subscribe to public alerts for places (home, work, where you are), in a language, by e-mail, SMS and/or Web Push; returns the token that changes and ends the subscription',
          tags: ['alerts'],
          body: subscribeBody,
        },
      },
      async (request, reply) => {
        const owner = publicAlertsOrg();
        if (!owner) throw new VigilError('unavailable', 'no organisation runs public alerts on this installation yet');
        // Owned by the city's organisation: personal data never reach other organisations' screens.
        const { subscriber, token } = await subscribers.register(request.body, 'public', owner);
        return reply.status(201).send({ subscriberId: subscriber.subscriberId, unsubscribeToken: token });
      },
    );

    app.put<{ Params: { token: string }; Body: SubscribeInput }>(
      '/api/public/subscribers/:token',
      {
        config: { access: { roles: 'public' } },
        preHandler: limitUpdate,
        schema: {
          summary: 'Change a subscription (places, language, channels) with its token; the same subscriber, not a new one',
          tags: ['alerts'],
          params: tokenParams,
          body: subscribeBody,
        },
      },
      async (request) => ({ subscriberId: (await subscribers.update(request.params.token, request.body, 'public')).subscriberId }),
    );

    app.put<{ Params: { token: string }; Body: { lat: number; lon: number } }>(
      '/api/public/subscribers/:token/location',
      {
        config: { access: { roles: 'public' } },
        preHandler: limitUpdate,
        schema: {
          summary: '"I am here now": the last known location of a subscriber, replacing the previous one (home and work stay)',
          tags: ['alerts'],
          params: tokenParams,
          body: { type: 'object', required: ['lat', 'lon'], additionalProperties: false, properties: position },
        },
      },
      async (request) => {
        const s = await subscribers.moveTo(request.params.token, request.body);
        return { subscriberId: s.subscriberId, locations: s.locations };
      },
    );

    app.delete<{ Params: { token: string } }>(
      '/api/public/subscribers/:token',
      {
        config: { access: { roles: 'public' } },
        preHandler: limitUpdate,
        schema: {
          summary: 'Unsubscribe (the token given at subscription): the person’s key is shredded, so their data in the log can no longer be read',
          tags: ['alerts'],
          params: tokenParams,
        },
      },
      async (request, reply) => {
        await subscribers.unsubscribe(request.params.token);
        return reply.status(204).send();
      },
    );
  };
}
