import type { AppContext, Capability } from '../platform/app-context.js';
import type { CityReadPort } from './contract.js';
import { CityService } from './city-service.js';
import { CityState } from './city-state.js';
import { cityRoutes } from './routes.js';
import { cityLiveView } from './live-view.js';

export { CityService } from './city-service.js';
export { CityState } from './city-state.js';

export interface CityCapability extends Capability {
  service: CityService;
  /** What other capabilities read of the city. */
  reads: CityReadPort;
}

export function createCityCapability(ctx: AppContext): CityCapability {
  const state = new CityState();
  const service = new CityService(ctx, state);
  return { name: 'city', projections: [state], routes: cityRoutes(ctx, service), liveViews: [cityLiveView()], service, reads: state };
}
