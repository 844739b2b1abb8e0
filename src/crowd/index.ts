import type { AppContext, Capability } from '../platform/app-context.js';
import { CrowdService, type CrowdDeps } from './crowd-service.js';
import { CrowdState } from './crowd-state.js';
import { crowdRoutes } from './routes.js';

export { CrowdService } from './crowd-service.js';

export interface CrowdCapability extends Capability {
  service: CrowdService;
}

/** Crowd density: people counts per zone, density levels with hysteresis, alarms, gate and re-routing suggestions. */
export function createCrowdCapability(ctx: AppContext, deps: CrowdDeps, windowMs = 1000): CrowdCapability {
  const state = new CrowdState();
  const service = new CrowdService(ctx, state, deps, windowMs);
  return {
    name: 'crowd',
    projections: [state],
    routes: crowdRoutes(service),
    service,
    async stop() {
      await service.counts.flush();
    },
  };
}
