import type { AppContext, Capability } from '../platform/app-context.js';
import { MajorEventsService, type EventsDeps } from './events-service.js';
import { MajorEventsState } from './events-state.js';
import { standingIn } from './clearance.js';
import type { MajorEventsReadPort } from './contract.js';
import { majorEventLiveView } from './live-view.js';
import { eventsRoutes } from './routes.js';

export { MajorEventsService, type EventsDeps } from './events-service.js';
export { seedDemoEvents } from './demo-events.js';

export interface EventsCapability extends Capability {
  service: MajorEventsService;
  reads: MajorEventsReadPort;
}

/** Major events (several at once): who takes part at which clearance, and what each sees of the shared picture. */
export function createMajorEventsCapability(ctx: AppContext, deps: EventsDeps): EventsCapability {
  const state = new MajorEventsState();
  const service = new MajorEventsService(ctx, state, deps);
  return {
    name: 'events',
    projections: [state],
    routes: eventsRoutes(service, ctx.log, ctx.config.timeZone),
    liveViews: [{ typePrefix: 'majorevents.', view: majorEventLiveView(state, service) }],
    service,
    reads: {
      standing: (eventId, principal) => {
        const event = state.events.get(eventId);
        return event ? standingIn(event, principal) : null;
      },
    },
  };
}
