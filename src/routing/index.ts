import { BuildingSnapshots } from './building-snapshot.js';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
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
  /** The city's buildings as heavy requests send them to a worker, made once per change of the sites. */
  buildings: BuildingSnapshots;
  /** Resolves when the road graphs are built (or the build failed: see service.loadError). */
  loaded: Promise<void>;
}

/** Routing: road graphs from the city's extract, live traffic and closures from the log, routes, isochrones, coverage, evacuation. */
export function createRoutingCapability(ctx: AppContext, deps: { sites: () => Iterable<Site>; cityExtract?: () => string | null }): RoutingCapability {
  const state = new RoutingState();
  const service = new RoutingService(ctx, state);
  // The buildings heavy requests send to a worker: made once per change of the sites, in chunks (building-snapshot.ts).
  const buildings = new BuildingSnapshots(deps.sites);
  ctx.projections.onApplied((events) => {
    if (events.some((e) => e.type === 'city.sites.registered' || e.type === 'city.population.estimated')) buildings.invalidate();
  });
  let markLoaded: () => void = () => {};
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
  // One build at a time: a city imported while the first graphs are built waits for them.
  let builds: Promise<void> = Promise.resolve();
  const rebuild = (): Promise<void> => (builds = builds.then(() => build(extractToUse())));

  /**
   * VIGIL_ROUTING_OSM when set; else the imported city's extract kept in the data
   * folder; else (no city yet, or one imported before extracts were kept) the default.
   * Null when the city's copy is not on this node: better no routes than another city's.
   */
  function extractToUse(): string | null {
    const kept = ctx.config.routingOsmFollowsCity ? deps.cityExtract?.() : null;
    if (!kept) return ctx.config.routingOsmFile;
    if (existsSync(kept)) return kept;
    service.loadError = `the imported city's extract ${kept} is not on this node: set VIGIL_ROUTING_OSM to it`;
    ctx.logger.error({ kept }, "road graphs not built: the imported city's extract is missing here");
    return null;
  }

  async function build(file: string | null): Promise<void> {
    if (!file) return;
    // The same extract again (the demo's city is the default's copy): nothing to rebuild.
    if (service.info && service.info.sha256 === (await sha256Of(file).catch(() => null))) return;
    await service.load(file).then(
      (info) => {
        service.loadError = null;
        ctx.logger.info({ file, ms: info.builtMs, car: info.profiles.car.nodes, foot: info.profiles.foot.nodes }, 'road graphs built');
      },
      (error: unknown) => {
        service.loadError = (error as Error).message;
        ctx.logger.error({ err: error, file }, 'road graphs could not be built: routing is unavailable');
      },
    );
  }

  return {
    name: 'routing',
    projections: [state],
    routes: routingRoutes(service, { buildings }),
    liveViews: [routingLiveView()],
    service,
    buildings,
    loaded,
    async start() {
      if (!ctx.config.routingOsmFile) {
        service.loadError = 'disabled (VIGIL_ROUTING_OSM=off)';
        markLoaded();
        return;
      }
      // Built in the background: the node serves everything else meanwhile; routing answers 503 until ready.
      void rebuild().finally(markLoaded);
      // A city imported while serving: the graphs follow it.
      if (ctx.config.routingOsmFollowsCity) {
        ctx.projections.onApplied((events) => {
          if (events.some((e) => e.type === 'city.import.completed')) void rebuild();
        });
      }
    },
  };
}

/** Hashed as it is read, 64 KiB at a time: a large extract never holds the main thread for its whole length. */
async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
