import { useEffect, useEffectEvent, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import { baseStyle, exposeRendered, fitTo, raiseLabels, mapLocale } from '../../components/basemap.js';
import { EVENT_COLOURS, MapLegend, colourBy } from '../../components/map-legend.js';
import type { EventFeature, GuidanceView } from './types.js';

/** Colours per feature kind: the shared map legend's (the legend over the map uses the same). */
export const KIND_COLOURS = EVENT_COLOURS;

/**
 * An event's map: its features as the caller may see them, guidance lines, and the
 * shape being drawn (click to add points). `focus` flies to a feature (links in messages).
 */
export function EventMap({
  features,
  guidance,
  drawing,
  onClick,
  focus,
}: {
  features: EventFeature[];
  guidance: GuidanceView[];
  drawing: [number, number][];
  onClick: ((p: [number, number]) => void) | null;
  focus: string | null;
}) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const [loaded, setLoaded] = useState(false);
  // The latest shapes and click handler, for the map's listeners (the map is created once).
  const renderLatest = useEffectEvent((map: maplibregl.Map) => render(map, features, guidance, drawing, null));
  const clicked = useEffectEvent((p: [number, number]) => onClick?.(p));

  useEffect(() => {
    if (!container.current) return;
    const map = new maplibregl.Map({
      locale: mapLocale(),
      container: container.current,
      style: baseStyle(),
      center: [7.4215, 43.7335],
      zoom: 14.3,
      attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors' },
    });
    mapRef.current = map;
    map.on('load', () => {
      map.addSource('features', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addSource('drawing', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      const colour = colourBy('kind', EVENT_COLOURS);
      map.addLayer({
        id: 'f-fill',
        type: 'fill',
        source: 'features',
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': colour, 'fill-opacity': ['case', ['==', ['get', 'kind'], 'perimeter'], 0.06, 0.3] },
      });
      map.addLayer({
        id: 'f-line',
        type: 'line',
        source: 'features',
        filter: ['!=', ['geometry-type'], 'Point'],
        paint: {
          'line-color': colour,
          'line-width': ['case', ['==', ['get', 'kind'], 'guidance'], 5, 3],
          'line-dasharray': ['case', ['==', ['get', 'kind'], 'evacuation-route'], ['literal', [2, 1]], ['literal', [1, 0]]],
        },
      });
      map.addLayer({
        id: 'f-point',
        type: 'circle',
        source: 'features',
        filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-radius': ['case', ['get', 'focused'], 11, 7], 'circle-color': colour, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
      });
      map.addLayer({ id: 'd-line', type: 'line', source: 'drawing', paint: { 'line-color': '#101828', 'line-width': 2, 'line-dasharray': [1, 1] } });
      map.addLayer({
        id: 'd-point',
        type: 'circle',
        source: 'drawing',
        filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-radius': 4, 'circle-color': '#101828' },
      });
      raiseLabels(map);
      exposeRendered(map, { features: ['f-fill', 'f-line', 'f-point'] });
      renderLatest(map);
      container.current?.setAttribute('data-loaded', 'true');
      setLoaded(true);
    });
    map.on('click', (e) => clicked([Number(e.lngLat.lng.toFixed(6)), Number(e.lngLat.lat.toFixed(6))]));
    return () => map.remove();
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (map?.getSource('features')) render(map, features, guidance, drawing, focus);
  }, [features, guidance, drawing, focus]);

  // Framed on the event: its perimeter (else all its features), once per event shown, then left to the user.
  const framed = useRef<string | null>(null);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded || features.length === 0) return;
    const perimeter = features.filter((f) => f.kind === 'perimeter');
    const subject = perimeter.length > 0 ? perimeter : features;
    const key = subject.map((f) => f.featureId).join(',');
    if (framed.current === key) return;
    if (
      fitTo(
        map,
        subject.map((f) => f.geometry),
        { padding: 40 },
      )
    )
      framed.current = key;
  }, [features, loaded]);

  useEffect(() => {
    const f = features.find((x) => x.featureId === focus);
    const map = mapRef.current;
    if (!f || !map) return;
    const pts = f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.type === 'LineString' ? f.geometry.coordinates : f.geometry.coordinates[0]!;
    const b = pts.reduce((acc, p) => acc.extend(p as [number, number]), new maplibregl.LngLatBounds(pts[0] as [number, number], pts[0] as [number, number]));
    map.fitBounds(b, { padding: 60, maxZoom: 17, duration: 0 });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- fly to a feature when the focus changes, not each time the features update
  }, [focus]);

  // MapLibre adds classes to its container: React must never rewrite that element's className.
  const kinds = Object.keys(EVENT_COLOURS).filter((k) => k !== 'guidance' && features.some((f) => f.kind === k));
  return (
    <div className={`map-frame${onClick ? ' drawing' : ''}`}>
      <div ref={container} className="site-map event-map" data-testid="event-map" />
      <MapLegend
        testId="event-map-legend"
        items={[
          ...kinds.map((k) => ({
            colour: EVENT_COLOURS[k]!,
            label: `kind:${k}`,
            shape: k === 'evacuation-route' ? ('line' as const) : k === 'perimeter' || k === 'zone' ? ('area' as const) : ('dot' as const),
          })),
          ...(guidance.length > 0 ? [{ colour: EVENT_COLOURS.guidance!, label: 'Guidance', shape: 'line' as const }] : []),
        ]}
      />
    </div>
  );
}

function render(map: maplibregl.Map, features: EventFeature[], guidance: GuidanceView[], drawing: [number, number][], focus: string | null): void {
  (map.getSource('features') as maplibregl.GeoJSONSource).setData({
    type: 'FeatureCollection',
    features: [
      ...features.map((f) => ({ type: 'Feature' as const, geometry: f.geometry, properties: { kind: f.kind, focused: f.featureId === focus } })),
      ...guidance.map((g) => ({ type: 'Feature' as const, geometry: g.geometry, properties: { kind: 'guidance', focused: false } })),
    ],
  });
  const d: GeoJSON.Feature[] = drawing.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {} }));
  if (drawing.length >= 2)
    d.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: drawing.length >= 3 ? [...drawing, drawing[0]!] : drawing }, properties: {} });
  (map.getSource('drawing') as maplibregl.GeoJSONSource).setData({ type: 'FeatureCollection', features: d });
}
