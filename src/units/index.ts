import type { CityState } from '../city/city-state.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { unitsRoutes } from './routes.js';
import { UnitsService } from './units-service.js';
import { UnitsState } from './units-state.js';

export { UnitsService } from './units-service.js';

/** An MQTT topic filter and what handles its messages (resolves once durable). */
export interface MqttRoute {
  filter: string;
  onMessage(topic: string, payload: Buffer): Promise<void>;
}

export interface UnitsCapability extends Capability {
  service: UnitsService;
  /** AVL over MQTT: handed to the alarms capability's broker connection (one MQTT listener per node). */
  mqttRoutes: MqttRoute[];
}

/** Units (fire engines, ambulances, police cars, guards, drones): status and live positions. */
export function createUnitsCapability(ctx: AppContext, deps: { city: CityState }): UnitsCapability {
  const state = new UnitsState();
  const service = new UnitsService(ctx, state, deps.city);
  const filter = ctx.config.unitsMqttTopic;
  const unitLevel = filter.split('/').indexOf('+');
  return {
    name: 'units',
    projections: [state],
    routes: unitsRoutes(service),
    service,
    mqttRoutes: [{ filter, onMessage: async (topic, payload) => void (await service.handleMqttPosition(topic.split('/')[unitLevel] ?? '', payload)) }],
    async stop() {
      await service.avl.flush();
    },
  };
}
