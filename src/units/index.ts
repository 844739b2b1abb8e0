import { trackerCredentialRoutes, type TrackerCredentials } from './tracker-credential-routes.js';
import type { MqttTopicRouter } from '../adapters/protocols/mqtt/topic-router.js';
import type { CityReadPort } from '../city/contract.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { unitsRoutes } from './routes.js';
import { UnitsService } from './units-service.js';
import { UnitsState } from './units-state.js';
import { unitsLiveView } from './live-view.js';

export { UnitsService } from './units-service.js';
export { UnitsState } from './units-state.js';
export type { UnitInput } from './units-service.js';

export interface UnitsCapability extends Capability {
  /** Also what incidents use of units (`UnitsPort` in contract.ts). */
  service: UnitsService;
}

/** Units (fire engines, ambulances, police cars, guards, drones): status and live positions. */
export function createUnitsCapability(
  ctx: AppContext,
  deps: { city: CityReadPort; mqtt: MqttTopicRouter; trackerCredentials?: TrackerCredentials },
): UnitsCapability {
  const state = new UnitsState(ctx.vault);
  const service = new UnitsService(ctx, state, deps.city);
  // AVL over MQTT (`vigil/units/<unitId>/position`), through the node's one MQTT listener.
  const filter = ctx.config.unitsMqttTopic;
  const unitLevel = filter.split('/').indexOf('+');
  deps.mqtt.route({ filter, handle: async (m) => void (await service.handleMqttPosition(m.topic.split('/')[unitLevel] ?? '', m.payload)) });
  return {
    name: 'units',
    projections: [state],
    routes: async (app) => {
      await app.register(unitsRoutes(service));
      if (deps.trackerCredentials) await app.register(trackerCredentialRoutes(service, deps.trackerCredentials));
    },
    liveViews: [unitsLiveView(state)],
    service,
    async stop() {
      await service.avl.flush();
    },
  };
}
