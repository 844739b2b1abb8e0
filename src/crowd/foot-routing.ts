import type { Position } from '../kernel/geo.js';
import { VigilError } from '../kernel/errors.js';
import type { Principal } from '../platform/access.js';
import type { RoutingService } from '../routing/routing-service.js';
import type { CrowdDeps } from './crowd-service.js';

/** Half the side of the square closed around a gate on the foot graph (~6 m). */
const GATE_HALF_SIDE_DEG = 0.00005;

/** Crowd's use of the routing engine: foot routes for re-routing, foot closures at closed gates. */
export function footRouting(routing: RoutingService): Pick<CrowdDeps, 'footRoute' | 'closeFootAt' | 'reopenFoot'> {
  return {
    footRoute(from, to) {
      if (!routing.ready) return null;
      try {
        const r = routing.router('foot').route(from, to, 'time');
        return r ? { geometry: r.geometry as { type: 'LineString'; coordinates: Position[] }, distanceM: Math.round(r.distanceM), timeS: Math.round(r.timeS) } : null;
      } catch (error) {
        if (error instanceof VigilError) return null; // too far from any footway: no route to suggest
        throw error;
      }
    },
    async closeFootAt(p: Position, reason: string, by: Principal) {
      if (!routing.ready) return null;
      const d = GATE_HALF_SIDE_DEG;
      const ring: Position[] = [[p[0] - d, p[1] - d], [p[0] + d, p[1] - d], [p[0] + d, p[1] + d], [p[0] - d, p[1] + d], [p[0] - d, p[1] - d]];
      try {
        return (await routing.createClosure({ geometry: { type: 'Polygon', coordinates: [ring] }, reason, profiles: ['foot'] }, by)).closureId;
      } catch (error) {
        if (error instanceof VigilError && error.code === 'bad_request') return null; // no footway at the gate
        throw error;
      }
    },
    async reopenFoot(closureId: string, by: Principal) {
      if (routing.state.closures.has(closureId)) await routing.removeClosure(closureId, 'gate opened', by);
    },
  };
}
