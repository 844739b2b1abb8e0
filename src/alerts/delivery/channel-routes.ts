import type { FastifyPluginAsync } from 'fastify';
import type { AlertsService } from '../alerts-service.js';
import { VIEWERS } from '../routes.js';
import type { AmbientNoiseState } from '../channels/sirens/ambient-noise.js';
import type { SirenAcksState } from '../channels/sirens/siren-acks.js';
import type { CellBroadcastState } from '../channels/cell-broadcast/cell-broadcast-state.js';

/** Per-channel details of an alert's delivery that the progress bars do not show. */
export function channelDetailRoutes(
  service: AlertsService,
  cellBroadcast: CellBroadcastState,
  ambient: AmbientNoiseState,
  acks: SirenAcksState,
  labelOf: (deviceId: string) => string | null = () => null,
): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { id: string } }>(
      '/api/alerts/:id/channels',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary:
            'Channel details of an alert: the CBS messages handed to the CBC (identifier, serial, pages, cells, answer) and each siren’s and loudspeaker’s ambient and commanded level and whether it acknowledged the command',
          tags: ['alerts'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
        },
      },
      async (request) => {
        const alert = service.alertFor(request.params.id, request.principal);
        return {
          cellBroadcast: (cellBroadcast.byAlert.get(alert.alertId) ?? []).map(({ cells, ...m }) => ({ ...m, cells: cells.length })),
          // Each device's level, and whether it acknowledged its command (a siren that did not is shown as such).
          sirens: (ambient.levelsByAlert.get(alert.alertId) ?? []).map((l) => ({
            ...l,
            label: labelOf(l.deviceId),
            ack: acks.byAlert.get(alert.alertId)?.get(l.deviceId) ?? null,
          })),
        };
      },
    );
  };
}
