import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../../platform/access.js';
import { CHANNELS } from '../model.js';
import type { ExchangeService, FeedInput, SignerInput } from './exchange-service.js';
import type { FeedPoller } from './feed-poller.js';

const MANAGERS: readonly Role[] = ['alert-officer', 'admin'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;

/** /api/alerts/signers and /api/alerts/feeds: whose signatures an organisation trusts, and which agencies' feeds it polls. */
export function exchangeRoutes(exchange: ExchangeService, poller: FeedPoller): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/alerts/signers',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'The keys the caller’s organisation trusts to sign other agencies’ CAP alerts, by sender', tags: ['alerts'] },
      },
      async (request) => ({ signers: exchange.signers(request.principal) }),
    );

    app.post<{ Body: SignerInput }>(
      '/api/alerts/signers',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary:
            'Trust a key (PEM certificate or public key) to sign a sender’s CAP alerts: its signed alerts are verified (XML-DSig), and its unsigned or badly signed alerts are refused',
          tags: ['alerts'],
          body: {
            type: 'object',
            required: ['sender', 'pem'],
            additionalProperties: false,
            properties: {
              sender: { type: 'string', minLength: 1, maxLength: 300 },
              name: { type: 'string', maxLength: 200, default: '' },
              pem: { type: 'string', minLength: 60, maxLength: 20_000 },
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ signer: await exchange.trust(request.body, request.principal) }),
    );

    app.delete<{ Params: { id: string } }>(
      '/api/alerts/signers/:id',
      { config: { access: { roles: MANAGERS } }, schema: { summary: 'Stop trusting a key', tags: ['alerts'], params: idParams } },
      async (request, reply) => {
        await exchange.untrust(request.params.id, request.principal);
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/alerts/feeds',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'Other agencies’ CAP feeds the caller’s organisation polls, with their last status', tags: ['alerts'] },
      },
      async (request) => ({ feeds: exchange.feeds(request.principal) }),
    );

    app.post<{ Body: FeedInput }>(
      '/api/alerts/feeds',
      {
        config: { access: { roles: MANAGERS } },
        schema: {
          summary:
            'Poll another agency’s CAP feed (Atom or RSS linking CAP documents, or a CAP endpoint): what is new is imported; with relay channels, each new public alert becomes a draft waiting for a second alert officer’s approval',
          tags: ['alerts'],
          body: {
            type: 'object',
            required: ['url'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', maxLength: 200, default: '' },
              url: { type: 'string', minLength: 8, maxLength: 2000 },
              intervalSeconds: { type: 'integer', minimum: 10, maximum: 86_400, default: 120 },
              relayChannels: { type: 'array', maxItems: CHANNELS.length, items: { type: 'string', enum: [...CHANNELS] }, default: [] },
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ feed: await exchange.subscribe(request.body, request.principal) }),
    );

    app.delete<{ Params: { id: string } }>(
      '/api/alerts/feeds/:id',
      { config: { access: { roles: MANAGERS } }, schema: { summary: 'Stop polling a feed (its imported alerts stay)', tags: ['alerts'], params: idParams } },
      async (request, reply) => {
        await exchange.unsubscribe(request.params.id, request.principal);
        return reply.status(204).send();
      },
    );

    app.post<{ Params: { id: string } }>(
      '/api/alerts/feeds/:id/poll',
      {
        config: { access: { roles: MANAGERS } },
        schema: { summary: 'Poll a feed now (on the cluster’s leader; 503 on another node) and answer its status', tags: ['alerts'], params: idParams },
      },
      async (request) => {
        const feed = exchange.feedFor(request.params.id, request.principal);
        await poller.pollNow(feed);
        return { feed: exchange.feeds(request.principal).find((f) => f.feedId === feed.feedId) ?? null };
      },
    );
  };
}
