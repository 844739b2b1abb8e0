import { areaBounds, distanceM, inRing, type LonLat, type TargetArea } from './area-geometry.js';

/** Local metres around a latitude: accurate enough at a city's scale for segment tests. */
function toMetres(p: LonLat, lat0: number): [number, number] {
  return [p[0] * 111_320 * Math.cos((lat0 * Math.PI) / 180), p[1] * 111_320];
}

function segmentsCross(a: LonLat, b: LonLat, c: LonLat, d: LonLat): boolean {
  const o = (p: LonLat, q: LonLat, r: LonLat): number => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  return o(a, b, c) !== o(a, b, d) && o(c, d, a) !== o(c, d, b);
}

/** Distance in metres from a point to a segment. */
function pointSegmentM(p: LonLat, a: LonLat, b: LonLat): number {
  const lat0 = p[1];
  const [px, py] = toMetres(p, lat0);
  const [ax, ay] = toMetres(a, lat0);
  const [bx, by] = toMetres(b, lat0);
  const dx = bx - ax;
  const dy = by - ay;
  const t = dx === 0 && dy === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

const edges = (ring: readonly LonLat[]): [LonLat, LonLat][] => ring.map((p, i) => [p, ring[(i + 1) % ring.length]!]);

/**
 * Whether a coverage polygon (a cell sector) meets the area: overlaps a polygon
 * (a vertex of one inside the other, or edges crossing) or comes within a circle.
 */
export function coverageIntersects(
  coverage: readonly LonLat[],
  area: TargetArea,
  bounds: readonly [number, number, number, number] = areaBounds(area),
): boolean {
  if (coverage.length < 3) return false;
  // Most sectors of a city are nowhere near the area: their bounding boxes do not even meet.
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of coverage) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  if (maxX < bounds[0] || minX > bounds[2] || maxY < bounds[1] || minY > bounds[3]) return false;
  for (const ring of area.rings) {
    if (ring.some((p) => inRing(p, coverage)) || coverage.some((p) => inRing(p, ring))) return true;
    const ce = edges(coverage);
    if (edges(ring).some(([a, b]) => ce.some(([c, d]) => segmentsCross(a, b, c, d)))) return true;
  }
  for (const c of area.circles) {
    if (inRing(c.centre, coverage) || coverage.some((p) => distanceM(p, c.centre) <= c.radiusM)) return true;
    if (edges(coverage).some(([a, b]) => pointSegmentM(c.centre, a, b) <= c.radiusM)) return true;
  }
  return false;
}
