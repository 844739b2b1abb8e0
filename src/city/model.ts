import type { BBox, MultiPolygon, Position } from '../kernel/geo.js';

export type AreaLevel = 'city' | 'district' | 'neighbourhood';

/** An administrative or statistical area of the city: what the cockpit aggregates over. */
export interface Area {
  id: string;
  name: string;
  level: AreaLevel;
  /** Null for a neighbourhood known only as a named place (OSM place=suburb node without boundary). */
  geometry: MultiPolygon | null;
  center: Position;
  areaM2: number | null;
  /** The boundary was cut open in the extract and closed across a small gap. */
  repaired: boolean;
  source: string;
  orgId: string;
}

export const SITE_CATEGORIES = [
  'fire-station', 'police-station', 'hospital', 'clinic', 'school', 'town-hall', 'public-venue', 'hotel',
  'transport', 'place-of-worship', 'pharmacy', 'emergency-equipment', 'shelter', 'building',
] as const;
export type SiteCategory = (typeof SITE_CATEGORIES)[number];

/** A premise: a building or a point of interest where alarms, incidents and KPIs attach. */
export interface Site {
  id: string;
  name: string | null;
  category: SiteCategory;
  position: Position;
  footprintM2: number | null;
  levels: number | null;
  address: string | null;
  /** Smallest area containing it (neighbourhood), or the city. */
  areaId: string | null;
  source: string;
}

export interface CityInfo {
  importId: string;
  name: string;
  orgId: string;
  bbox: BBox;
  center: Position;
  importedAt: string;
  source: string;
  counts: Record<string, number>;
  layers: Record<string, number>;
}

export interface CityEvents {
  'city.import.started': { importId: string; file: string; bytes: number; sha256: string };
  'city.import.failed': { importId: string; problem: string };
  'city.area.defined': Area & { importId: string };
  'city.sites.registered': { importId: string; sites: Site[] };
  'city.import.completed': CityInfo;
  /** Basemap layers travel in the log (in parts under the event size limit), so every node can serve them. */
  'city.basemap.published': { importId: string; layer: string; part: number; parts: number; features: unknown[] };
}
