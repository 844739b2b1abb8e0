import { badRequest } from '../kernel/errors.js';
import { areaM2, isValidPosition, type Polygon, type Position } from '../kernel/geo.js';
import { segmentsIntersect } from '../kernel/geo.js';

export const MAX_RING_POSITIONS = 500;
/** A crowd zone is a place people stand in: between a few m² and 1 km². */
export const MIN_AREA_M2 = 10;
export const MAX_AREA_M2 = 1_000_000;

/**
 * A zone polygon, strictly: one outer ring (holes allowed, up to 10), each closed,
 * 4–500 [lon, lat] positions, no ring crossing itself, an area of 10 m²–1 km².
 * Returns the area in m² (outer ring minus holes).
 */
export function checkZonePolygon(input: unknown): { polygon: Polygon; areaM2: number } {
  const g = input as { type?: unknown; coordinates?: unknown };
  if (!g || typeof g !== 'object' || g.type !== 'Polygon' || !Array.isArray(g.coordinates)) throw badRequest('a zone is a GeoJSON Polygon');
  const rings = g.coordinates as unknown[];
  if (rings.length < 1 || rings.length > 11) throw badRequest('a zone polygon has one outer ring and at most 10 holes');
  const out: Position[][] = [];
  for (const [i, ring] of rings.entries()) {
    if (!Array.isArray(ring) || ring.length < 4 || ring.length > MAX_RING_POSITIONS) throw badRequest(`ring ${i} has 4 to ${MAX_RING_POSITIONS} positions`);
    if (!ring.every((p) => Array.isArray(p) && p.length === 2 && isValidPosition(p))) throw badRequest(`ring ${i} is a list of [lon, lat] positions`);
    const r = ring as Position[];
    const first = r[0]!,
      last = r[r.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) throw badRequest(`ring ${i} is not closed: its last position must equal its first`);
    if (selfIntersects(r)) throw badRequest(`ring ${i} crosses itself`);
    out.push(r.map((p) => [p[0], p[1]]));
  }
  const polygon: Polygon = { type: 'Polygon', coordinates: out };
  const area = areaM2(polygon);
  if (!(area >= MIN_AREA_M2 && area <= MAX_AREA_M2)) throw badRequest(`a zone's area is ${MIN_AREA_M2} m² to 1 km² (this one: ${Math.round(area)} m²)`);
  return { polygon, areaM2: Math.round(area * 10) / 10 };
}

/** Whether two non-adjacent edges of a closed ring meet (a figure of eight, a spike back on itself). */
export function selfIntersects(ring: readonly Position[]): boolean {
  const n = ring.length - 1; // edges; the last position repeats the first
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) {
        // Adjacent edges share a vertex; they may only meet there (a fold back is a crossing).
        if (collinearOverlap(ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!)) return true;
        continue;
      }
      if (segmentsIntersect(ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!)) return true;
    }
  }
  return false;
}

function collinearOverlap(a: Position, b: Position, c: Position, d: Position): boolean {
  const cross = (p: Position, q: Position, r: Position): number => (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
  if (cross(a, b, c) !== 0 || cross(a, b, d) !== 0) return false;
  // Collinear adjacent edges that go back over each other (a → b → back towards a).
  const dot = (b[0] - a[0]) * (d[0] - c[0]) + (b[1] - a[1]) * (d[1] - c[1]);
  return dot < 0;
}

export function checkThresholds(warning: number, critical: number): void {
  if (!(Number.isFinite(warning) && warning > 0 && warning <= 10)) throw badRequest('the warning density is above 0 and at most 10 persons/m²');
  if (!(Number.isFinite(critical) && critical > warning && critical <= 10))
    throw badRequest('the critical density is above the warning density and at most 10 persons/m²');
}

/** Counter ids as devices report them on MQTT topics: no wildcards or separators. */
export const COUNTER_ID = /^[A-Za-z0-9:_.-]{1,100}$/;
