import { relationMultiPolygon, wayPolygon, wayLine } from '../adapters/osm/osm-geometry.js';
import type { OsmData, Tags } from '../adapters/osm/osm-reader.js';
import {
  areaM2,
  bboxOf,
  centroid,
  geometryContains,
  mergeBBox,
  type BBox,
  type Feature,
  type Geometry,
  type LineString,
  type Polygon,
  type Position,
} from '../kernel/geo.js';
import type { Area, Site, SiteCategory } from './model.js';
import { neighbourhoodAt } from './area-locator.js';
import { voronoiNeighbourhoods } from './voronoi.js';

/** Boundaries cut open at the shore in older extracts are closed across at most this gap. */
const MAX_BOUNDARY_GAP_M = 1500;

export interface CityModel {
  name: string;
  city: Omit<Area, 'orgId'> | null;
  neighbourhoods: Omit<Area, 'orgId'>[];
  sites: Site[];
  layers: Record<string, Feature[]>;
  bbox: BBox;
}

function siteCategory(tags: Tags): SiteCategory | null {
  const a = tags.amenity;
  if (a === 'fire_station') return 'fire-station';
  if (a === 'police') return 'police-station';
  if (a === 'hospital') return 'hospital';
  if (a === 'clinic' || a === 'doctors') return 'clinic';
  if (a === 'school' || a === 'kindergarten' || a === 'college' || a === 'university') return 'school';
  if (a === 'townhall') return 'town-hall';
  if (a === 'theatre' || a === 'cinema' || a === 'casino' || a === 'arts_centre' || tags.leisure === 'stadium') return 'public-venue';
  if (a === 'bus_station' || tags.railway === 'station' || tags.public_transport === 'station') return 'transport';
  if (a === 'place_of_worship') return 'place-of-worship';
  if (a === 'pharmacy') return 'pharmacy';
  if (a === 'shelter' || tags.emergency === 'assembly_point') return 'shelter';
  if (tags.emergency === 'defibrillator' || tags.emergency === 'fire_hydrant') return 'emergency-equipment';
  if (tags.tourism === 'hotel') return 'hotel';
  if (tags.building && tags.building !== 'no') return 'building';
  return null;
}

const address = (t: Tags): string | null => (t['addr:street'] ? [t['addr:housenumber'], t['addr:street']].filter(Boolean).join(' ') : null);

function levels(t: Tags): number | null {
  const n = Number.parseInt(t['building:levels'] ?? '', 10);
  return Number.isFinite(n) && n > 0 && n < 300 ? n : null;
}

function roadClass(highway: string): string | null {
  if (/^(motorway|trunk)(_link)?$/.test(highway)) return 'major';
  if (/^(primary|secondary)(_link)?$/.test(highway)) return 'primary';
  if (/^(tertiary|tertiary_link|residential|unclassified|living_street|service|road)$/.test(highway)) return 'minor';
  if (/^(footway|pedestrian|steps|path|cycleway|corridor)$/.test(highway)) return 'path';
  return null;
}

const PLACE_KINDS = new Set(['city', 'town', 'village', 'suburb', 'quarter', 'neighbourhood', 'hamlet', 'locality', 'square', 'island', 'islet']);

const GREEN = new Set(['park', 'garden', 'pitch', 'playground', 'grass', 'recreation_ground', 'cemetery', 'forest', 'wood', 'meadow', 'scrub']);

/**
 * Turns an OSM extract into the city model: the city boundary, its neighbourhoods,
 * every building and point of interest as a site (assigned to its neighbourhood),
 * and the basemap layers the web UI draws without any external tile server.
 */
export function buildCityModel(data: OsmData, onProgress?: (done: number, total: number) => void): CityModel {
  const boundaries = data.relations
    .filter((r) => r.tags.boundary === 'administrative' && r.tags.name)
    .map((r) => ({ r, level: Number(r.tags.admin_level) }))
    .filter((b) => Number.isFinite(b.level));
  // The city: the lowest-level boundary that closes and contains most of the extract's data.
  const cities = boundaries
    .filter((b) => b.level >= 7 && b.level <= 8)
    .map((b) => ({ ...b, mp: relationMultiPolygon(data, b.r, MAX_BOUNDARY_GAP_M) }))
    .filter((b): b is typeof b & { mp: NonNullable<typeof b.mp> } => b.mp !== null);
  const cityCandidate = cities.sort((x, y) => areaM2(y.mp.geometry) - areaM2(x.mp.geometry))[0];
  const city: CityModel['city'] = cityCandidate
    ? {
        id: `area:osm:relation/${cityCandidate.r.id}`,
        name: cityCandidate.r.tags.name!,
        level: 'city',
        geometry: cityCandidate.mp.geometry,
        center: centroid(cityCandidate.mp.geometry),
        areaM2: Math.round(areaM2(cityCandidate.mp.geometry)),
        repaired: cityCandidate.mp.repaired,
        source: `osm:relation/${cityCandidate.r.id}`,
      }
    : null;
  const inCity = (p: Position): boolean => !city?.geometry || geometryContains(city.geometry, p);

  // Neighbourhoods: boundaries below the city level, then named places without a boundary.
  const neighbourhoods: CityModel['neighbourhoods'] = [];
  for (const b of boundaries.filter((x) => x.level >= 9)) {
    const mp = relationMultiPolygon(data, b.r, MAX_BOUNDARY_GAP_M);
    if (!mp) continue;
    const center = centroid(mp.geometry);
    if (!inCity(center)) continue;
    neighbourhoods.push({
      id: `area:osm:relation/${b.r.id}`,
      name: b.r.tags.name!,
      level: 'neighbourhood',
      geometry: mp.geometry,
      center,
      areaM2: Math.round(areaM2(mp.geometry)),
      repaired: mp.repaired,
      source: `osm:relation/${b.r.id}`,
    });
  }
  for (const n of data.taggedNodes) {
    const place = n.tags.place;
    if (!n.tags.name || !(place === 'suburb' || place === 'quarter' || place === 'neighbourhood')) continue;
    if (!inCity(n.position) || neighbourhoods.some((x) => x.name === n.tags.name)) continue;
    neighbourhoods.push({
      id: `area:osm:node/${n.id}`,
      name: n.tags.name,
      level: 'neighbourhood',
      geometry: null,
      center: n.position,
      areaM2: null,
      repaired: false,
      source: `osm:node/${n.id}`,
    });
  }
  const withShape = neighbourhoods.filter((x) => x.geometry);
  const placesOnly = neighbourhoods.filter((x) => !x.geometry);
  const shaped = withShape.map((x) => ({ area: x, bbox: bboxOf(x.geometry!) }));
  /** Inside a neighbourhood's boundary, else nearest named place in the city, else the city. */
  const areaOf = (p: Position): string | null => {
    if (!inCity(p) && !withShape.some((x) => geometryContains(x.geometry!, p))) return null;
    return neighbourhoodAt(p, shaped, placesOnly, null)?.id ?? city?.id ?? null;
  };

  const sites: Site[] = [];
  const layers: Record<string, Feature[]> = { buildings: [], roads: [], water: [], green: [], rail: [], places: [] };
  const addSite = (id: string, tags: Tags, position: Position, footprint: number | null): void => {
    const category = siteCategory(tags);
    if (!category) return;
    sites.push({
      id,
      name: tags.name ?? null,
      category,
      position: [round7(position[0]), round7(position[1])],
      footprintM2: footprint === null ? null : Math.round(footprint),
      levels: levels(tags),
      address: address(tags),
      areaId: areaOf(position),
      buildingType: tags.building && tags.building !== 'no' ? tags.building : null,
      residents: null,
      source: id.replace(/^site:/, ''),
    });
  };

  for (const n of data.taggedNodes) addSite(`site:osm:node/${n.id}`, n.tags, n.position, null);
  let done = 0;
  const total = data.ways.size;
  for (const way of data.ways.values()) {
    if (++done % 500 === 0) onProgress?.(done, total);
    const t = way.tags;
    if (t.building && t.building !== 'no') {
      const poly = wayPolygon(data, way);
      if (!poly) continue;
      layers.buildings!.push(feature(poly, { id: `osm:way/${way.id}`, name: t.name ?? null, levels: levels(t) }));
      addSite(`site:osm:way/${way.id}`, t, centroid(poly), areaM2(poly));
      continue;
    }
    if (t.highway) {
      const cls = roadClass(t.highway);
      const line = cls ? wayLine(data, way) : null;
      if (line) layers.roads!.push(feature(line, { class: cls, name: t.name ?? null, oneway: t.oneway === 'yes' }));
    } else if (t.natural === 'water' || t.waterway === 'riverbank' || t.leisure === 'marina' || t.natural === 'coastline' || t.waterway) {
      const g: Geometry | null = wayPolygon(data, way) ?? wayLine(data, way);
      if (g) layers.water!.push(feature(g, { kind: t.natural ?? t.waterway ?? t.leisure ?? 'water' }));
    } else if (GREEN.has(t.leisure ?? '') || GREEN.has(t.landuse ?? '') || GREEN.has(t.natural ?? '')) {
      const poly = wayPolygon(data, way);
      if (poly) layers.green!.push(feature(poly, { kind: t.leisure ?? t.landuse ?? t.natural ?? null }));
    } else if (t.railway === 'rail' || t.railway === 'light_rail') {
      const line = wayLine(data, way);
      if (line) layers.rail!.push(feature(line, {}));
    } else {
      const poly = wayPolygon(data, way);
      if (poly) addSite(`site:osm:way/${way.id}`, t, centroid(poly), areaM2(poly));
    }
  }
  // Multipolygons with courtyards: buildings, and named landmarks mapped only by their outline.
  for (const r of data.relations) {
    if (r.tags.type !== 'multipolygon') continue;
    const isBuilding = Boolean(r.tags.building) || (Boolean(r.tags.name) && !siteCategory(r.tags) && Object.keys(r.tags).length === 2);
    if (!isBuilding && !siteCategory(r.tags)) continue;
    const mp = relationMultiPolygon(data, r);
    if (!mp) continue;
    const tags = isBuilding ? { building: 'yes', ...r.tags } : r.tags;
    if (isBuilding) layers.buildings!.push(feature(mp.geometry, { id: `osm:relation/${r.id}`, name: r.tags.name ?? null, levels: levels(r.tags) }));
    addSite(`site:osm:relation/${r.id}`, tags, centroid(mp.geometry), areaM2(mp.geometry));
  }
  onProgress?.(total, total);

  // Named places without a boundary get a shape: their Voronoi cell in the city, official boundaries cut out.
  if (city?.geometry && city.geometry.type === 'MultiPolygon' && placesOnly.length > 0) {
    const cells = voronoiNeighbourhoods(
      placesOnly.map((x) => ({ id: x.id, position: x.center })),
      city.geometry,
      withShape.map((x) => x.geometry!),
      bboxOf(city.geometry),
    );
    for (const x of placesOnly) {
      const cell = cells.get(x.id);
      if (!cell) continue;
      x.geometry = cell;
      x.areaM2 = Math.round(areaM2(cell));
      x.derived = 'voronoi';
    }
  }
  // Place labels for the basemap: suburbs, quarters, squares and localities of the extract.
  for (const n of data.taggedNodes) {
    const place = n.tags.place;
    if (!n.tags.name || !place || !PLACE_KINDS.has(place)) continue;
    layers.places!.push(feature({ type: 'Point', coordinates: [round7(n.position[0]), round7(n.position[1])] }, { name: n.tags.name, kind: place }));
  }

  const all = [city, ...neighbourhoods].filter((a): a is NonNullable<typeof a> => a !== null);
  let bbox: BBox | null = city?.geometry ? bboxOf(city.geometry) : null;
  if (!bbox)
    for (const s of sites)
      bbox = bbox
        ? mergeBBox(bbox, [s.position[0], s.position[1], s.position[0], s.position[1]])
        : [s.position[0], s.position[1], s.position[0], s.position[1]];
  return {
    name: city?.name ?? all[0]?.name ?? 'City',
    city,
    neighbourhoods,
    sites,
    layers,
    bbox: bbox ?? data.bounds ?? [-180, -90, 180, 90],
  };
}

const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;

function feature(geometry: Polygon | LineString | Geometry, properties: Record<string, unknown>): Feature {
  return { type: 'Feature', geometry, properties };
}
