import type { CityReadPort } from '../city/contract.js';
import type { SubscribersReadPort } from '../alerts/contract.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import type { RoutingService } from '../routing/index.js';
import { CockpitService } from './cockpit-service.js';
import { CockpitState } from './cockpit-state.js';
import { FireStationCoverageFeed } from './operational/fire-station-coverage.js';
import { cockpitRoutes } from './routes.js';
import { cockpitLiveView } from './live-view.js';

export { CockpitService } from './cockpit-service.js';
export type { IndicatorValue } from './engine/evaluate.js';
export { INDICATOR_CSV_COLUMNS, indicatorCsvRow, methodOf, valuesToNgsiLd, type IndicatorCsvColumn } from './export.js';
export { parseCsv } from './imports/csv.js';

/** Drive time from a fire station the population-near-fire-station indicator counts (minutes), and how long changes settle before it is recomputed. */
export const FIRE_STATION_MINUTES = 4;
const FIRE_COVERAGE_DEBOUNCE_MS = 2000;

export interface CockpitCapability extends Capability {
  service: CockpitService;
  state: CockpitState;
  /** Null without a routing engine. */
  fireCoverage: FireStationCoverageFeed | null;
}

/** The city management cockpit: indicators from building to city, imports, peers, agreements, export. */
export function createCockpitCapability(
  ctx: AppContext,
  deps: { city: CityReadPort; subscribers: SubscribersReadPort; routing?: { service: RoutingService; loaded: Promise<void> }; fireStationMinutes?: number },
): CockpitCapability {
  const state = new CockpitState(deps.city, deps.subscribers, ctx.config.timeZone, () => ctx.clock.now());
  const service = new CockpitService(ctx, state);
  const routing = deps.routing;
  // Residents within N minutes of a fire station, from the routing engine's car graph with live traffic and closures.
  const fireCoverage = routing
    ? new FireStationCoverageFeed({
        // Searched in the worker pool with the live weights of the moment (RoutingService.offThread).
        router: () =>
          routing.service.ready
            ? { reachedWithin: (stations, positions, targetS) => routing.service.offThread.reachedWithin('car', stations, positions, targetS) }
            : null,
        sites: () => deps.city.sites.values(),
        apply: (c) => (c ? state.setFireStationCoverage(c.minutes, c.covered, c.ref) : state.clearFireStationCoverage()),
        now: () => ctx.clock.now(),
        minutes: deps.fireStationMinutes ?? FIRE_STATION_MINUTES,
        debounceMs: FIRE_COVERAGE_DEBOUNCE_MS,
        onError: (error) => ctx.logger.warn({ err: error }, 'fire-station coverage could not be computed'),
      })
    : null;
  let unsubscribe: (() => void) | null = null;
  return {
    name: 'cockpit',
    projections: [state],
    routes: cockpitRoutes(service),
    liveViews: [cockpitLiveView()],
    service,
    state,
    fireCoverage,
    async start() {
      if (!fireCoverage || !routing) return;
      state.onCityChanged = () => fireCoverage.schedule();
      unsubscribe = routing.service.onWeightsChanged(() => fireCoverage.schedule());
      void routing.loaded.then(() => fireCoverage.run());
    },
    async stop() {
      unsubscribe?.();
      state.onCityChanged = null;
      fireCoverage?.stop();
    },
  };
}
