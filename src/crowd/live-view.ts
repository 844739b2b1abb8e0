import type { Principal, Role } from '../platform/access.js';
import { holds, liveView, type LiveProjector, type LiveView } from '../platform/live-view.js';
import type { CrowdService } from './crowd-service.js';

/** The roles of GET /api/crowd. */
const VIEWERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'admin'];

/**
 * `crowd.*` on the live feed, as GET /api/crowd shows zones and gates: asked of the
 * service that answers HTTP (owning organisation, its partners, a major event's staff).
 */
export function crowdLiveView(service: Pick<CrowdService, 'zone' | 'visibleGates'>): LiveView {
  const seesZone = (p: Principal, zoneId: string): boolean => {
    try {
      service.zone(zoneId, p);
      return true;
    } catch {
      return false;
    }
  };
  const zoneEvent: LiveProjector = (p, e) => {
    const d = e.data as { zoneId?: string; zone?: { zoneId: string } };
    const zoneId = d.zoneId ?? d.zone?.zoneId;
    return holds(p, VIEWERS) && zoneId !== undefined && seesZone(p, zoneId) ? e : null;
  };
  const gateEvent: LiveProjector = (p, e) => {
    const d = e.data as { gateId?: string; gate?: { gateId: string } };
    const gateId = d.gateId ?? d.gate?.gateId;
    return holds(p, VIEWERS) && gateId !== undefined && service.visibleGates(p).some((g) => g.gateId === gateId) ? e : null;
  };
  return liveView('crowd.', {
    'crowd.zone.defined': zoneEvent,
    'crowd.zone.counted': zoneEvent,
    'crowd.level.changed': zoneEvent,
    'crowd.reroute.applied': zoneEvent,
    'crowd.suggestion.dismissed': zoneEvent,
    'crowd.gate.defined': gateEvent,
    'crowd.gate.closed': gateEvent,
    'crowd.gate.opened': gateEvent,
  });
}
