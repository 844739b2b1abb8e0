import { useEffect, useRef } from 'react';
import * as maplibregl from 'maplibre-gl';
import { baseStyle, exposeRendered, fitTo, raiseLabels, mapLocale } from './basemap.js';
import { DEVICE_COLOURS, MapLegend, URGENT } from './map-legend.js';

export interface SiteMarker {
  position: [number, number];
  kind: 'site' | 'camera' | 'device';
  label: string;
}

// The alarm's site in the alarm colour, cameras as on every other map (the shared legend).
const COLOURS: Record<SiteMarker['kind'], string> = { site: URGENT, camera: DEVICE_COLOURS.camera!, device: DEVICE_COLOURS['alarm-panel']! };

/** A small map around an alarm's site: the site, its detectors and the nearest cameras. */
export function SiteMap({ center, markers }: { center: [number, number]; markers: SiteMarker[] }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!container.current) return;
    const map = new maplibregl.Map({
      locale: mapLocale(),
      container: container.current,
      style: baseStyle(),
      center,
      zoom: 17,
      attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors' },
    });
    map.on('load', () => {
      map.addSource('markers', {
        type: 'geojson',
        data: {
          type: 'FeatureCollection',
          features: markers.map((m) => ({
            type: 'Feature',
            geometry: { type: 'Point', coordinates: m.position },
            properties: { kind: m.kind, label: m.label },
          })),
        },
      });
      // Cameras and detectors first, the site on top: a marker never hides the site it stands by.
      map.addLayer({
        id: 'markers',
        type: 'circle',
        source: 'markers',
        filter: ['!=', ['get', 'kind'], 'site'],
        paint: {
          'circle-color': ['match', ['get', 'kind'], 'camera', COLOURS.camera, COLOURS.device],
          'circle-radius': 6,
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 2,
        },
      });
      map.addLayer({
        id: 'markers-site',
        type: 'circle',
        source: 'markers',
        filter: ['==', ['get', 'kind'], 'site'],
        paint: {
          'circle-color': ['match', ['get', 'kind'], 'site', COLOURS.site, 'camera', COLOURS.camera, COLOURS.device],
          'circle-radius': ['match', ['get', 'kind'], 'site', 9, 6],
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 2,
        },
      });
      raiseLabels(map);
      exposeRendered(map, { markers: ['markers', 'markers-site'] });
      // Framed on the site and its cameras, with room for the legend (and framed again when the panel resizes).
      fitTo(map, [{ coordinates: center }, ...markers.map((m) => ({ coordinates: m.position }))], { padding: 36, maxZoom: 18 });
    });
    return () => map.remove();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller passes new arrays every render: rebuild the map only when the site or the marker count changes
  }, [center[0], center[1], markers.length]);
  const present = new Set(markers.map((m) => m.kind));
  return (
    <div className="site-map-frame">
      <div ref={container} className="site-map" data-testid="site-map" />
      <MapLegend
        testId="site-map-legend"
        items={[
          { colour: COLOURS.site, label: 'Alarm site' },
          ...(present.has('camera') ? [{ colour: COLOURS.camera, label: 'Camera' }] : []),
          ...(present.has('device') ? [{ colour: COLOURS.device, label: 'Detector' }] : []),
        ]}
      />
    </div>
  );
}
