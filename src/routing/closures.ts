import { polygonContains, type LineString, type Polygon, type Position } from '../kernel/geo.js';
import type { RoadGraph } from './road-graph.js';
import type { SegmentGrid } from './spatial-index.js';

/** Proper or touching intersection of segments p1p2 and q1q2 (planar lon/lat is fine at street scale). */
export function segmentsIntersect(p1: Position, p2: Position, q1: Position, q2: Position): boolean {
  const cross = (a: Position, b: Position, c: Position): number => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  const d1 = cross(q1, q2, p1), d2 = cross(q1, q2, p2), d3 = cross(p1, p2, q1), d4 = cross(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  const on = (a: Position, b: Position, c: Position): boolean =>
    Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1]);
  return (d1 === 0 && on(q1, q2, p1)) || (d2 === 0 && on(q1, q2, p2)) || (d3 === 0 && on(p1, p2, q1)) || (d4 === 0 && on(p1, p2, q2));
}

/**
 * The segments a closure drawn on the map closes: for a line, every segment it
 * crosses; for a polygon, every segment with a part inside it.
 */
export function segmentsClosedBy(g: RoadGraph, grid: SegmentGrid, geometry: LineString | Polygon): number[] {
  const lines: [Position, Position][] = [];
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : [geometry.coordinates];
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const p = ring[i]!;
      minLon = Math.min(minLon, p[0]); minLat = Math.min(minLat, p[1]); maxLon = Math.max(maxLon, p[0]); maxLat = Math.max(maxLat, p[1]);
      if (i > 0) lines.push([ring[i - 1]!, p]);
    }
    if (geometry.type === 'Polygon' && ring.length > 1) lines.push([ring[ring.length - 1]!, ring[0]!]);
  }
  const out: number[] = [];
  for (const s of grid.segmentsIn(minLon, minLat, maxLon, maxLat)) {
    const a: Position = [g.lon[g.segFrom[s]!]!, g.lat[g.segFrom[s]!]!];
    const b: Position = [g.lon[g.segTo[s]!]!, g.lat[g.segTo[s]!]!];
    const crosses = lines.some(([p, q]) => segmentsIntersect(a, b, p, q));
    const inside = geometry.type === 'Polygon' && (polygonContains(geometry.coordinates, a) || polygonContains(geometry.coordinates, b));
    if (crosses || inside) out.push(s);
  }
  return out;
}
