import type { GeneratedLabel } from './generated-label.js';
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
  /** A district defined by the neighbourhoods it groups (when no boundary of it is in the extract). */
  neighbourhoodIds?: string[];
  /** The shape is not an official boundary: 'voronoi' for the cell of a named place (see voronoi.ts). */
  derived?: 'voronoi';
}

export const SITE_CATEGORIES = [
  'fire-station',
  'police-station',
  'hospital',
  'clinic',
  'school',
  'town-hall',
  'public-venue',
  'hotel',
  'transport',
  'place-of-worship',
  'pharmacy',
  'emergency-equipment',
  'shelter',
  'building',
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
  /** OSM building type ('apartments', 'house', 'yes', …) when the site is a building. */
  buildingType: string | null;
  /** Estimated residents (see population.ts); null until a population estimate ran. */
  residents: number | null;
  source: string;
}

/** A part of a site that detectors report for: a floor, a wing, a fire compartment. */
export interface Zone {
  id: string;
  siteId: string;
  /** The zone number panels send (Contact ID ZZZ, SIA zone). */
  number: number;
  name: string;
  orgId: string;
}

export const DEVICE_KINDS = [
  'alarm-panel',
  'smoke-detector',
  'heat-detector',
  'motion-detector',
  'door-contact',
  'glass-break',
  'panic-button',
  'water-level-sensor',
  'gas-sensor',
  'camera',
  'siren',
  'loudspeaker',
  'noise-sensor',
  'cell-site',
  'people-counter',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Something installed in the city that reports or is commanded. */
export interface Device {
  id: string;
  kind: DeviceKind;
  label: string;
  siteId: string | null;
  zoneId: string | null;
  position: Position;
  /** Owning organisation (a MARC owns the panels it monitors; the city its sirens). */
  orgId: string;
  /** Alarm panels: the account they transmit with (SIA DC-09 / Contact ID). */
  account: string | null;
  /** How it reaches Vigil: 'sia-dc09', 'mqtt', 'http', or how Vigil reaches it. */
  protocol: 'sia-dc09' | 'contact-id' | 'mqtt' | 'http' | null;
  /** The device reporting for it (a detector's panel); a noise sensor's: the siren or loudspeaker it measures for. */
  parentId: string | null;
  /** Cell sites (one device per sector): the cell's global id and its radio coverage, which cell broadcast targets. */
  cell?: CellSector;
  /** What `label` is made of when Vigil generated it (the demo's devices): a screen words it in the reader's language. */
  labelParts?: GeneratedLabel | null;
}

export interface CellSector {
  /** E-UTRAN cell global id written MCC-MNC-ECI (ECI as 7 hex digits: eNB id and cell). */
  cellId: string;
  /** Coverage as a closed ring of [lon, lat]. */
  coverage: Position[];
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
  /** The extract as kept in the data folder (relative to it); absent in imports recorded before it was kept. */
  extract?: string;
}

export interface CityEvents {
  'city.import.started': { importId: string; file: string; bytes: number; sha256: string };
  'city.import.failed': { importId: string; problem: string };
  'city.area.defined': Area & { importId: string };
  'city.sites.registered': { importId: string; sites: Site[] };
  'city.import.completed': CityInfo;
  'city.zones.defined': { zones: Zone[] };
  'city.devices.registered': { devices: Device[] };
  'city.devices.removed': { deviceIds: string[] };
  /** An MQTT credential for a device or a unit's tracker ('device:<id>', 'unit:<id>'); only the secret's SHA-256 is kept. A new one replaces the old. */
  'city.mqtt-credential.issued': { subject: string; username: string; secretHash: string; issuedAt: string };
  'city.mqtt-credential.revoked': { subject: string };
  /** Residents per site, in parts; `part` 0 starts a new estimate. */
  'city.population.estimated': {
    estimateId: string;
    total: number;
    source: string;
    method: string;
    part: number;
    parts: number;
    residents: [string, number][];
  };
  /** Basemap layers travel in the log (in parts under the event size limit), so every node can serve them. */
  'city.basemap.published': { importId: string; layer: string; part: number; parts: number; features: unknown[] };
}
