import { haversineM, type LineString, type Position } from '../kernel/geo.js';
import type { UnitKind } from '../units/contract.js';

export interface RouteResult {
  geometry: LineString;
  seconds: number;
  metres: number;
}

/**
 * What dispatch needs from routing. The road-graph engine (src/routing/, another
 * branch) implements it with live traffic and closures; until it is plugged in,
 * `StraightLineTravelTimes` stands in and says so in every answer (`name`).
 */
export interface TravelTimes {
  /** Shown with every ETA and route so nobody mistakes an estimate's kind. */
  readonly name: string;
  /** Seconds from each origin to the destination for a unit kind, in order; null where unreachable. */
  etaSeconds(from: readonly Position[], to: Position, kind: UnitKind): Promise<(number | null)[]>;
  /** The route a unit should drive (fly), or null when there is none. */
  route(from: Position, to: Position, kind: UnitKind): Promise<RouteResult | null>;
  /** Called when traffic or closures change, so active routes are computed again. */
  onChange?(listener: () => void): () => void;
}

/** Typical urban speeds (km/h) with blue lights, per unit kind; drones fly straight. */
const SPEED_KMH: Record<UnitKind, number> = { 'fire-engine': 35, ambulance: 40, 'police-car': 45, 'private-guard': 30, drone: 60 };
/** Roads are longer than the crow flies; 1.4 is a usual urban detour factor. */
const DETOUR: Record<UnitKind, number> = { 'fire-engine': 1.4, ambulance: 1.4, 'police-car': 1.4, 'private-guard': 1.4, drone: 1 };

/**
 * The FALLBACK until the routing engine lands: great-circle distance × a detour
 * factor ÷ a typical speed per unit kind, and a straight line as the "route". No
 * roads, no traffic, no closures.
 */
export class StraightLineTravelTimes implements TravelTimes {
  readonly name = 'straight-line fallback (no road graph)';

  async etaSeconds(from: readonly Position[], to: Position, kind: UnitKind): Promise<(number | null)[]> {
    return from.map((p) => this.seconds(p, to, kind));
  }

  async route(from: Position, to: Position, kind: UnitKind): Promise<RouteResult> {
    return {
      geometry: { type: 'LineString', coordinates: [from, to] },
      seconds: this.seconds(from, to, kind),
      metres: Math.round(haversineM(from, to) * DETOUR[kind]),
    };
  }

  private seconds(from: Position, to: Position, kind: UnitKind): number {
    return Math.round((haversineM(from, to) * DETOUR[kind]) / ((SPEED_KMH[kind] * 1000) / 3600));
  }
}
