import type { Site } from '../city/contract.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { routingRoutes } from './routes.js';
import { RoutingService } from './routing-service.js';
import { RoutingState } from './routing-state.js';
import { routingLiveView } from './live-view.js';

export { RoutingService, assemblyPointsOf } from './routing-service.js';
export { Router } from './router.js';
export { alertEvacuationGuidance } from './alert-evacuation.js';
export { buildRoadGraph } from './road-graph.js';
export { planEvacuation, type EvacuationInput, type EvacuationPlan, type Hazard } from './evacuation.js';
export type { AssemblyPoint, Closure, SpeedUpdate } from './model.js';

export interface RoutingCapability extends Capability {
  service: RoutingService;
  /** Resolves when the road graphs are built (or the build failed: see service.loadError). */
  loaded: Promise<void>;
}

/** Routing: road graphs from the city's extract, live traffic and closures from the log, routes, isochrones, coverage, evacuation. */
export function createRoutingCapability(ctx: AppContext, deps: { sites: () => Iterable<Site> }): RoutingCapability {
  const state = new RoutingState();
  const service = new RoutingService(ctx, state);
  let markLoaded: () => void = () => {};
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
  return {
    name: 'routing',
    projections: [state],
    routes: routingRoutes(service, deps),
    liveViews: [routingLiveView()],
    service,
    loaded,
    async start() {
      const file = ctx.config.routingOsmFile;
      if (!file) {
        service.loadError = 'disabled (VIGIL_ROUTING_OSM=off)';
        markLoaded();
        return;
      }
      // Built in the background: the node serves everything else meanwhile; routing answers 503 until ready.
      void service
        .load(file)
        .then(
          (info) => ctx.logger.info({ file, ms: info.builtMs, car: info.profiles.car.nodes, foot: info.profiles.foot.nodes }, 'road graphs built'),
          (error: unknown) => {
            service.loadError = (error as Error).message;
            ctx.logger.error({ err: error, file }, 'road graphs could not be built: routing is unavailable');
          },
        )
        .finally(markLoaded);
    },
  };
}
