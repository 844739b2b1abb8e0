import type { Role } from '../platform/access.js';
import { holds, liveView, readable, type LiveProjector, type LiveView } from '../platform/live-view.js';
import { can } from '../platform/policy.js';
import type { UnitsState } from './units-state.js';

/** The roles of GET /api/units/:id. */
const VIEWERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'admin'];

/**
 * `units.*` on the live feed, as GET /api/units/:id shows the unit: to those who may read
 * the owning organisation's units, and to the responder crewing it.
 */
export function unitsLiveView(state: Pick<UnitsState, 'unitOfUser'>): LiveView {
  const orgRule = readable(VIEWERS);
  const seen: LiveProjector = (p, e) => {
    if (orgRule(p, e)) return e;
    const unitId = (e.data as { unitId?: string; unit?: { unitId: string } }).unitId ?? (e.data as { unit?: { unitId: string } }).unit?.unitId;
    const crewed = holds(p, VIEWERS) && p.orgId !== null && state.unitOfUser(p.userId)?.unitId === unitId;
    return crewed && can(p, 'read', { orgId: p.orgId }) ? e : null;
  };
  return liveView('units.', {
    'units.unit.registered': seen,
    'units.unit.status-changed': seen,
    'units.positions.recorded': seen,
  });
}
