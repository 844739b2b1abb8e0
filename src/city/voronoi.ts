import { areaM2, type BBox, type MultiPolygon, type Position } from '../kernel/geo.js';

/**
 * Shapes for neighbourhoods that the extract knows only as a named place (a place=suburb
 * node without boundary): the Voronoi cell of each place among the other boundary-less
 * places, clipped to the city, with the neighbourhoods that have an official boundary cut
 * out as holes. A point of the city then falls in the cell of the nearest such place unless
 * it is inside an official boundary: the rule the area locator applied to the bare points.
 *
 * Cells are convex, so clipping the (possibly concave) city rings by a cell with
 * Sutherland–Hodgman is exact up to zero-width seams; planar maths runs in a local
 * equirectangular projection (metres-like) so the bisectors are true at city scale.
 */
export function voronoiNeighbourhoods(
  seeds: readonly { id: string; position: Position }[],
  city: MultiPolygon,
  official: readonly MultiPolygon[],
  bbox: BBox,
): Map<string, MultiPolygon> {
  const out = new Map<string, MultiPolygon>();
  if (seeds.length === 0) return out;
  const lat0 = (bbox[1] + bbox[3]) / 2;
  const kx = Math.cos((lat0 * Math.PI) / 180);
  const fwd = (p: Position): Position => [p[0] * kx, p[1]];
  const back = (p: Position): Position => [round7(p[0] / kx), round7(p[1])];
  const pad = Math.max(bbox[2] - bbox[0], bbox[3] - bbox[1]);
  const frame: Position[] = [
    [bbox[0] - pad, bbox[1] - pad],
    [bbox[2] + pad, bbox[1] - pad],
    [bbox[2] + pad, bbox[3] + pad],
    [bbox[0] - pad, bbox[3] + pad],
  ].map((p) => fwd(p as Position));
  const cityRings = city.coordinates.map((poly) => poly.map((ring) => ring.map(fwd)));
  const holes = official.flatMap((mp) => mp.coordinates.map((poly) => poly[0]!.map(fwd)));
  for (const seed of seeds) {
    const a = fwd(seed.position);
    let cell = frame;
    for (const other of seeds) {
      if (other === seed) continue;
      const b = fwd(other.position);
      if (b[0] === a[0] && b[1] === a[1]) continue;
      // Keep p with |p-a| <= |p-b|: 2(b-a)·p <= |b|² - |a|².
      const n: Position = [b[0] - a[0], b[1] - a[1]];
      const c = (b[0] * b[0] + b[1] * b[1] - a[0] * a[0] - a[1] * a[1]) / 2;
      cell = clipHalfPlane(cell, n, c);
      if (cell.length < 3) break;
    }
    if (cell.length < 3) continue;
    const polygons: Position[][][] = [];
    for (const poly of cityRings) {
      const outer = clipConvex(poly[0]!, cell);
      if (outer.length < 3) continue;
      const inner = [...poly.slice(1), ...holes].map((h) => clipConvex(h, cell)).filter((h) => h.length >= 3);
      polygons.push([close(outer), ...inner.map(close)].map((ring) => ring.map(back)));
    }
    const mp: MultiPolygon = { type: 'MultiPolygon', coordinates: polygons };
    if (polygons.length > 0 && areaM2(mp) > 1) out.set(seed.id, mp);
  }
  return out;
}

const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;

function close(ring: Position[]): Position[] {
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  return first[0] === last[0] && first[1] === last[1] ? ring : [...ring, first];
}

/** The part of a ring (open or closed) where n·p <= c. */
function clipHalfPlane(ring: readonly Position[], n: Position, c: number): Position[] {
  const pts = open(ring);
  const out: Position[] = [];
  const side = (p: Position): number => n[0] * p[0] + n[1] * p[1] - c;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    const q = pts[(i + 1) % pts.length]!;
    const sp = side(p);
    const sq = side(q);
    if (sp <= 0) out.push(p);
    if ((sp < 0 && sq > 0) || (sp > 0 && sq < 0)) {
      const t = sp / (sp - sq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return out;
}

/** Sutherland–Hodgman: a ring clipped by a convex polygon (any orientation). */
export function clipConvex(ring: readonly Position[], convex: readonly Position[]): Position[] {
  const clip = open(convex);
  // Orientation of the clip polygon: its inside is to the left of each edge when counter-clockwise.
  let twiceArea = 0;
  for (let i = 0; i < clip.length; i++) {
    const p = clip[i]!;
    const q = clip[(i + 1) % clip.length]!;
    twiceArea += p[0] * q[1] - q[0] * p[1];
  }
  const ccw = twiceArea > 0 ? 1 : -1;
  let out = open(ring);
  for (let i = 0; i < clip.length && out.length > 0; i++) {
    const e0 = clip[i]!;
    const e1 = clip[(i + 1) % clip.length]!;
    // Inside: left of e0→e1 (ccw); as a half-plane n·p <= c with n the right-hand normal.
    const n: Position = [(e1[1] - e0[1]) * ccw, -(e1[0] - e0[0]) * ccw];
    out = clipHalfPlane(out, n, n[0] * e0[0] + n[1] * e0[1]);
  }
  return out;
}

function open(ring: readonly Position[]): Position[] {
  if (ring.length > 1) {
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    if (first[0] === last[0] && first[1] === last[1]) return ring.slice(0, -1);
  }
  return [...ring];
}
