import type { FastifyPluginAsync } from 'fastify';
import { VigilError } from '../kernel/errors.js';
import type { UnitsService } from './units-service.js';

/** Issues credentials through the city's MQTT credentials (subject 'unit:<id>'); the secret is returned this once. */
export interface TrackerCredentials {
  issue(subjects: readonly string[], orgId: string, actor: string): Promise<{ username: string; secret: string; issuedAt: string }[]>;
}

/** POST /api/units/:id/mqtt-credential: the unit's tracker's MQTT credential (new, or again: the old one stops working). */
export function trackerCredentialRoutes(service: UnitsService, credentials: TrackerCredentials): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: { id: string } }>(
      '/api/units/:id/mqtt-credential',
      {
        config: { access: { roles: ['admin', 'supervisor', 'commander'] } },
        schema: {
          summary: "Issue the MQTT credential of a unit's GPS tracker (it publishes only its own position); the secret is shown this once",
          tags: ['units'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200 } } },
        },
      },
      async (request, reply) => {
        const unit = service.unitFor(request.params.id, request.principal);
        if (unit.orgId !== request.principal.orgId) throw new VigilError('forbidden', `${unit.callSign} belongs to another organisation`);
        const [issued] = await credentials.issue([`unit:${unit.unitId}`], unit.orgId, request.principal.actor);
        return reply.status(201).send({ unitId: unit.unitId, callSign: unit.callSign, ...issued });
      },
    );
  };
}
