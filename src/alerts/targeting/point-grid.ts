import { areaBounds, inArea, inRing, type LonLat, type TargetArea } from './area-geometry.js';

/**
 * A uniform grid over longitude/latitude holding numbered points (subscribers'
 * locations, sirens). An area query visits only the cells under the area's
 * bounding box; cells whose four corners are inside a polygon ring that no edge
 * crosses are taken whole, only boundary cells test their points one by one.
 */
export class PointGrid {
  private readonly cells = new Map<number, number[]>();
  private lon = new Float64Array(1024);
  private lat = new Float64Array(1024);
  private alive = new Uint8Array(1024);
  private count = 0;

  constructor(private readonly cellDeg = 0.002) {}

  get size(): number {
    return this.count;
  }

  private key(lon: number, lat: number): number {
    return Math.floor((lat + 90) / this.cellDeg) * 1_000_000 + Math.floor((lon + 180) / this.cellDeg);
  }

  /** Adds point `id` (ids are small dense integers chosen by the caller). */
  add(id: number, p: LonLat): void {
    if (id >= this.lon.length) this.grow(id + 1);
    if (this.alive[id]) this.remove(id);
    this.lon[id] = p[0];
    this.lat[id] = p[1];
    this.alive[id] = 1;
    this.count++;
    const k = this.key(p[0], p[1]);
    const cell = this.cells.get(k);
    if (cell) cell.push(id);
    else this.cells.set(k, [id]);
  }

  remove(id: number): void {
    if (!this.alive[id]) return;
    this.alive[id] = 0;
    this.count--;
    const cell = this.cells.get(this.key(this.lon[id]!, this.lat[id]!));
    if (cell) {
      const at = cell.indexOf(id);
      if (at >= 0) cell.splice(at, 1);
    }
  }

  /** Calls `found` once per point inside the area. */
  query(area: TargetArea, found: (id: number) => void): void {
    const [minLon, minLat, maxLon, maxLat] = areaBounds(area);
    if (!Number.isFinite(minLon)) return;
    const d = this.cellDeg;
    const row0 = Math.floor((minLat + 90) / d);
    const row1 = Math.floor((maxLat + 90) / d);
    const col0 = Math.floor((minLon + 180) / d);
    const col1 = Math.floor((maxLon + 180) / d);
    const seen = area.rings.length + area.circles.length > 1 ? new Set<number>() : null;
    for (let row = row0; row <= row1; row++) {
      for (let col = col0; col <= col1; col++) {
        const cell = this.cells.get(row * 1_000_000 + col);
        if (!cell || cell.length === 0) continue;
        const whole = this.cellInside(row, col, area);
        for (const id of cell) {
          if (seen?.has(id)) continue;
          if (whole || inArea([this.lon[id]!, this.lat[id]!], area)) {
            seen?.add(id);
            found(id);
          }
        }
      }
    }
  }

  /**
   * A cell is wholly inside when its corners are inside one ring and no edge of
   * that ring comes near it (an edge whose bounding box misses the cell cannot cross it).
   */
  private cellInside(row: number, col: number, area: TargetArea): boolean {
    const d = this.cellDeg;
    const w = col * d - 180;
    const s = row * d - 90;
    const corners: LonLat[] = [
      [w, s],
      [w + d, s],
      [w + d, s + d],
      [w, s + d],
    ];
    return area.rings.some((ring) => {
      if (!corners.every((c) => inRing(c, ring))) return false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [x1, y1] = ring[i]!;
        const [x2, y2] = ring[j]!;
        if (Math.max(x1, x2) >= w && Math.min(x1, x2) <= w + d && Math.max(y1, y2) >= s && Math.min(y1, y2) <= s + d) return false;
      }
      return true;
    });
  }

  private grow(min: number): void {
    const n = Math.max(min, this.lon.length * 2);
    const lon = new Float64Array(n);
    lon.set(this.lon);
    const lat = new Float64Array(n);
    lat.set(this.lat);
    const alive = new Uint8Array(n);
    alive.set(this.alive);
    [this.lon, this.lat, this.alive] = [lon, lat, alive];
  }
}
