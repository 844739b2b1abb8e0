import type { AlarmsReadPort } from '../alarms/contract.js';
import type { AlertsReadPort } from '../alerts/contract.js';
import type { CityReadPort } from '../city/contract.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import type { DataSubjectHolder } from '../platform/personal-data.js';
import { incidentDataSubjects } from './data-subjects.js';
import type { UnitsPort } from '../units/contract.js';
import { IncidentsService } from './incidents-service.js';
import { IncidentsState } from './incidents-state.js';
import { incidentsRoutes } from './routes.js';
import { StraightLineTravelTimes, type TravelTimes } from './travel-times.js';
import { incidentsLiveView } from './live-view.js';

export { IncidentsService } from './incidents-service.js';
export type { TravelTimes } from './travel-times.js';
export { RoadTravelTimes } from './road-travel-times.js';

export interface IncidentsCapability extends Capability {
  service: IncidentsService;
  /** Callers found by phone, for their export and erasure (privacy). */
  dataSubjects: DataSubjectHolder;
}

/**
 * Command and control: incidents and dispatch. `travelTimes` is where the routing
 * engine plugs in; without it the straight-line fallback is used (and named in every answer).
 */
export function createIncidentsCapability(
  ctx: AppContext,
  deps: { units: UnitsPort; city: CityReadPort; alarms: AlarmsReadPort; alerts: AlertsReadPort; travelTimes?: TravelTimes },
): IncidentsCapability {
  const state = new IncidentsState(ctx.vault);
  const service = new IncidentsService(ctx, state, deps.units, deps.city, deps.alarms, deps.alerts, deps.travelTimes ?? new StraightLineTravelTimes());
  return {
    name: 'incidents',
    projections: [state],
    routes: incidentsRoutes(service, deps.alarms, ctx.log, ctx.config.timeZone),
    liveViews: [incidentsLiveView(service)],
    service,
    dataSubjects: incidentDataSubjects(state),
    async start() {
      service.watchTravelTimes();
    },
    async stop() {
      service.stop();
    },
  };
}
