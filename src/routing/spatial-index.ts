import type { Position } from '../kernel/geo.js';
import type { RoadGraph } from './road-graph.js';

const M_PER_DEG_LAT = 110_574;

export interface Snap {
  /** The graph node a search starts or ends at: the nearer end of the nearest segment. */
  node: number;
  segment: number;
  /** Closest point on the segment, and how far the input was from it. */
  position: Position;
  distanceM: number;
}

export interface SegmentGridState {
  kx: number;
  minX: number;
  minY: number;
  cols: number;
  rows: number;
  cellStart: Int32Array;
  cellItems: Int32Array;
  cellM: number;
}

/**
 * A uniform grid over the segments of the main component, in local metres
 * (equirectangular around the graph's centre — exact enough at city scale).
 * Cells hold segment ids in CSR form; a nearest query searches rings of cells
 * outwards until no closer segment can exist.
 */
export class SegmentGrid {
  private readonly kx: number;
  private readonly minX: number;
  private readonly minY: number;
  private readonly cols: number;
  private readonly rows: number;
  private readonly cellStart: Int32Array;
  private readonly cellItems: Int32Array;

  constructor(
    private readonly g: RoadGraph,
    private readonly cellM = 150,
  ) {
    let minLon = Infinity,
      minLat = Infinity,
      maxLon = -Infinity,
      maxLat = -Infinity;
    for (let v = 0; v < g.baseNodeCount; v++) {
      if (g.lon[v]! < minLon) minLon = g.lon[v]!;
      if (g.lon[v]! > maxLon) maxLon = g.lon[v]!;
      if (g.lat[v]! < minLat) minLat = g.lat[v]!;
      if (g.lat[v]! > maxLat) maxLat = g.lat[v]!;
    }
    if (g.baseNodeCount === 0) minLon = minLat = maxLon = maxLat = 0;
    this.kx = M_PER_DEG_LAT * Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
    this.minX = minLon * this.kx;
    this.minY = minLat * M_PER_DEG_LAT;
    this.cols = Math.max(1, Math.ceil(((maxLon - minLon) * this.kx) / cellM) + 1);
    this.rows = Math.max(1, Math.ceil(((maxLat - minLat) * M_PER_DEG_LAT) / cellM) + 1);
    const cells = this.cols * this.rows;
    const counts = new Int32Array(cells + 1);
    const visit = (fn: (s: number, cell: number) => void): void => {
      for (let s = 0; s < g.segmentCount; s++) {
        const a = g.segFrom[s]!,
          b = g.segTo[s]!;
        if (!g.main[a] || !g.main[b]) continue;
        const [c0, r0] = this.cellOf(g.lon[a]!, g.lat[a]!),
          [c1, r1] = this.cellOf(g.lon[b]!, g.lat[b]!);
        for (let r = Math.min(r0, r1); r <= Math.max(r0, r1); r++) for (let c = Math.min(c0, c1); c <= Math.max(c0, c1); c++) fn(s, r * this.cols + c);
      }
    };
    visit((_s, cell) => counts[cell + 1]!++);
    for (let i = 0; i < cells; i++) counts[i + 1]! += counts[i]!;
    this.cellStart = counts;
    this.cellItems = new Int32Array(counts[cells]!);
    const fill = counts.slice(0, cells);
    visit((s, cell) => (this.cellItems[fill[cell]!++] = s));
  }

  /** What a grid built elsewhere (a worker thread) needs to be used here: numbers and two typed arrays. */
  toState(): SegmentGridState {
    const { kx, minX, minY, cols, rows, cellStart, cellItems, cellM } = this;
    return { kx, minX, minY, cols, rows, cellStart, cellItems, cellM };
  }

  /** The grid of `toState` over the same graph, without scanning a segment. */
  static fromState(g: RoadGraph, state: SegmentGridState): SegmentGrid {
    return Object.assign(Object.create(SegmentGrid.prototype) as SegmentGrid, { g, ...state });
  }

  private cellOf(lon: number, lat: number): [number, number] {
    const c = Math.floor((lon * this.kx - this.minX) / this.cellM);
    const r = Math.floor((lat * M_PER_DEG_LAT - this.minY) / this.cellM);
    return [Math.min(this.cols - 1, Math.max(0, c)), Math.min(this.rows - 1, Math.max(0, r))];
  }

  /** Nearest segment of the main component within `maxM` metres, or null. */
  nearest(p: Position, maxM = 2000): Snap | null {
    const g = this.g;
    const px = p[0] * this.kx,
      py = p[1] * M_PER_DEG_LAT;
    const [c0, r0] = this.cellOf(p[0], p[1]);
    let best = -1,
      bestD2 = Infinity,
      bestT = 0;
    const maxRing = Math.ceil(maxM / this.cellM) + 1;
    for (let ring = 0; ring <= maxRing; ring++) {
      // Every segment in ring k is at least (k-1) cells away.
      if (best >= 0 && ((ring - 1) * this.cellM) ** 2 > bestD2) break;
      for (let r = r0 - ring; r <= r0 + ring; r++) {
        if (r < 0 || r >= this.rows) continue;
        for (let c = c0 - ring; c <= c0 + ring; c++) {
          if (c < 0 || c >= this.cols) continue;
          if (Math.abs(r - r0) !== ring && Math.abs(c - c0) !== ring) continue;
          const cell = r * this.cols + c;
          for (let i = this.cellStart[cell]!; i < this.cellStart[cell + 1]!; i++) {
            const s = this.cellItems[i]!;
            const a = g.segFrom[s]!,
              b = g.segTo[s]!;
            const ax = g.lon[a]! * this.kx,
              ay = g.lat[a]! * M_PER_DEG_LAT;
            const dx = g.lon[b]! * this.kx - ax,
              dy = g.lat[b]! * M_PER_DEG_LAT - ay;
            const len2 = dx * dx + dy * dy;
            const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
            const ex = ax + t * dx - px,
              ey = ay + t * dy - py;
            const d2 = ex * ex + ey * ey;
            if (d2 < bestD2) {
              bestD2 = d2;
              best = s;
              bestT = t;
            }
          }
        }
      }
    }
    if (best < 0 || bestD2 > maxM * maxM) return null;
    const a = g.segFrom[best]!,
      b = g.segTo[best]!;
    const position: Position = [g.lon[a]! + bestT * (g.lon[b]! - g.lon[a]!), g.lat[a]! + bestT * (g.lat[b]! - g.lat[a]!)];
    return { node: bestT <= 0.5 ? a : b, segment: best, position, distanceM: Math.sqrt(bestD2) };
  }

  /** Segments whose cells overlap the box (a superset: callers test the geometry). */
  segmentsIn(minLon: number, minLat: number, maxLon: number, maxLat: number): number[] {
    const [c0, r0] = this.cellOf(minLon, minLat);
    const [c1, r1] = this.cellOf(maxLon, maxLat);
    const out = new Set<number>();
    for (let r = r0; r <= r1; r++)
      for (let c = c0; c <= c1; c++) {
        const cell = r * this.cols + c;
        for (let i = this.cellStart[cell]!; i < this.cellStart[cell + 1]!; i++) out.add(this.cellItems[i]!);
      }
    return [...out];
  }
}
