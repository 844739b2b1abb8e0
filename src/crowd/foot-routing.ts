import type { Position } from '../kernel/geo.js';
import { VigilError } from '../kernel/errors.js';
import type { Principal } from '../platform/access.js';
import type { RoutingService } from '../routing/index.js';
import type { CrowdDeps } from './crowd-service.js';

/** Half the side of the square closed around a gate on the foot graph (~4 m). */
const GATE_HALF_SIDE_DEG = 0.00003;
/** A gate further than this from any footway closes nothing on the foot graph. */
const MAX_GATE_SNAP_M = 40;

/** Crowd's use of the routing engine: foot routes for re-routing, foot closures at closed gates. */
export function footRouting(routing: RoutingService): Pick<CrowdDeps, 'footRoute' | 'closeFootAt' | 'reopenFoot'> {
  return {
    footRoute(from, to) {
      if (!routing.ready) return null;
      try {
        const r = routing.router('foot').route(from, to, 'time');
        return r
          ? { geometry: r.geometry as { type: 'LineString'; coordinates: Position[] }, distanceM: Math.round(r.distanceM), timeS: Math.round(r.timeS) }
          : null;
      } catch (error) {
        if (error instanceof VigilError) return null; // too far from any footway: no route to suggest
        throw error;
      }
    },
    async closeFootAt(gate: Position, reason: string, by: Principal) {
      if (!routing.ready) return null;
      // Close the footway the gate stands on: around the nearest point of the foot graph.
      const snap = routing.router('foot').grid.nearest(gate, MAX_GATE_SNAP_M);
      if (!snap) return null;
      const p = snap.position;
      const d = GATE_HALF_SIDE_DEG;
      const ring: Position[] = [
        [p[0] - d, p[1] - d],
        [p[0] + d, p[1] - d],
        [p[0] + d, p[1] + d],
        [p[0] - d, p[1] + d],
        [p[0] - d, p[1] - d],
      ];
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
