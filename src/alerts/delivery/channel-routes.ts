import type { FastifyPluginAsync } from 'fastify';
import type { AlertsService } from '../alerts-service.js';
import { VIEWERS } from '../routes.js';
import type { AmbientNoiseState } from '../channels/sirens/ambient-noise.js';
import type { CellBroadcastState } from '../channels/cell-broadcast/cell-broadcast-state.js';

/** Per-channel details of an alert's delivery that the progress bars do not show. */
export function channelDetailRoutes(service: AlertsService, cellBroadcast: CellBroadcastState, ambient: AmbientNoiseState): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { id: string } }>(
      '/api/alerts/:id/channels',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary:
            'Channel details of an alert: the CBS messages handed to the CBC (identifier, serial, pages, cells, answer) and each siren’s and loudspeaker’s ambient and commanded level',
          tags: ['alerts'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
        },
      },
      async (request) => {
        const alert = service.alertFor(request.params.id, request.principal);
        return {
          cellBroadcast: (cellBroadcast.byAlert.get(alert.alertId) ?? []).map(({ cells, ...m }) => ({ ...m, cells: cells.length })),
          sirens: ambient.levelsByAlert.get(alert.alertId) ?? [],
        };
      },
    );
  };
}
