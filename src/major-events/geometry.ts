import { badRequest } from '../kernel/errors.js';
import { haversineM, type Geometry, type LineString, type Point, type Polygon, type Position } from '../kernel/geo.js';

/** Limits for anything drawn or uploaded into an event: a few streets to a city, not a continent. */
export const GEOMETRY_LIMITS = {
  /** Positions in one drawn geometry. */
  maxPositions: 5000,
  /** Rings of one polygon (outer + holes). */
  maxRings: 20,
  /** Diagonal of the bounding box of one geometry. */
  maxExtentM: 50_000,
  /** Features and positions in one uploaded layer. */
  maxLayerFeatures: 2000,
  maxLayerPositions: 20_000,
} as const;

type Kind = 'Point' | 'LineString' | 'Polygon';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function position(v: unknown, where: string): Position {
  if (!Array.isArray(v) || v.length < 2 || v.length > 3) throw badRequest(`${where}: a position is [lon, lat] (optionally an altitude)`);
  const [lon, lat, alt] = v as unknown[];
  if (
    typeof lon !== 'number' ||
    typeof lat !== 'number' ||
    !Number.isFinite(lon) ||
    !Number.isFinite(lat) ||
    (alt !== undefined && (typeof alt !== 'number' || !Number.isFinite(alt)))
  ) {
    throw badRequest(`${where}: coordinates are finite numbers`);
  }
  if (lon < -180 || lon > 180) throw badRequest(`${where}: longitude ${lon} is outside -180…180`);
  if (lat < -90 || lat > 90) throw badRequest(`${where}: latitude ${lat} is outside -90…90`);
  // Altitude is dropped: the map is flat and stored geometry stays two-dimensional.
  return [lon, lat];
}

function positions(v: unknown, where: string, budget: { left: number }): Position[] {
  if (!Array.isArray(v)) throw badRequest(`${where}: expected an array of positions`);
  budget.left -= v.length;
  if (budget.left < 0) throw badRequest(`${where}: too many positions (at most ${GEOMETRY_LIMITS.maxPositions} per geometry)`);
  return v.map((p, i) => position(p, `${where}[${i}]`));
}

const same = (a: Position, b: Position): boolean => a[0] === b[0] && a[1] === b[1];

function ring(v: unknown, where: string, budget: { left: number }): Position[] {
  const r = positions(v, where, budget);
  if (r.length < 4) throw badRequest(`${where}: a polygon ring has at least 4 positions`);
  if (!same(r[0]!, r[r.length - 1]!)) throw badRequest(`${where}: a polygon ring is closed (its last position repeats the first)`);
  const distinct = new Set(r.map((p) => `${p[0]},${p[1]}`));
  if (distinct.size < 3) throw badRequest(`${where}: a polygon ring has at least 3 distinct positions`);
  return r;
}

function checkExtent(coords: Position[], where: string): void {
  let minLon = Infinity,
    minLat = Infinity,
    maxLon = -Infinity,
    maxLat = -Infinity;
  for (const [lon, lat] of coords) {
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
  }
  if (haversineM([minLon, minLat], [maxLon, maxLat]) > GEOMETRY_LIMITS.maxExtentM)
    throw badRequest(`${where}: spans more than ${GEOMETRY_LIMITS.maxExtentM / 1000} km`);
}

/**
 * A strictly checked copy of a GeoJSON geometry (RFC 7946) of one of the allowed
 * types: only `type` and `coordinates`, positions in range, line strings of two or
 * more positions, polygon rings closed, bounded size and extent. Throws a 400 that
 * says what is wrong and where.
 */
export function parseGeometry(
  v: unknown,
  allowed: readonly Kind[],
  where = 'geometry',
  budget: { left: number } = { left: GEOMETRY_LIMITS.maxPositions },
): Point | LineString | Polygon {
  if (!isObject(v)) throw badRequest(`${where}: a GeoJSON geometry object`);
  const extra = Object.keys(v).filter((k) => k !== 'type' && k !== 'coordinates');
  if (extra.length > 0) throw badRequest(`${where}: unexpected member ${extra[0]}`);
  if (typeof v.type !== 'string' || !(allowed as readonly string[]).includes(v.type)) throw badRequest(`${where}: type must be ${allowed.join(' or ')}`);
  switch (v.type as Kind) {
    case 'Point': {
      budget.left -= 1;
      if (budget.left < 0) throw badRequest(`${where}: too many positions`);
      return { type: 'Point', coordinates: position(v.coordinates, `${where}.coordinates`) };
    }
    case 'LineString': {
      const line = positions(v.coordinates, `${where}.coordinates`, budget);
      if (line.length < 2) throw badRequest(`${where}: a line string has at least 2 positions`);
      checkExtent(line, where);
      return { type: 'LineString', coordinates: line };
    }
    case 'Polygon': {
      if (!Array.isArray(v.coordinates) || v.coordinates.length === 0) throw badRequest(`${where}.coordinates: a polygon has at least one ring`);
      if (v.coordinates.length > GEOMETRY_LIMITS.maxRings) throw badRequest(`${where}.coordinates: at most ${GEOMETRY_LIMITS.maxRings} rings`);
      const rings = v.coordinates.map((r, i) => ring(r, `${where}.coordinates[${i}]`, budget));
      checkExtent(rings[0]!, where);
      return { type: 'Polygon', coordinates: rings };
    }
  }
}

export interface LayerFeature {
  type: 'Feature';
  geometry: Point | LineString | Polygon;
  properties: Record<string, string | number | boolean | null>;
}
export interface Layer {
  type: 'FeatureCollection';
  features: LayerFeature[];
}

/**
 * An uploaded GeoJSON layer: a FeatureCollection of Point / LineString / Polygon
 * features whose properties are flat (strings, numbers, booleans, null), within
 * the layer limits. Returns a clean copy: nothing unchecked is stored.
 */
export function parseLayer(v: unknown): Layer {
  if (!isObject(v) || v.type !== 'FeatureCollection' || !Array.isArray(v.features)) throw badRequest('a layer is a GeoJSON FeatureCollection');
  if (v.features.length === 0) throw badRequest('the layer has no features');
  if (v.features.length > GEOMETRY_LIMITS.maxLayerFeatures) throw badRequest(`a layer has at most ${GEOMETRY_LIMITS.maxLayerFeatures} features`);
  const budget = { left: GEOMETRY_LIMITS.maxLayerPositions };
  const features = v.features.map((f, i): LayerFeature => {
    const where = `features[${i}]`;
    if (!isObject(f) || f.type !== 'Feature') throw badRequest(`${where}: a GeoJSON Feature`);
    const perGeometry = { left: Math.min(GEOMETRY_LIMITS.maxPositions, budget.left) };
    const geometry = parseGeometry(f.geometry, ['Point', 'LineString', 'Polygon'], `${where}.geometry`, perGeometry);
    budget.left -= Math.min(GEOMETRY_LIMITS.maxPositions, budget.left) - perGeometry.left;
    if (budget.left < 0) throw badRequest(`the layer has more than ${GEOMETRY_LIMITS.maxLayerPositions} positions`);
    const properties: LayerFeature['properties'] = {};
    if (f.properties !== undefined && f.properties !== null) {
      if (!isObject(f.properties)) throw badRequest(`${where}.properties: an object`);
      const entries = Object.entries(f.properties);
      if (entries.length > 50) throw badRequest(`${where}.properties: at most 50`);
      for (const [k, val] of entries) {
        if (k.length > 100) throw badRequest(`${where}.properties: names of at most 100 characters`);
        if (
          val !== null &&
          typeof val !== 'boolean' &&
          !(typeof val === 'number' && Number.isFinite(val)) &&
          !(typeof val === 'string' && val.length <= 1000)
        ) {
          throw badRequest(`${where}.properties.${k}: a string (≤ 1000 characters), finite number, boolean or null`);
        }
        properties[k] = val as string | number | boolean | null;
      }
    }
    return { type: 'Feature', geometry, properties };
  });
  return { type: 'FeatureCollection', features };
}

/** Every position of a geometry (for extents and tests). */
export function positionsOf(g: Geometry): Position[] {
  switch (g.type) {
    case 'Point':
      return [g.coordinates];
    case 'LineString':
      return g.coordinates;
    case 'Polygon':
      return g.coordinates.flat();
    case 'MultiPolygon':
      return g.coordinates.flat(2);
  }
}
