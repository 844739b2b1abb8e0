import { liveView, type LiveProjector, type LiveView } from '../platform/live-view.js';
import { can } from '../platform/policy.js';
import type { RoutingEvents } from './model.js';

/** `routing.*` on the live feed: closures and traffic change everyone's routes, so every signed-in principal follows them (as GET /api/routing/closures). */
export function routingLiveView(): LiveView {
  const seen: LiveProjector = (p, e) => (can(p, 'read', { orgId: null }) ? e : null);
  return liveView('routing.', {
    'routing.traffic.updated': seen,
    'routing.closure.created': seen,
    'routing.closure.removed': seen,
  } satisfies Record<keyof RoutingEvents, LiveProjector>);
}
