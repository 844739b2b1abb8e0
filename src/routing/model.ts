import type { LineString, Polygon, Position } from '../kernel/geo.js';
import type { ProfileName } from './profiles.js';

/** One observed speed: on an OSM way (both directions) or on one directed edge (segment) of the car graph. */
export interface SpeedUpdate {
  wayId?: number;
  edgeId?: number;
  /** km/h; 0 = standing traffic (impassable); null = back to free flow. */
  speedKmh: number | null;
}

/** A road closure drawn on the map: the edges a line crosses or a polygon covers are closed. */
export interface Closure {
  closureId: string;
  geometry: LineString | Polygon;
  reason: string;
  profiles: ProfileName[];
  createdAt: string;
  createdBy: string;
  orgId: string | null;
}

/** Where people gather after leaving a hazard area. */
export interface AssemblyPoint {
  id: string;
  name: string;
  position: Position;
  /** Where it came from: OSM emergency=assembly_point, an open space of the city model, or given by the caller. */
  source: 'osm-assembly-point' | 'open-space' | 'configured';
  capacity: number | null;
}

/** Event payloads of the routing capability (type → data). */
export interface RoutingEvents {
  /** `graphId` names the car graph edge ids refer to; edge-id updates for another graph are ignored on replay. */
  'routing.traffic.updated': { source: string; observedAt: string | null; graphId: string | null; updates: SpeedUpdate[] };
  'routing.closure.created': Closure;
  'routing.closure.removed': { closureId: string; reason: string | null };
}
