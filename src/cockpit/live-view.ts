import { holds, liveView, type LiveProjector, type LiveView } from '../platform/live-view.js';
import { can } from '../platform/policy.js';
import type { CockpitEvents } from './model.js';

/**
 * `cockpit.*` on the live feed: the city's statistics, peers and agreements are city-wide
 * data, shown as the cockpit's routes show them, to analysts and admins.
 */
export function cockpitLiveView(): LiveView {
  const seen: LiveProjector = (p, e) => (holds(p, ['analyst', 'admin']) && can(p, 'read', { orgId: null }) ? e : null);
  return liveView('cockpit.', {
    'cockpit.agreement.defined': seen,
    'cockpit.statistics.imported': seen,
    'cockpit.peers.imported': seen,
  } satisfies Record<keyof CockpitEvents, LiveProjector>);
}
