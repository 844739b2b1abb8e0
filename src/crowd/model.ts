import type { Polygon, Position } from '../kernel/geo.js';

/** Density levels, in rising order. */
export const LEVELS = ['normal', 'warning', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

/**
 * Default thresholds in persons/m² (sources in docs/crowd.md): Fruin's levels of
 * service as charted by Still — walking speed is reduced from about 2 /m² and flow
 * peaks at the critical density of 2–3 /m²; involuntary contact from 3.6 /m² and
 * dangerous crowd forces from 5.5 /m². Warning at 2 leaves time to act; critical at 4
 * is before the dangerous forces and under the UK Green Guide's 4.7 /m² ceiling
 * for standing areas.
 */
export const DEFAULT_WARNING_DENSITY = 2;
export const DEFAULT_CRITICAL_DENSITY = 4;
/** A level is left only once density falls this fraction below its threshold (no flapping at a threshold). */
export const HYSTERESIS = 0.1;

/** A crowd zone: an area whose occupancy is counted and whose density is watched. */
export interface CrowdZoneDefinition {
  zoneId: string;
  name: string;
  orgId: string;
  /** A major event this zone belongs to (the events capability links its zones here). */
  eventId: string | null;
  polygon: Polygon;
  areaM2: number;
  warningDensity: number;
  criticalDensity: number;
  /** Occupancy sensors and cameras, each counting the people in the zone or a disjoint part of it. */
  occupancyCounters: string[];
}

/** A gate between a zone (inside) and a neighbouring zone or the outside (null = an exit). */
export interface GateDefinition {
  gateId: string;
  name: string;
  orgId: string;
  position: Position;
  inside: string;
  outside: string | null;
  /** Line counters at the gate: `in` is outside → inside, `out` inside → outside. */
  lineCounters: string[];
}

export interface CrowdZone extends CrowdZoneDefinition {
  /** Latest count of each occupancy counter, with the time it was made (ms). */
  counts: Record<string, { count: number; at: number }>;
  /** Occupancy from line counters alone (net inflow since the zone was defined), for zones without occupancy counters. */
  flowOccupancy: number;
  occupancy: number;
  density: number;
  level: Level;
  /** When the current level began (ISO), and the sequence number of that change (dismissals last one episode). */
  levelSince: string | null;
  levelSeq: number;
  /** [epoch ms, density] of recent windows, oldest first (for the trend). */
  history: [number, number][];
  countedAt: number | null;
}

export interface Gate extends GateDefinition {
  state: 'open' | 'closed';
  /** The foot-graph closure made when the gate was closed, if any. */
  closureId: string | null;
  /** Recent crossings [epoch ms, in, out], oldest first (for net inflow). */
  flows: [number, number, number][];
}

/** One count from a counter: occupancy counters give `count`, line counters `in`/`out` since their last message. */
export interface PeopleCount {
  counterId: string;
  at: number;
  count?: number;
  in?: number;
  out?: number;
}

export type SuggestionKind = 'close-gate' | 'open-gate' | 'reroute';

export interface Suggestion {
  suggestionId: string;
  zoneId: string;
  kind: SuggestionKind;
  gateId: string | null;
  /** For open-gate and reroute: where the crowd should go (a neighbouring zone), null for an exit. */
  targetZoneId: string | null;
  text: string;
  /** People per minute currently entering through the gate (close) or to redirect (reroute). */
  flowPerMin: number;
  route: { geometry: { type: 'LineString'; coordinates: Position[] }; distanceM: number; timeS: number } | null;
}
