import type { MultiPolygon, Position } from '../kernel/geo.js';
import type { RoadGraph } from './road-graph.js';

const M_PER_DEG_LAT = 110_574;

/**
 * The area reached within a time, as a MultiPolygon of raster cells: every cell
 * touched by the reached part of the network (reached nodes, and each segment as
 * far along as the remaining time allows) is in, merged into rectangles (runs per
 * row, stacked when consecutive rows have the same run). Exact on the network;
 * the cell size (metres) is the resolution between roads.
 */
export function isochronePolygon(
  g: RoadGraph,
  liveTime: Float64Array,
  timeOf: (v: number) => number,
  reached: readonly number[],
  limitS: number,
  cellM: number,
): MultiPolygon {
  if (reached.length === 0) return { type: 'MultiPolygon', coordinates: [] };
  let minLon = Infinity,
    minLat = Infinity,
    maxLon = -Infinity,
    maxLat = -Infinity;
  for (const v of reached) {
    minLon = Math.min(minLon, g.lon[v]!);
    maxLon = Math.max(maxLon, g.lon[v]!);
    minLat = Math.min(minLat, g.lat[v]!);
    maxLat = Math.max(maxLat, g.lat[v]!);
  }
  const kx = M_PER_DEG_LAT * Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const dLon = cellM / kx,
    dLat = cellM / M_PER_DEG_LAT;
  // One cell of margin each side: partial segments reach past the outermost node.
  const lon0 = minLon - dLon,
    lat0 = minLat - dLat;
  const cols = Math.ceil((maxLon - lon0) / dLon) + 2,
    rows = Math.ceil((maxLat - lat0) / dLat) + 2;
  const cells = new Uint8Array(cols * rows);
  const mark = (lon: number, lat: number): void => {
    const c = Math.floor((lon - lon0) / dLon),
      r = Math.floor((lat - lat0) / dLat);
    if (c >= 0 && c < cols && r >= 0 && r < rows) cells[r * cols + c] = 1;
  };
  for (const u of reached) {
    const tu = timeOf(u);
    mark(g.lon[u]!, g.lat[u]!);
    for (let e = g.firstOut[u]!; e < g.firstOut[u + 1]!; e++) {
      const s = g.outSeg[e]!,
        w = liveTime[s]!;
      if (w === Infinity) continue;
      const f = w === 0 ? 1 : Math.min(1, (limitS - tu) / w);
      if (f <= 0) continue;
      const v = g.head[e]!;
      const steps = Math.ceil((g.segLength[s]! * f) / (cellM / 2));
      for (let k = 1; k <= steps; k++) {
        const t = (f * k) / steps;
        mark(g.lon[u]! + t * (g.lon[v]! - g.lon[u]!), g.lat[u]! + t * (g.lat[v]! - g.lat[u]!));
      }
    }
  }
  const polygons: Position[][][] = [];
  let open = new Map<string, { r0: number; c0: number; c1: number }>();
  const close = (run: { r0: number; c0: number; c1: number }, r1: number): void => {
    const x0 = lon0 + run.c0 * dLon,
      x1 = lon0 + (run.c1 + 1) * dLon,
      y0 = lat0 + run.r0 * dLat,
      y1 = lat0 + r1 * dLat;
    polygons.push([
      [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ],
    ]);
  };
  for (let r = 0; r <= rows; r++) {
    const next = new Map<string, { r0: number; c0: number; c1: number }>();
    if (r < rows) {
      for (let c = 0; c < cols; c++) {
        if (!cells[r * cols + c]) continue;
        let c1 = c;
        while (c1 + 1 < cols && cells[r * cols + c1 + 1]) c1++;
        const key = `${c}:${c1}`;
        next.set(key, open.get(key) ?? { r0: r, c0: c, c1 });
        open.delete(key);
        c = c1;
      }
    }
    for (const run of open.values()) close(run, r);
    open = next;
  }
  return { type: 'MultiPolygon', coordinates: polygons };
}
