import * as maplibregl from 'maplibre-gl';
import type { StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

// The bundle lives in assets/; tell MapLibre where its worker was emitted.
maplibregl.setWorkerUrl(workerUrl);

/** The basemap is drawn from the city's own GeoJSON layers: no tile, glyph or sprite server. */
export function baseStyle(): StyleSpecification {
  const src = (layer: string) => ({ type: 'geojson' as const, data: `/api/city/basemap/${layer}` });
  return {
    version: 8,
    sources: { green: src('green'), water: src('water'), roads: src('roads'), buildings: src('buildings'), rail: src('rail') },
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
    ],
  };
}
