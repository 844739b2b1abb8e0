import type { Position } from '../kernel/geo.js';
import type { RoutingService } from '../routing/index.js';
import type { UnitKind } from '../units/contract.js';
import { StraightLineTravelTimes, type RouteResult, type TravelTimes } from './travel-times.js';

/**
 * Dispatch on the city's road graph with live traffic and closures (src/routing/):
 * ground units drive the car graph; drones fly straight. While the graph is still
 * being built (the first seconds after start), the straight-line estimate answers
 * and says so in `name`.
 */
export class RoadTravelTimes implements TravelTimes {
  private readonly fallback = new StraightLineTravelTimes();

  constructor(private readonly routing: RoutingService) {}

  get name(): string {
    return this.routing.ready ? 'road graph with live traffic and closures' : `${this.fallback.name} — road graph still loading`;
  }

  async etaSeconds(from: readonly Position[], to: Position, kind: UnitKind): Promise<(number | null)[]> {
    if (kind === 'drone' || !this.routing.ready) return this.fallback.etaSeconds(from, to, kind);
    // One reverse search from the incident reaches every unit (not one search per unit).
    let found;
    try {
      found = this.routing.router('car').nearestUnits(
        to,
        from.map((position, index) => ({ position, index })),
        from.length,
      );
    } catch {
      return from.map(() => null); // the incident is too far from any road
    }
    const times: (number | null)[] = from.map(() => null); // units off the network or unreachable stay null
    for (const f of found) times[f.unit.index] = f.timeS;
    return times;
  }

  async route(from: Position, to: Position, kind: UnitKind): Promise<RouteResult | null> {
    if (kind === 'drone' || !this.routing.ready) return this.fallback.route(from, to, kind);
    let r;
    try {
      r = this.routing.router('car').route(from, to);
    } catch {
      return null;
    }
    return r ? { geometry: r.geometry, seconds: Math.round(r.timeS), metres: Math.round(r.distanceM) } : null;
  }

  onChange(listener: () => void): () => void {
    return this.routing.onWeightsChanged(listener);
  }
}
