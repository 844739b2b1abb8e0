import type { LineString, MultiPolygon, Polygon, Position } from '../../kernel/geo.js';
import { haversineM, polygonContains, ringAreaM2 } from '../../kernel/geo.js';
import type { OsmData, OsmRelation, OsmWay } from './osm-reader.js';

/** Coordinates of a way; null when any node is missing from the extract (clipped at its edge). */
export function wayPositions(data: OsmData, way: OsmWay): Position[] | null {
  const out: Position[] = [];
  for (const ref of way.refs) {
    const p = data.nodes.get(ref);
    if (!p) return null;
    out.push(p);
  }
  return out;
}

const isClosed = (ring: Position[]): boolean => ring.length >= 4 && ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1];

export function wayLine(data: OsmData, way: OsmWay): LineString | null {
  const coords = wayPositions(data, way);
  return coords && coords.length >= 2 ? { type: 'LineString', coordinates: coords } : null;
}

export function wayPolygon(data: OsmData, way: OsmWay): Polygon | null {
  const coords = wayPositions(data, way);
  return coords && isClosed(coords) ? { type: 'Polygon', coordinates: [coords] } : null;
}

/**
 * Joins way segments end to end into closed rings, as OSM multipolygon and
 * boundary relations need. Returns null when the segments do not close (the
 * relation is cut by the extract's edge).
 */
export function assembleRings(segments: Position[][], maxGapM = 0): { rings: Position[][]; repaired: boolean } | null {
  const key = (p: Position): string => `${p[0]},${p[1]}`;
  const pending = segments.filter((s) => s.length >= 2).map((s) => [...s]);
  const rings: Position[][] = [];
  let repaired = false;
  while (pending.length > 0) {
    let ring = pending.pop()!;
    let guard = 0;
    while (!isClosed(ring)) {
      if (++guard > 100_000) return null;
      const end = key(ring.at(-1)!);
      const i = pending.findIndex((s) => key(s[0]!) === end || key(s.at(-1)!) === end);
      if (i < 0) {
        // Older extracts leave coastal boundaries open at the shore: close a small gap.
        if (maxGapM > 0 && ring.length >= 3 && haversineM(ring[0]!, ring.at(-1)!) <= maxGapM) {
          ring = [...ring, ring[0]!];
          repaired = true;
          break;
        }
        return null;
      }
      const [next] = pending.splice(i, 1);
      const oriented = key(next![0]!) === end ? next! : [...next!].reverse();
      ring = ring.concat(oriented.slice(1));
    }
    rings.push(ring);
  }
  return { rings, repaired };
}

/** A multipolygon or boundary relation as a MultiPolygon: outer rings with the inner rings they contain. */
export function relationMultiPolygon(data: OsmData, relation: OsmRelation, maxGapM = 0): { geometry: MultiPolygon; repaired: boolean } | null {
  const outer: Position[][] = [];
  const inner: Position[][] = [];
  for (const m of relation.members) {
    if (m.type !== 'way') continue;
    const way = data.ways.get(m.ref);
    if (!way) return null;
    const coords = wayPositions(data, way);
    if (!coords) return null;
    (m.role === 'inner' ? inner : outer).push(coords);
  }
  if (outer.length === 0) return null;
  const outerAssembled = assembleRings(outer, maxGapM);
  const innerAssembled = inner.length ? assembleRings(inner, maxGapM) : { rings: [], repaired: false };
  if (!outerAssembled || !innerAssembled) return null;
  const outerRings = outerAssembled.rings;
  // Smallest first, so that each hole goes to the smallest outer ring containing it.
  const polygons: Position[][][] = outerRings.sort((a, b) => ringAreaM2(a) - ringAreaM2(b)).map((ring) => [ring]);
  for (const hole of innerAssembled.rings) {
    const owner = polygons.find((poly) => polygonContains([poly[0]!], hole[0]!));
    owner?.push(hole);
  }
  return { geometry: { type: 'MultiPolygon', coordinates: polygons }, repaired: outerAssembled.repaired || innerAssembled.repaired };
}
