import type { CapArea } from '../cap/cap-model.js';

/** [lon, lat] */
export type LonLat = [number, number];

/** A CAP area as geometry: polygons as closed rings of [lon, lat], circles as centre and radius in metres. */
export interface TargetArea {
  rings: LonLat[][];
  circles: { centre: LonLat; radiusM: number }[];
}

/** CAP writes "lat,lon lat,lon …" and "lat,lon radius-km"; GeoJSON and Vigil use [lon, lat]. */
export function targetAreaOf(areas: readonly CapArea[]): TargetArea {
  const out: TargetArea = { rings: [], circles: [] };
  for (const a of areas) {
    for (const polygon of a.polygon ?? []) {
      out.rings.push(
        polygon
          .trim()
          .split(/\s+/)
          .map((p) => {
            const [lat, lon] = p.split(',').map(Number) as [number, number];
            return [lon, lat];
          }),
      );
    }
    for (const circle of a.circle ?? []) {
      const [centre, radius] = circle.trim().split(/\s+/);
      const [lat, lon] = (centre ?? '').split(',').map(Number) as [number, number];
      out.circles.push({ centre: [lon, lat], radiusM: Number(radius) * 1000 });
    }
  }
  return out;
}

/** Ray casting; points on an edge may fall either side, which a warning area tolerates. */
export function inRing(p: LonLat, ring: readonly LonLat[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const R = 6_371_008.8;
export function distanceM(a: LonLat, b: LonLat): number {
  const toRad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * toRad;
  const dLon = (b[0] - a[0]) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function inArea(p: LonLat, area: TargetArea): boolean {
  return area.rings.some((r) => inRing(p, r)) || area.circles.some((c) => distanceM(p, c.centre) <= c.radiusM);
}

/** Bounding box [minLon, minLat, maxLon, maxLat] of the area. */
export function areaBounds(area: TargetArea): [number, number, number, number] {
  let b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const add = (lon: number, lat: number): void => {
    b = [Math.min(b[0], lon), Math.min(b[1], lat), Math.max(b[2], lon), Math.max(b[3], lat)];
  };
  for (const r of area.rings) for (const [lon, lat] of r) add(lon, lat);
  for (const c of area.circles) {
    const dLat = c.radiusM / 111_320;
    const dLon = c.radiusM / (111_320 * Math.max(0.01, Math.cos((c.centre[1] * Math.PI) / 180)));
    add(c.centre[0] - dLon, c.centre[1] - dLat);
    add(c.centre[0] + dLon, c.centre[1] + dLat);
  }
  return b;
}

/** CAP writes polygons as "lat,lon" pairs, closed: the first point repeated last. `ring` is open, [lon, lat]. */
export function ringToCapPolygon(ring: readonly LonLat[]): string {
  return [...ring, ring[0]!].map(([lon, lat]) => `${lat.toFixed(5)},${lon.toFixed(5)}`).join(' ');
}

/** The outer ring (open) of an area's boundary, thinned to at most `max` points (CAP polygons travel in SMS gateways' XML). */
export function outerRing(geometry: { type: string; coordinates?: unknown }, max = 200): LonLat[] | null {
  const rings =
    geometry.type === 'Polygon'
      ? [(geometry.coordinates as LonLat[][])[0]!]
      : geometry.type === 'MultiPolygon'
        ? (geometry.coordinates as LonLat[][][]).map((p) => p[0]!)
        : [];
  const ring = rings.sort((a, b) => b.length - a.length)[0];
  if (!ring || ring.length < 4) return null;
  const open = ring.slice(0, -1);
  const step = Math.ceil(open.length / max);
  return open.filter((_, i) => i % step === 0);
}
