import { useEffect, useMemo, useRef } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { LngLatBoundsLike } from 'maplibre-gl';
import type { Feature, Polygon } from 'geojson';
import { baseStyle, fitTo, mapLocale } from './basemap.js';
import { ALERT_AREA_COLOUR, ALERT_AREA_OUTLINE, MapLegend } from './map-legend.js';
import { useT } from '../i18n.js';

type Ring = [number, number][];
interface CapAreaLike {
  areaDesc: string;
  polygon?: string[];
  circle?: string[];
}

/** CAP "lat,lon lat,lon …" as a [lon, lat] ring. */
export function polygonRing(polygon: string): Ring {
  return polygon
    .trim()
    .split(/\s+/)
    .map((pair) => {
      const [lat, lon] = pair.split(',').map(Number);
      return [lon!, lat!] as [number, number];
    })
    .filter(([lon, lat]) => Number.isFinite(lon) && Number.isFinite(lat));
}

/** CAP "lat,lon radiusKm" as a 48-corner ring. */
export function circleRing(circle: string): Ring {
  const [centre, radius] = circle.trim().split(/\s+/);
  const [lat, lon] = (centre ?? '').split(',').map(Number);
  const km = Number(radius);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || !Number.isFinite(km)) return [];
  const ring: Ring = [];
  for (let i = 0; i <= 48; i++) {
    const a = (i / 48) * 2 * Math.PI;
    ring.push([lon! + ((km / 111.32) * Math.cos(a)) / Math.cos((lat! * Math.PI) / 180), lat! + (km / 110.57) * Math.sin(a)]);
  }
  return ring;
}

/**
 * The alert's target area on the city's map, fitted to it. Who it reaches is the server's
 * estimate (GET /api/alerts/:id/reach, shown beside it by AlertReview).
 */
export function AlertAreaMap({ areas }: { areas: CapAreaLike[] }) {
  const t = useT();
  const container = useRef<HTMLDivElement>(null);
  // Keyed on the shapes' text, not the array: the parent passes a new array on every render (the reach arriving,
  // a live update), and a new map each time would drop the area drawn on the last one before it loaded.
  const shapes = JSON.stringify(areas.map((a) => [a.polygon ?? [], a.circle ?? []]));
  const rings = useMemo(
    () =>
      (JSON.parse(shapes) as [string[], string[]][])
        .flatMap(([polygons, circles]) => [...polygons.map(polygonRing), ...circles.map(circleRing)])
        .filter((r) => r.length >= 3),
    [shapes],
  );
  useEffect(() => {
    if (!container.current || rings.length === 0) return;
    const all = rings.flat();
    const bounds: LngLatBoundsLike = [
      [Math.min(...all.map((p) => p[0])), Math.min(...all.map((p) => p[1]))],
      [Math.max(...all.map((p) => p[0])), Math.max(...all.map((p) => p[1]))],
    ];
    const map = new maplibregl.Map({
      locale: mapLocale(),
      container: container.current,
      style: baseStyle(),
      bounds,
      fitBoundsOptions: { padding: 30, maxZoom: 17 },
      attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors (ODbL)' },
    });
    map.on('load', () => {
      const features: Feature<Polygon>[] = rings.map((r) => ({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[...r, r[0]!]] } }));
      map.addSource('alert-area', { type: 'geojson', data: { type: 'FeatureCollection', features } });
      map.addLayer({ id: 'alert-area-fill', type: 'fill', source: 'alert-area', paint: { 'fill-color': ALERT_AREA_COLOUR, 'fill-opacity': 0.2 } });
      map.addLayer({ id: 'alert-area-line', type: 'line', source: 'alert-area', paint: { 'line-color': ALERT_AREA_OUTLINE, 'line-width': 2 } });
      // Framed again with room for the legend over the map's foot, and on a resize.
      fitTo(
        map,
        features.map((f) => f.geometry),
        { padding: 30 },
      );
    });
    return () => map.remove();
  }, [rings]);

  if (rings.length === 0) return <p className="muted small">{t('This alert names its area without a drawn shape.')}</p>;
  return (
    <div className="alert-area" data-testid="alert-area">
      <div className="map-frame">
        <div ref={container} className="alert-area-map" />
        <MapLegend testId="alert-area-legend" items={[{ colour: ALERT_AREA_COLOUR, label: 'Alert area', shape: 'area' }]} />
      </div>
    </div>
  );
}
