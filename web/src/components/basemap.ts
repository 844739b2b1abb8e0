import * as maplibregl from 'maplibre-gl';
import type { LngLatBoundsLike, StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { fontFaces, LABEL_FONT, LABEL_FONT_BOLD } from './map-fonts.js';
import { textIn } from '../i18n.js';
import { MAP_UI_TEXTS } from '../labels.js';

export { LABEL_FONT, LABEL_FONT_BOLD } from './map-fonts.js';

// The bundle lives in assets/; tell MapLibre where its worker was emitted.
maplibregl.setWorkerUrl(workerUrl);

/** Street names along the roads (from zoom 13, thinned by collision), under every data layer a page adds. */
export const STREET_LABELS = 'road-labels';
/** Neighbourhood and place names: always the topmost layer (see `raiseLabels`). */
export const PLACE_LABELS = 'place-labels';

const halo = { 'text-halo-color': '#ffffff', 'text-halo-width': 1.6 } as const;

/** MapLibre's control texts in the page's language (the app keeps it on <html lang>), for a map's `locale` option. */
export function mapLocale(): Record<string, string> {
  const lang = document.documentElement.lang || 'en';
  return Object.fromEntries(Object.entries(MAP_UI_TEXTS).map(([key, english]) => [key, textIn(lang, english)]));
}

/** The basemap is drawn from the city's own GeoJSON layers: no tile, glyph or sprite server. */
export function baseStyle(): StyleSpecification {
  const src = (layer: string) => ({ type: 'geojson' as const, data: `/api/city/basemap/${layer}` });
  return {
    version: 8,
    'font-faces': fontFaces(location.origin),
    sources: { green: src('green'), water: src('water'), roads: src('roads'), buildings: src('buildings'), rail: src('rail'), 'place-names': src('places') },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#e8ecef' } },
      { id: 'green', type: 'fill', source: 'green', paint: { 'fill-color': '#cfe8c6' } },
      { id: 'water-fill', type: 'fill', source: 'water', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#a9d3ee' } },
      { id: 'water-line', type: 'line', source: 'water', paint: { 'line-color': '#5fa8d3', 'line-width': 2 } },
      {
        id: 'roads-path',
        type: 'line',
        source: 'roads',
        filter: ['==', ['get', 'class'], 'path'],
        paint: { 'line-color': '#ffffff', 'line-width': 1, 'line-dasharray': [2, 1] },
      },
      {
        id: 'roads-minor',
        type: 'line',
        source: 'roads',
        filter: ['==', ['get', 'class'], 'minor'],
        paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 13, 1, 17, 6] },
      },
      {
        id: 'roads-primary',
        type: 'line',
        source: 'roads',
        filter: ['in', ['get', 'class'], ['literal', ['primary', 'major']]],
        paint: { 'line-color': '#f7d57a', 'line-width': ['interpolate', ['linear'], ['zoom'], 13, 2, 17, 10] },
      },
      { id: 'rail', type: 'line', source: 'rail', paint: { 'line-color': '#777', 'line-width': 1.5, 'line-dasharray': [3, 2] } },
      { id: 'buildings', type: 'fill', source: 'buildings', paint: { 'fill-color': '#c9c2b8', 'fill-outline-color': '#a89f94' } },
      {
        id: STREET_LABELS,
        type: 'symbol',
        source: 'roads',
        minzoom: 13,
        filter: ['all', ['to-boolean', ['get', 'name']], ['!=', ['get', 'class'], 'path']],
        layout: {
          'symbol-placement': 'line',
          'text-field': ['get', 'name'],
          'text-font': [LABEL_FONT],
          'text-size': ['interpolate', ['linear'], ['zoom'], 13, 10, 17, 13],
          'text-max-angle': 30,
          'symbol-spacing': 300,
        },
        paint: { 'text-color': '#3b3f45', ...halo },
      },
      {
        id: PLACE_LABELS,
        type: 'symbol',
        source: 'place-names',
        filter: ['!=', ['get', 'kind'], 'town'],
        layout: {
          'text-field': ['get', 'name'],
          'text-font': [LABEL_FONT_BOLD],
          'text-size': ['match', ['get', 'kind'], ['suburb', 'quarter', 'city', 'village'], 14, 12],
          'text-transform': ['match', ['get', 'kind'], ['suburb', 'quarter'], 'uppercase', 'none'],
          'text-letter-spacing': 0.08,
          'text-max-width': 8,
          'text-allow-overlap': false,
        },
        paint: { 'text-color': '#1d3557', 'text-halo-color': 'rgba(255,255,255,0.9)', 'text-halo-width': 2 },
      },
    ],
  };
}

/** Puts the place names back on top once a page has added its own layers. */
export function raiseLabels(map: maplibregl.Map): void {
  if (map.getLayer(PLACE_LABELS)) map.moveLayer(PLACE_LABELS);
}

type Coords = number[] | Coords[];
/** The bounding box of any GeoJSON geometries' coordinates, or null when there are none. */
export function boundsOf(geometries: readonly ({ coordinates: unknown } | null | undefined)[]): [number, number, number, number] | null {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: Coords): void => {
    if (typeof c[0] === 'number') {
      const [x, y] = c as number[];
      b[0] = Math.min(b[0], x!);
      b[1] = Math.min(b[1], y!);
      b[2] = Math.max(b[2], x!);
      b[3] = Math.max(b[3], y!);
    } else for (const x of c as Coords[]) walk(x);
  };
  for (const g of geometries) if (g && Array.isArray(g.coordinates)) walk(g.coordinates as Coords);
  return Number.isFinite(b[0]) ? b : null;
}

/** The frame each map was last given, kept while the user has not moved the map by hand. */
const frames = new WeakMap<maplibregl.Map, { bounds: [number, number, number, number]; maxZoom: number; padding: number }>();
const framing = new WeakSet<maplibregl.Map>();

function applyFrame(map: maplibregl.Map): void {
  const f = frames.get(map);
  if (!f) return;
  const el = map.getContainer();
  const pad = Math.max(8, Math.min(f.padding, Math.floor(Math.min(el.clientWidth, el.clientHeight) / 5)));
  // The legend laid over the map's foot (map-legend.tsx) and the layer switches over its head must not cover the subject.
  const over = (cls: string) => el.parentElement?.querySelector<HTMLElement>(`:scope > .${cls}`)?.offsetHeight ?? 0;
  const room = Math.max(0, el.clientHeight - 2 * pad - 120);
  const extraBottom = Math.min(over('map-legend'), room / 2);
  const extraTop = Math.min(over('map-layers'), room - extraBottom);
  map.fitBounds(f.bounds as LngLatBoundsLike, {
    padding: { top: pad + extraTop, right: pad, bottom: pad + extraBottom, left: pad },
    maxZoom: f.maxZoom,
    duration: 0,
  });
}

/**
 * Frames a map on its subject (an incident and its units' routes, an event's perimeter, a route):
 * every geometry in view with room for the controls and the legend, never closer than street level.
 * While the user has not panned or zoomed, a resized map (a phone turned, a panel opened) is framed again.
 */
export function fitTo(
  map: maplibregl.Map,
  geometries: readonly ({ coordinates: unknown } | null | undefined)[],
  opts: { padding?: number; maxZoom?: number } = {},
): boolean {
  const b = boundsOf(geometries);
  if (!b) return false;
  if (!framing.has(map)) {
    framing.add(map);
    map.on('resize', () => applyFrame(map));
    // A move the user started (it has an originalEvent) ends the automatic framing until the next fitTo.
    map.on('movestart', (e: { originalEvent?: unknown }) => {
      if (e.originalEvent) frames.delete(map);
    });
  }
  frames.set(map, { bounds: b, maxZoom: opts.maxZoom ?? 17, padding: opts.padding ?? 48 });
  applyFrame(map);
  map.getContainer().dataset.fitted = b.map((x) => x.toFixed(5)).join(',');
  return true;
}

/**
 * After each render, how many features of each group of layers are on screen, as
 * `data-rendered-<group>` on the map's container: what the browser tests (and anyone
 * inspecting the page) read to know the labels, clusters or markers were drawn.
 */
export function exposeRendered(map: maplibregl.Map, groups: Record<string, string[]> = {}): void {
  const all: Record<string, string[]> = { streets: [STREET_LABELS], places: [PLACE_LABELS], ...groups };
  map.on('idle', () => {
    const el = map.getContainer();
    el.setAttribute('data-layer-order', map.getLayersOrder().join(' '));
    for (const [name, ids] of Object.entries(all)) {
      const layers = ids.filter((id) => map.getLayer(id));
      const features = layers.length ? map.queryRenderedFeatures({ layers }) : [];
      el.setAttribute(`data-rendered-${name}`, String(features.length));
      // Where on screen the first of them is drawn (x,y in CSS pixels), so a test can click it as a user would.
      const first = features.find((f) => f.geometry.type === 'Point');
      if (first) {
        const at = map.project((first.geometry as GeoJSON.Point).coordinates as [number, number]);
        el.setAttribute(`data-point-${name}`, `${Math.round(at.x)},${Math.round(at.y)}`);
      } else el.removeAttribute(`data-point-${name}`);
    }
    // The place names on screen, so a test can tell a label in any script was drawn.
    const names = map.getLayer(PLACE_LABELS) ? map.queryRenderedFeatures({ layers: [PLACE_LABELS] }).map((f) => String(f.properties.name)) : [];
    el.setAttribute('data-place-names', [...new Set(names)].join('|'));
  });
}
