import { useEffect, useEffectEvent, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { FeatureCollection, Polygon, MultiPolygon } from 'geojson';
import { baseStyle, fitTo, mapLocale } from './basemap.js';
import { ALERT_AREA_COLOUR, ALERT_AREA_OUTLINE, MapLegend } from './map-legend.js';
import { useT } from '../i18n.js';
import { outerRing } from '../../../src/alerts/contract.js';

/** [lon, lat] pairs of an open ring (the first point is not repeated). */
export type Ring = [number, number][];

interface AreaFeature {
  id: string;
  name: string;
  level: string;
  geometry: Polygon | MultiPolygon | { type: 'Point' };
}

// Shared with the server, which turns a neighbourhood into the same polygon for early-warning drafts.
export { ringToCapPolygon } from '../../../src/alerts/contract.js';

/**
 * The target area of an alert, drawn on the city's own map: click to add corners,
 * or take a neighbourhood's boundary. Shows the polygon as it will be sent.
 */
export function AreaDrawMap({
  ring,
  onChange,
  areaLabel = 'Alert area',
}: {
  ring: Ring;
  onChange: (ring: Ring, name: string | null) => void;
  /** What the drawn area is, for the legend (an alert's target area unless said otherwise). */
  areaLabel?: string;
}) {
  const t = useT();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  // The latest ring and onChange, for the map's listeners (the map is created once).
  const drawLatest = useEffectEvent((map: maplibregl.Map) => draw(map, ring));
  // An area given before the map loaded (a draft opened again) is brought into view.
  const frameLatest = useEffectEvent((map: maplibregl.Map) => {
    if (ring.length >= 3) fitTo(map, [{ coordinates: ring }], { padding: 30 });
  });
  const addCorner = useEffectEvent((corner: [number, number]) => onChange([...ring, corner], null));
  const [areas, setAreas] = useState<AreaFeature[]>([]);

  useEffect(() => {
    fetch('/api/city/areas', { credentials: 'same-origin' })
      .then((r) => r.json() as Promise<FeatureCollection>)
      .then((fc) =>
        setAreas(
          fc.features
            .filter((f) => f.geometry.type !== 'Point')
            .map((f) => ({
              id: String(f.id),
              name: String(f.properties?.name ?? f.id),
              level: String(f.properties?.level ?? ''),
              geometry: f.geometry as AreaFeature['geometry'],
            })),
        ),
      )
      .catch(() => setAreas([]));
  }, []);

  useEffect(() => {
    if (!container.current) return;
    const map = new maplibregl.Map({
      locale: mapLocale(),
      container: container.current,
      style: baseStyle(),
      center: [7.4212, 43.7384],
      zoom: 13.5,
      attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors' },
    });
    mapRef.current = map;
    map.on('load', () => {
      map.addSource('target', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({
        id: 'target-fill',
        type: 'fill',
        source: 'target',
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': ALERT_AREA_COLOUR, 'fill-opacity': 0.25 },
      });
      map.addLayer({ id: 'target-line', type: 'line', source: 'target', paint: { 'line-color': ALERT_AREA_OUTLINE, 'line-width': 2 } });
      map.addLayer({
        id: 'target-points',
        type: 'circle',
        source: 'target',
        filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-radius': 4, 'circle-color': ALERT_AREA_OUTLINE },
      });
      drawLatest(map);
      frameLatest(map);
      container.current?.setAttribute('data-loaded', 'true');
    });
    map.on('click', (e) => addCorner([e.lngLat.lng, e.lngLat.lat]));
    return () => map.remove();
  }, []);

  useEffect(() => {
    // The source exists once the style has loaded; before that, 'load' draws the latest ring.
    if (mapRef.current?.getSource('target')) draw(mapRef.current, ring);
  }, [ring]);

  return (
    <div className="area-draw">
      <div className="row">
        <select
          aria-label={t('Neighbourhood')}
          value=""
          onChange={(e) => {
            const area = areas.find((a) => a.id === e.target.value);
            const r = area && outerRing(area.geometry);
            if (area && r) {
              onChange(r, area.name);
              if (mapRef.current) fitTo(mapRef.current, [{ coordinates: r }], { padding: 30 });
            }
          }}
        >
          <option value="">{t("Use an area's boundary…")}</option>
          {areas.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.level})
            </option>
          ))}
        </select>
        <button type="button" onClick={() => onChange(ring.slice(0, -1), null)} disabled={ring.length === 0}>
          {t('Undo corner')}
        </button>
        <button type="button" onClick={() => onChange([], null)} disabled={ring.length === 0}>
          {t('Clear')}
        </button>
        <span className="muted small" data-testid="area-points">
          {t('{n} corners').replace('{n}', String(ring.length))}
          {ring.length > 0 && ring.length < 3 ? ` ${t('(at least 3)')}` : ''}
        </span>
      </div>
      <div className="map-frame">
        <div ref={container} className="site-map area-map" data-testid="area-map" />
        <MapLegend
          testId="area-map-legend"
          items={[
            { colour: ALERT_AREA_COLOUR, label: areaLabel, shape: 'area' },
            { colour: ALERT_AREA_OUTLINE, label: 'Corner' },
          ]}
        />
      </div>
    </div>
  );
}

function draw(map: maplibregl.Map, ring: Ring): void {
  const source = map.getSource('target') as maplibregl.GeoJSONSource | undefined;
  if (!source) return;
  const features: GeoJSON.Feature[] = ring.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {} }));
  if (ring.length >= 3) features.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]!]] }, properties: {} });
  else if (ring.length === 2) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: ring }, properties: {} });
  source.setData({ type: 'FeatureCollection', features });
}
