import type { AppContext, Capability } from '../platform/app-context.js';
import { MajorEventsService, type EventsDeps } from './events-service.js';
import { MajorEventsState } from './events-state.js';
import { majorEventLiveView } from './live-view.js';
import { eventsRoutes } from './routes.js';

export { MajorEventsService } from './events-service.js';

export interface EventsCapability extends Capability {
  service: MajorEventsService;
}

/** Major events (several at once): who takes part at which clearance, and what each sees of the shared picture. */
export function createEventsCapability(ctx: AppContext, deps: EventsDeps): EventsCapability {
  const state = new MajorEventsState();
  const service = new MajorEventsService(ctx, state, deps);
  return {
    name: 'events',
    projections: [state],
    routes: eventsRoutes(service, ctx.log, ctx.config.timeZone),
    liveViews: [{ typePrefix: 'majorevents.', view: majorEventLiveView(state, service) }],
    service,
  };
}
