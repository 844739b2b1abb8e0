import type { FastifyPluginAsync } from 'fastify';
import type { DirectoryService } from './directory-service.js';

const entries = {
  type: 'array',
  items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, orgId: { type: ['string', 'null'] } } },
} as const;

/** GET /api/directory: the display names the caller may see. */
export function directoryRoutes(service: DirectoryService): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/directory',
      {
        config: { access: { roles: 'authenticated' } },
        schema: {
          summary:
            'Display names of the people, organisations, sites, devices and units, and the titles of the incidents, the caller may see (screens show names, not ids)',
          tags: ['directory'],
          response: {
            200: {
              type: 'object',
              properties: { users: entries, orgs: entries, sites: entries, devices: entries, units: entries, incidents: entries },
            },
          },
        },
      },
      async (request) => service.for(request.principal),
    );
  };
}
