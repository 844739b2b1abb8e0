/**
 * Geometry shared by every capability: GeoJSON types (RFC 7946, WGS84 lon/lat),
 * distances, bounding boxes, point-in-polygon and areas. Kept dependency-free and
 * allocation-light because targeting and routing call these in hot loops.
 */
export type Position = [number, number]; // [lon, lat]

/** JSON schema of a [lon, lat] position, as every route that takes one checks it. */
export const positionSchema = {
  type: 'array',
  minItems: 2,
  maxItems: 2,
  items: [
    { type: 'number', minimum: -180, maximum: 180 },
    { type: 'number', minimum: -90, maximum: 90 },
  ],
} as const;
/** A position that may be cleared (null). */
export const nullablePositionSchema = { ...positionSchema, type: ['array', 'null'] } as const;

export interface Point {
  type: 'Point';
  coordinates: Position;
}
export interface LineString {
  type: 'LineString';
  coordinates: Position[];
}
export interface Polygon {
  type: 'Polygon';
  coordinates: Position[][];
}
export interface MultiPolygon {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}
export type Geometry = Point | LineString | Polygon | MultiPolygon;

export interface Feature<G extends Geometry = Geometry, P = Record<string, unknown>> {
  type: 'Feature';
  id?: string | number;
  geometry: G;
  properties: P;
}
export interface FeatureCollection<G extends Geometry = Geometry, P = Record<string, unknown>> {
  type: 'FeatureCollection';
  features: Feature<G, P>[];
}

/** [minLon, minLat, maxLon, maxLat] */
export type BBox = [number, number, number, number];

const EARTH_RADIUS_M = 6_371_008.8;
const toRad = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle distance in metres. */
export function haversineM(a: Position, b: Position): number {
  const dLat = toRad(b[1] - a[1]);
  const dLon = toRad(b[0] - a[0]);
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a[1])) * Math.cos(toRad(b[1])) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

export function isValidPosition(p: unknown): p is Position {
  return Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number' && p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90;
}

function eachPosition(g: Geometry, fn: (p: Position) => void): void {
  switch (g.type) {
    case 'Point':
      fn(g.coordinates);
      break;
    case 'LineString':
      g.coordinates.forEach(fn);
      break;
    case 'Polygon':
      g.coordinates.forEach((ring) => ring.forEach(fn));
      break;
    case 'MultiPolygon':
      g.coordinates.forEach((poly) => poly.forEach((ring) => ring.forEach(fn)));
      break;
  }
}

export function bboxOf(g: Geometry): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  eachPosition(g, (p) => {
    if (p[0] < box[0]) box[0] = p[0];
    if (p[1] < box[1]) box[1] = p[1];
    if (p[0] > box[2]) box[2] = p[0];
    if (p[1] > box[3]) box[3] = p[1];
  });
  return box;
}

export function mergeBBox(a: BBox, b: BBox): BBox {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

export function bboxContains(box: BBox, p: Position): boolean {
  return p[0] >= box[0] && p[0] <= box[2] && p[1] >= box[1] && p[1] <= box[3];
}

/** Ray casting on one ring; the ring may or may not repeat its first vertex. */
function inRing(p: Position, ring: Position[]): boolean {
  let inside = false;
  const [x, y] = p;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i]![0],
      yi = ring[i]![1];
    const xj = ring[j]![0],
      yj = ring[j]![1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function polygonContains(rings: Position[][], p: Position): boolean {
  if (rings.length === 0 || !inRing(p, rings[0]!)) return false;
  for (let h = 1; h < rings.length; h++) if (inRing(p, rings[h]!)) return false;
  return true;
}

export function geometryContains(g: Geometry, p: Position): boolean {
  if (g.type === 'Polygon') return polygonContains(g.coordinates, p);
  if (g.type === 'MultiPolygon') return g.coordinates.some((poly) => polygonContains(poly, p));
  return false;
}

/** Area in square metres (spherical excess approximation, good to <0.5% at city scale). */
export function ringAreaM2(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    sum += toRad(b[0] - a[0]) * (2 + Math.sin(toRad(a[1])) + Math.sin(toRad(b[1])));
  }
  return Math.abs((sum * EARTH_RADIUS_M * EARTH_RADIUS_M) / 2);
}

export function areaM2(g: Geometry): number {
  const polyArea = (rings: Position[][]): number => rings.reduce((acc, ring, i) => acc + (i === 0 ? ringAreaM2(ring) : -ringAreaM2(ring)), 0);
  if (g.type === 'Polygon') return polyArea(g.coordinates);
  if (g.type === 'MultiPolygon') return g.coordinates.reduce((acc, poly) => acc + polyArea(poly), 0);
  return 0;
}

/** Vertex-average centre; cheap and always inside the bbox (enough for labels and placement). */
export function centroid(g: Geometry): Position {
  let x = 0,
    y = 0,
    n = 0;
  const outer: Geometry =
    g.type === 'Polygon'
      ? { type: 'LineString', coordinates: g.coordinates[0] ?? [] }
      : g.type === 'MultiPolygon'
        ? { type: 'LineString', coordinates: g.coordinates.flatMap((p) => p[0] ?? []) }
        : g;
  eachPosition(outer, (p) => {
    x += p[0];
    y += p[1];
    n++;
  });
  return n === 0 ? [0, 0] : [x / n, y / n];
}

/** Proper or touching intersection of segments p1p2 and q1q2 (planar lon/lat is fine at street scale). */
export function segmentsIntersect(p1: Position, p2: Position, q1: Position, q2: Position): boolean {
  const cross = (a: Position, b: Position, c: Position): number => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  const d1 = cross(q1, q2, p1),
    d2 = cross(q1, q2, p2),
    d3 = cross(p1, p2, q1),
    d4 = cross(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  const on = (a: Position, b: Position, c: Position): boolean =>
    Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1]);
  return (d1 === 0 && on(q1, q2, p1)) || (d2 === 0 && on(q1, q2, p2)) || (d3 === 0 && on(p1, p2, q1)) || (d4 === 0 && on(p1, p2, q2));
}
