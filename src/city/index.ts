import type { AppContext, Capability } from '../platform/app-context.js';
import type { CityReadPort } from './contract.js';
import { CityService } from './city-service.js';
import { CityState } from './city-state.js';
import { credentialRoutes } from './credential-routes.js';
import { MqttCredentials, MqttCredentialsState } from './mqtt-credentials.js';
import { cityRoutes } from './routes.js';
import { cityLiveView } from './live-view.js';

export { CityService } from './city-service.js';
export { CityState } from './city-state.js';

export interface CityCapability extends Capability {
  service: CityService;
  /** What other capabilities read of the city. */
  reads: CityReadPort;
  /** Devices' and units' trackers' MQTT credentials (the receiver verifies them; units issue their trackers'). */
  mqttCredentials: MqttCredentials;
}

export function createCityCapability(ctx: AppContext): CityCapability {
  const state = new CityState();
  const credentialsState = new MqttCredentialsState();
  const mqttCredentials = new MqttCredentials(ctx, credentialsState);
  const service = new CityService(ctx, state, mqttCredentials);
  const devices = cityRoutes(ctx, service);
  const credentials = credentialRoutes(state, mqttCredentials);
  return {
    name: 'city',
    projections: [state, credentialsState],
    routes: async (app) => {
      await app.register(devices);
      await app.register(credentials);
    },
    liveViews: [cityLiveView()],
    service,
    reads: state,
    mqttCredentials,
  };
}
