import type { CityState } from '../city/city-state.js';
import type { SubscribersState } from '../alerts/subscribers/subscribers-state.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { CockpitService } from './cockpit-service.js';
import { CockpitState } from './cockpit-state.js';
import { cockpitRoutes } from './routes.js';

export { CockpitService } from './cockpit-service.js';

export interface CockpitCapability extends Capability {
  service: CockpitService;
  state: CockpitState;
}

/** The city management cockpit: indicators from building to city, imports, peers, export. */
export function createCockpitCapability(ctx: AppContext, deps: { city: CityState; subscribers: SubscribersState }): CockpitCapability {
  const state = new CockpitState(deps.city, deps.subscribers, ctx.config.timeZone, () => ctx.clock.now());
  const service = new CockpitService(ctx, state);
  return { name: 'cockpit', projections: [state], routes: cockpitRoutes(service), service, state };
}
