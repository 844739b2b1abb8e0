import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../platform/access.js';
import { RM_TYPES } from './contract.js';
import type { ResourceMessage, RmType } from './contract.js';
import { MAX_EDXL_BYTES } from './edxl/xml.js';
import type { ExchangeService } from './exchange-service.js';

const WATCHERS: readonly Role[] = ['admin', 'supervisor', 'commander', 'operator'];
/** Those who read incidents read what came from and went to the partner, and SitReps. */
const INCIDENT_READERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'alert-officer', 'admin'];
const RM_SENDERS: readonly Role[] = ['commander', 'supervisor', 'admin'];
const HOSPITAL_REPORTERS: readonly Role[] = ['admin', 'supervisor', 'commander'];

type RmBody = {
  type: RmType;
  toOrgId: string;
  originatingMessageId?: string | null;
  incidentId?: string | null;
  resources: ResourceMessage['resources'];
};

/** /api/exchange: the partner link's health, what came from and went to the partner, SitReps, resource messages, hospitals. */
export function exchangeRoutes(service: ExchangeService): FastifyPluginAsync {
  return async (app) => {
    // EDXL-HAVE reports arrive as XML.
    app.addContentTypeParser(
      ['application/xml', 'text/xml', 'application/emergency+xml'],
      { parseAs: 'string', bodyLimit: MAX_EDXL_BYTES },
      (_request, body, done) => done(null, body),
    );

    app.get(
      '/api/exchange/link',
      {
        config: { access: { roles: WATCHERS } },
        schema: { summary: "The partner agency link's health: connection, outbox, acknowledgements, retries, duplicates, refusals", tags: ['exchange'] },
      },
      async (request) => ({ link: service.health(request.principal) }),
    );

    app.get(
      '/api/exchange/incidents',
      {
        config: { access: { roles: INCIDENT_READERS } },
        schema: { summary: 'Incidents received from the partner agency (with their origin) and sent to it, those the caller may see', tags: ['exchange'] },
      },
      async (request) => ({ received: service.received(request.principal), sent: service.sentIncidents(request.principal) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/exchange/incidents/:id/sitrep',
      {
        config: { access: { roles: INCIDENT_READERS } },
        schema: {
          summary: 'The incident as an EDXL-SitRep 1.0 situation report (XML): situation, resources committed',
          tags: ['exchange'],
          params: { type: 'object', properties: { id: { type: 'string', maxLength: 100 } }, required: ['id'] },
        },
      },
      async (request, reply) => reply.type('application/xml; charset=utf-8').send(service.sitRep(request.params.id, request.principal).xml),
    );

    app.get<{ Params: { id: string } }>(
      '/api/exchange/incidents/:id/partner-sitrep',
      {
        config: { access: { roles: INCIDENT_READERS } },
        schema: {
          summary: "The partner agency's latest EDXL-SitRep about the incident, with its origin (null: none received)",
          tags: ['exchange'],
          params: { type: 'object', properties: { id: { type: 'string', maxLength: 100 } }, required: ['id'] },
        },
      },
      async (request) => ({ sitRep: service.partnerSitRep(request.params.id, request.principal) }),
    );

    app.get(
      '/api/exchange/hospitals',
      {
        config: { access: { roles: 'authenticated' } },
        schema: { summary: 'Hospital availability as last reported (EDXL-HAVE): emergency department status and beds by type', tags: ['exchange'] },
      },
      async (request) => ({ hospitals: service.hospitals(request.principal) }),
    );

    app.post<{ Body: string }>(
      '/api/exchange/hospitals',
      {
        config: { access: { roles: HOSPITAL_REPORTERS } },
        schema: {
          summary: "An EDXL-HAVE 2.0 hospital availability report (XML body); city-wide data, recorded by the platform organisation's staff or keys",
          tags: ['exchange'],
        },
      },
      async (request, reply) => {
        if (typeof request.body !== 'string')
          return reply.status(415).send({ error: { code: 'bad_request', message: 'send the EDXL-HAVE document as application/xml', details: null } });
        return reply.status(201).send(await service.importHave(request.body, request.principal));
      },
    );

    app.get(
      '/api/exchange/resource-messages',
      {
        config: { access: { roles: INCIDENT_READERS } },
        schema: { summary: 'EDXL-RM resource requests, answers, commitments and releases the caller’s organisation sent or received', tags: ['exchange'] },
      },
      async (request) => ({ messages: service.resourceMessages(request.principal) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/exchange/resource-messages/:id/xml',
      {
        config: { access: { roles: INCIDENT_READERS } },
        schema: {
          summary: 'One resource message as EDXL-RM 1.0 XML',
          tags: ['exchange'],
          params: { type: 'object', properties: { id: { type: 'string', maxLength: 100 } }, required: ['id'] },
        },
      },
      async (request, reply) => reply.type('application/xml; charset=utf-8').send(service.resourceMessage(request.params.id, request.principal).xml),
    );

    app.post<{ Body: RmBody }>(
      '/api/exchange/resource-messages',
      {
        config: { access: { roles: RM_SENDERS } },
        schema: {
          summary: 'Send a resource request, an answer (Accept/Decline/Provisional per line), a commitment or a release to another organisation',
          tags: ['exchange'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'toOrgId', 'resources'],
            properties: {
              type: { type: 'string', enum: [...RM_TYPES] },
              toOrgId: { type: 'string', minLength: 1, maxLength: 100 },
              originatingMessageId: { type: ['string', 'null'], maxLength: 100 },
              incidentId: { type: ['string', 'null'], maxLength: 100 },
              resources: {
                type: 'array',
                minItems: 1,
                maxItems: 50,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['elementId', 'typeName', 'quantity'],
                  properties: {
                    elementId: { type: 'string', minLength: 1, maxLength: 40 },
                    typeName: { type: 'string', minLength: 1, maxLength: 60 },
                    quantity: { type: 'integer', minimum: 1, maximum: 1000 },
                    response: { type: 'string', enum: ['Accept', 'Decline', 'Provisional'] },
                    note: { type: 'string', maxLength: 500 },
                  },
                },
              },
            },
          },
        },
      },
      async (request, reply) => reply.status(201).send({ message: await service.sendResourceMessage(request.body, request.principal) }),
    );
  };
}
