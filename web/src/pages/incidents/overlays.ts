import type { FeatureCollection } from 'geojson';
import type { LayerSpecification } from 'maplibre-gl';
import { api } from '../../api.js';
import type { Unit } from './types.js';

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
  id: 'closures', label: 'Road closures', refreshOn: ['routing.'], on: true,
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
  id: 'isochrones', label: 'Station isochrones (4/8/12 min)', refreshOn: ['routing.'], on: false,
  legend: [{ colour: '#12b76a', label: '4 min' }, { colour: '#fdb022', label: '8 min' }, { colour: '#f04438', label: '12 min' }],
  async load({ units }) {
    const stations = stationsOf(units);
    const bands = await Promise.all(stations.map((origin) => api<FeatureCollection>('/api/routing/isochrone', { body: { origin, minutes: [4, 8, 12] } }).catch(() => empty())));
    // Widest first so the 4-minute band stays on top.
    return { type: 'FeatureCollection', features: bands.flatMap((fc) => fc.features).sort((a, b) => Number(b.properties?.minutes) - Number(a.properties?.minutes)) };
  },
  layers: (source) => [
    { id: `${source}-fill`, type: 'fill', source, paint: { 'fill-color': ['step', ['get', 'minutes'], '#12b76a', 5, '#fdb022', 9, '#f04438'], 'fill-opacity': 0.18 } },
  ],
};

export const OVERLAYS: Overlay[] = [closures, isochrones];
