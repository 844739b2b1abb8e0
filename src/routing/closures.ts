import { polygonContains, segmentsIntersect, type LineString, type Polygon, type Position } from '../kernel/geo.js';
import type { RoadGraph } from './road-graph.js';
import type { SegmentGrid } from './spatial-index.js';

/**
 * The segments a closure drawn on the map closes: for a line, every segment it
 * crosses; for a polygon, every segment with a part inside it.
 */
export function segmentsClosedBy(g: RoadGraph, grid: SegmentGrid, geometry: LineString | Polygon): number[] {
  const lines: [Position, Position][] = [];
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : [geometry.coordinates];
  let minLon = Infinity,
    minLat = Infinity,
    maxLon = -Infinity,
    maxLat = -Infinity;
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const p = ring[i]!;
      minLon = Math.min(minLon, p[0]);
      minLat = Math.min(minLat, p[1]);
      maxLon = Math.max(maxLon, p[0]);
      maxLat = Math.max(maxLat, p[1]);
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
