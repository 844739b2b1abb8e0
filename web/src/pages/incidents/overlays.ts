import type { FeatureCollection } from 'geojson';
import type { LayerSpecification } from 'maplibre-gl';
import { api } from '../../api.js';
import type { Unit } from './types.js';
import { CITIZEN_REPORT_COLOUR, CROWD_COLOURS, EVENT_COLOURS } from '../../components/map-legend.js';

/**
 * What the command map can lay over incidents and units. Each overlay loads its own
 * GeoJSON from the API (refreshed when its capability's events arrive on the live feed)
 * and draws it with its own layers, under the incidents and units.
 */
export interface Overlay {
  id: string;
  label: string;
  /** Event types (prefixes) that make the overlay reload. */
  refreshOn: string[];
  /** Shown by default. */
  on: boolean;
  load(ctx: { units: Unit[] }): Promise<FeatureCollection>;
  layers(source: string): LayerSpecification[];
  legend: { colour: string; label: string }[];
  /** Roles whose API answers this overlay (absent: every role that sees the map); others do not load it. */
  roles?: readonly string[];
}

type Pos = [number, number];
const empty = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

/** Distinct home stations of the units (rounded to ~10 m), at most `max`. */
export function stationsOf(units: Unit[], max = 8): Pos[] {
  const seen = new Map<string, Pos>();
  for (const u of units) {
    const key = `${u.homePosition[0].toFixed(4)},${u.homePosition[1].toFixed(4)}`;
    if (!seen.has(key)) seen.set(key, u.homePosition);
  }
  return [...seen.values()].slice(0, max);
}

const closures: Overlay = {
  id: 'closures',
  label: 'Road closures',
  refreshOn: ['routing.'],
  on: true,
  legend: [{ colour: '#d92d20', label: 'closed' }],
  async load() {
    const r = await api<{ closures: { geometry: { type: string; coordinates: unknown } }[] }>('/api/routing/closures');
    return { type: 'FeatureCollection', features: r.closures.map((c) => ({ type: 'Feature', properties: {}, geometry: c.geometry as never })) };
  },
  layers: (source) => [
    { id: `${source}-fill`, type: 'fill', source, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#d92d20', 'fill-opacity': 0.15 } },
    { id: `${source}-line`, type: 'line', source, paint: { 'line-color': '#d92d20', 'line-width': 4, 'line-dasharray': [1, 1] } },
  ],
};

/** What the units' stations reach in 4, 8 and 12 minutes on the car graph with live traffic and closures. */
const isochrones: Overlay = {
  id: 'isochrones',
  label: 'Station isochrones (4/8/12 min)',
  refreshOn: ['routing.'],
  on: false,
  legend: [
    { colour: '#12b76a', label: '4 min' },
    { colour: '#fdb022', label: '8 min' },
    { colour: '#f04438', label: '12 min' },
  ],
  async load({ units }) {
    const stations = stationsOf(units);
    const bands = await Promise.all(
      stations.map((origin) => api<FeatureCollection>('/api/routing/isochrone', { body: { origin, minutes: [4, 8, 12] } }).catch(() => empty())),
    );
    // Widest first so the 4-minute band stays on top.
    return {
      type: 'FeatureCollection',
      features: bands.flatMap((fc) => fc.features).sort((a, b) => Number(b.properties?.minutes) - Number(a.properties?.minutes)),
    };
  },
  layers: (source) => [
    {
      id: `${source}-fill`,
      type: 'fill',
      source,
      paint: { 'fill-color': ['step', ['get', 'minutes'], '#12b76a', 5, '#fdb022', 9, '#f04438'], 'fill-opacity': 0.1 },
    },
  ],
};

const KIND_COLOUR = EVENT_COLOURS;

/** The features of the major events under way or coming, as far as the caller's clearance shows them. */
const eventZones: Overlay = {
  id: 'events',
  label: 'Major events',
  roles: ['commander', 'responder', 'supervisor', 'operator', 'admin'],
  refreshOn: ['majorevents.'],
  on: true,
  legend: [
    { colour: KIND_COLOUR.perimeter!, label: 'perimeter' },
    { colour: KIND_COLOUR.zone!, label: 'zone' },
    { colour: KIND_COLOUR['evacuation-route']!, label: 'evacuation route' },
    { colour: KIND_COLOUR['first-aid']!, label: 'first aid' },
  ],
  async load() {
    const list = await api<{ events: { eventId: string; name: string; status: string }[] }>('/api/events').catch(() => ({ events: [] }));
    const views = await Promise.all(
      list.events
        .filter((e) => e.status !== 'ended')
        .map((e) =>
          api<{ features: { featureId: string; kind: string; name: string; geometry: { type: string; coordinates: unknown } }[] }>(`/api/events/${e.eventId}`)
            .then((v) => ({ e, v }))
            .catch(() => null),
        ),
    );
    return {
      type: 'FeatureCollection',
      features: views.flatMap((x) =>
        x
          ? x.v.features.map((f) => ({
              type: 'Feature' as const,
              geometry: f.geometry as never,
              properties: { kind: f.kind, name: f.name, event: x.e.name, colour: KIND_COLOUR[f.kind] ?? '#667085' },
            }))
          : [],
      ),
    };
  },
  layers: (source) => [
    {
      id: `${source}-fill`,
      type: 'fill',
      source,
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': ['case', ['==', ['get', 'kind'], 'perimeter'], 0.04, 0.12] },
    },
    {
      id: `${source}-line`,
      type: 'line',
      source,
      paint: {
        'line-color': ['get', 'colour'],
        'line-width': ['case', ['==', ['get', 'kind'], 'evacuation-route'], 4, 2],
        'line-dasharray': ['literal', [3, 1]],
      },
    },
    {
      id: `${source}-point`,
      type: 'circle',
      source,
      filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-color': ['get', 'colour'], 'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 },
    },
  ],
};

const LEVEL_COLOUR = CROWD_COLOURS;

/** Crowd zones coloured by their density level, with the density in persons per m². */
const crowdDensity: Overlay = {
  id: 'crowd',
  label: 'Crowd density',
  roles: ['operator', 'supervisor', 'commander', 'responder', 'admin'],
  refreshOn: ['crowd.'],
  on: true,
  legend: Object.entries(LEVEL_COLOUR).map(([label, colour]) => ({ colour, label })),
  async load() {
    const r = await api<{
      zones: { zoneId: string; name: string; polygon: { type: 'Polygon'; coordinates: unknown }; density: number; level: keyof typeof LEVEL_COLOUR }[];
    }>('/api/crowd').catch(() => ({ zones: [] }));
    return {
      type: 'FeatureCollection',
      features: r.zones.map((z) => ({
        type: 'Feature' as const,
        geometry: z.polygon as never,
        properties: { name: z.name, level: z.level, density: z.density, colour: LEVEL_COLOUR[z.level] ?? '#667085' },
      })),
    };
  },
  layers: (source) => [
    {
      id: `${source}-fill`,
      type: 'fill',
      source,
      paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': ['case', ['==', ['get', 'level'], 'normal'], 0.2, 0.45] },
    },
    { id: `${source}-line`, type: 'line', source, paint: { 'line-color': ['get', 'colour'], 'line-width': 2 } },
  ],
};

const ED_COLOUR: Record<string, string> = { Normal: '#12b76a', Advisory: '#f79009', Closed: '#d92d20', NotApplicable: '#98a2b3' };
/** An emergency department's status (EDXL-HAVE) in words, as the legend says it; the hospital popup's line. */
export const ED_WORDS: Record<string, string> = { Normal: 'ED open', Advisory: 'ED advisory', Closed: 'ED closed' };

/** Hospitals as they last reported (EDXL-HAVE): emergency department status by colour, larger with more beds free. */
const hospitals: Overlay = {
  id: 'hospitals',
  label: 'Hospitals (beds)',
  roles: ['commander', 'supervisor', 'operator', 'responder', 'admin'],
  refreshOn: ['exchange.hospitals.'],
  on: true,
  legend: [
    { colour: ED_COLOUR.Normal!, label: 'ED open' },
    { colour: ED_COLOUR.Advisory!, label: 'ED advisory' },
    { colour: ED_COLOUR.Closed!, label: 'ED closed' },
  ],
  async load() {
    const r = await api<{
      hospitals: { hospitalId: string; name: string; position: Pos | null; edStatus: string; beds: { type: string; available: number }[] }[];
    }>('/api/exchange/hospitals').catch(() => ({ hospitals: [] }));
    return {
      type: 'FeatureCollection',
      features: r.hospitals
        .filter((h) => h.position !== null)
        .map((h) => {
          const free = h.beds.reduce((n, b) => n + b.available, 0);
          return {
            type: 'Feature',
            properties: { name: h.name, edStatus: h.edStatus, free, beds: h.beds.map((b) => `${b.type} ${b.available}`).join(', ') },
            geometry: { type: 'Point', coordinates: h.position! },
          };
        }),
    };
  },
  layers: (source) => [
    {
      id: `${source}-circle`,
      type: 'circle',
      source,
      paint: {
        'circle-color': [
          'match',
          ['get', 'edStatus'],
          'Normal',
          ED_COLOUR.Normal!,
          'Advisory',
          ED_COLOUR.Advisory!,
          'Closed',
          ED_COLOUR.Closed!,
          ED_COLOUR.NotApplicable!,
        ],
        'circle-radius': ['interpolate', ['linear'], ['get', 'free'], 0, 6, 50, 14],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
  ],
};

/** Open citizen reports the user's organisation triages or is shared (Open311): where people see a problem now. */
const citizenReports: Overlay = {
  id: 'citizen-reports',
  label: 'Citizen reports (open)',
  roles: ['operator', 'supervisor', 'commander', 'responder', 'admin'],
  refreshOn: ['citizen-reports.'],
  on: true,
  legend: [{ colour: CITIZEN_REPORT_COLOUR, label: 'open report' }],
  async load() {
    const r = await api<{ reports: { reportId: string; serviceName: string; position: Pos; address: string | null; status: string }[] }>(
      '/api/citizen-reports?open=true',
    ).catch(() => ({ reports: [] }));
    return {
      type: 'FeatureCollection',
      features: r.reports.map((c) => ({
        type: 'Feature',
        properties: { name: c.serviceName, address: c.address ?? '', status: c.status },
        geometry: { type: 'Point', coordinates: c.position },
      })),
    };
  },
  layers: (source) => [
    {
      id: `${source}-circle`,
      type: 'circle',
      source,
      paint: { 'circle-color': CITIZEN_REPORT_COLOUR, 'circle-radius': 6, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
    },
  ],
};

export const OVERLAYS: Overlay[] = [eventZones, crowdDensity, closures, isochrones, hospitals, citizenReports];
