import { useEffect, useEffectEvent, useRef } from 'react';
import * as maplibregl from 'maplibre-gl';
import { baseStyle, mapLocale } from '../components/basemap.js';
import {
  ALERT_AREA_COLOUR,
  ALERT_AREA_OUTLINE,
  ALERT_NEARBY_COLOUR,
  ALERT_NEARBY_OUTLINE,
  MapLegend,
  PLACE_COLOURS,
  REPORT_STATE_COLOURS,
  type LegendItem,
} from '../components/map-legend.js';
import type { Place, PlaceKind } from './device.js';

/** A report or other point drawn on the map (open: orange, closed: green). */
export interface MapPoint {
  id: string;
  lat: number;
  lon: number;
  open: boolean;
}

export interface MapArea {
  id: string;
  covers: boolean;
  geometry: GeoJSON.MultiPolygon;
}

const PLACE_COLOUR: Record<PlaceKind, string> = PLACE_COLOURS;
const PLACE_LABEL: Record<PlaceKind, string> = { last: 'Where I am', home: 'Home', work: 'Work' };

/**
 * The city's own map (basemap served by Vigil): the person's places as dots, alert
 * areas in red (covering them) or orange; a tap reports where it landed.
 */
export function CitizenMap({
  places,
  areas = [],
  points = [],
  onTap,
  testId,
}: {
  places: Partial<Record<PlaceKind, Place>>;
  areas?: MapArea[];
  points?: MapPoint[];
  onTap?: (p: Place) => void;
  testId: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  // The latest places, areas and tap handler, for the map's listeners (the map is created once).
  const drawLatest = useEffectEvent((map: maplibregl.Map) => {
    draw(map, places, areas, points);
    frame(map, places, areas, points);
  });
  const tapped = useEffectEvent((p: Place) => onTap?.(p));

  useEffect(() => {
    if (!container.current) return;
    const first = Object.values(places)[0];
    const map = new maplibregl.Map({
      locale: mapLocale(),
      container: container.current,
      style: baseStyle(),
      center: first ? [first.lon, first.lat] : [7.4212, 43.7384],
      zoom: first ? 14.5 : 13.2,
      attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors' },
      cooperativeGestures: false,
    });
    mapRef.current = map;
    map.on('load', () => {
      map.addSource('areas', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({
        id: 'areas-fill',
        type: 'fill',
        source: 'areas',
        paint: { 'fill-color': ['case', ['get', 'covers'], ALERT_AREA_COLOUR, ALERT_NEARBY_COLOUR], 'fill-opacity': 0.25 },
      });
      map.addLayer({
        id: 'areas-line',
        type: 'line',
        source: 'areas',
        paint: { 'line-color': ['case', ['get', 'covers'], ALERT_AREA_OUTLINE, ALERT_NEARBY_OUTLINE], 'line-width': 2 },
      });
      map.addSource('points', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({
        id: 'points',
        type: 'circle',
        source: 'points',
        paint: {
          'circle-radius': 6,
          'circle-color': ['case', ['get', 'open'], REPORT_STATE_COLOURS.open, REPORT_STATE_COLOURS.closed],
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 2,
        },
      });
      map.addSource('places', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({
        id: 'places',
        type: 'circle',
        source: 'places',
        paint: { 'circle-radius': 8, 'circle-color': ['get', 'colour'], 'circle-stroke-color': '#fff', 'circle-stroke-width': 3 },
      });
      drawLatest(map);
      // Loaded once every layer has drawn (tests and screenshots wait for it).
      map.once('idle', () => container.current?.setAttribute('data-loaded', 'true'));
    });
    map.on('click', (e) => tapped({ lat: Number(e.lngLat.lat.toFixed(6)), lon: Number(e.lngLat.lng.toFixed(6)) }));
    return () => map.remove();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the map is created once (places only set its first view); the effect below redraws
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (!map?.getSource('places')) return;
    draw(map, places, areas, points);
    frame(map, places, areas, points);
  }, [places, areas, points]);

  // The legend names only what this map shows (the same colours as the staff maps' alert areas).
  const legend: LegendItem[] = [
    ...(areas.some((a) => a.covers) ? [{ colour: ALERT_AREA_COLOUR, label: 'Alert where you are', shape: 'area' as const }] : []),
    ...(areas.some((a) => !a.covers) ? [{ colour: ALERT_NEARBY_COLOUR, label: 'Alert nearby', shape: 'area' as const }] : []),
    ...(points.some((p) => p.open) ? [{ colour: REPORT_STATE_COLOURS.open, label: 'Report being handled' }] : []),
    ...(points.some((p) => !p.open) ? [{ colour: REPORT_STATE_COLOURS.closed, label: 'Report closed' }] : []),
    ...(Object.keys(places) as PlaceKind[]).map((k) => ({ colour: PLACE_COLOUR[k], label: PLACE_LABEL[k] })),
  ];
  return (
    <div className="map-frame citizen-map-frame">
      <div ref={container} className="citizen-map" data-testid={testId} />
      {legend.length > 0 && <MapLegend testId={`${testId}-legend`} items={legend} />}
    </div>
  );
}

/**
 * Brings into view what the person must see: their places and the areas that cover
 * them (all areas when none does). Only when something of it is out of view, so a
 * tap on the map does not move it.
 */
function frame(map: maplibregl.Map, places: Partial<Record<PlaceKind, Place>>, areas: MapArea[], dots: MapPoint[] = []): void {
  const covering = areas.filter((a) => a.covers);
  const points: [number, number][] = [
    ...Object.values(places).map((p): [number, number] => [p.lon, p.lat]),
    ...dots.map((p): [number, number] => [p.lon, p.lat]),
    ...(covering.length > 0 ? covering : areas).flatMap((a) =>
      a.geometry.coordinates.flatMap((poly) => poly[0] ?? []).map((c): [number, number] => [c[0]!, c[1]!]),
    ),
  ];
  if (points.length === 0) return;
  const view = map.getBounds();
  if (points.every((p) => view.contains(p))) return;
  const b = points.reduce((acc, p) => acc.extend(p), new maplibregl.LngLatBounds(points[0]!, points[0]!));
  // Clear of the legend over the map's foot.
  const legend = map.getContainer().parentElement?.querySelector<HTMLElement>(':scope > .map-legend')?.offsetHeight ?? 0;
  map.fitBounds(b, { padding: { top: 40, right: 40, left: 40, bottom: 40 + Math.min(legend, 80) }, maxZoom: 15, duration: 0 });
}

function draw(map: maplibregl.Map, places: Partial<Record<PlaceKind, Place>>, areas: MapArea[], points: MapPoint[] = []): void {
  (map.getSource('points') as maplibregl.GeoJSONSource | undefined)?.setData({
    type: 'FeatureCollection',
    features: points.map((p) => ({ type: 'Feature', id: p.id, geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { open: p.open } })),
  });
  (map.getSource('places') as maplibregl.GeoJSONSource | undefined)?.setData({
    type: 'FeatureCollection',
    features: Object.entries(places).map(([kind, p]) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      properties: { kind, colour: PLACE_COLOUR[kind as PlaceKind] },
    })),
  });
  (map.getSource('areas') as maplibregl.GeoJSONSource | undefined)?.setData({
    type: 'FeatureCollection',
    features: areas.map((a) => ({ type: 'Feature', id: a.id, geometry: a.geometry, properties: { covers: a.covers } })),
  });
}
