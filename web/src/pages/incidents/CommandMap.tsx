import { useEffect, useEffectEvent, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource, LngLatBoundsLike, MapMouseEvent } from 'maplibre-gl';
import { LABEL_FONT_BOLD, baseStyle, exposeRendered, fitTo, raiseLabels, mapLocale } from '../../components/basemap.js';
import { MapLegend, ROUTE_COLOUR, UNIT_COLOURS, URGENT, NOT_URGENT, colourBy, priorityColour } from '../../components/map-legend.js';
import { api } from '../../api.js';
import { useT } from '../../i18n.js';
import { ED_WORDS, OVERLAYS } from './overlays.js';
import type { Incident, Unit } from './types.js';
import { useCodeTexts } from '../../alarm-titles.js';
import { incidentTitle } from '../../incident-titles.js';
import { INCIDENT_STATUS_LABELS, wordFor } from '../../labels.js';

/**
 * The command map: incidents (by priority), units where they are now (moving as
 * AVL fixes arrive) and the routes of the selected incident's units; with `overlays`,
 * the layers a commander switches on (closures, isochrones, event zones, crowd density).
 */
export function CommandMap({
  incidents,
  units,
  selected,
  onPick,
  className,
  fit,
  overlays = false,
  refreshSeq,
  roles,
  recommended = [],
}: {
  incidents: Incident[];
  units: Unit[];
  selected: Incident | null;
  onPick?: (lonLat: [number, number]) => void;
  className?: string;
  fit?: boolean;
  overlays?: boolean;
  refreshSeq?: Record<string, number>;
  /** The user's roles: overlays whose API does not answer them are not loaded. */
  roles?: readonly string[];
  /** Units recommended for the selected incident: ringed on the map and kept in its frame. */
  recommended?: Unit[];
}) {
  const t = useT();
  const codeTexts = useCodeTexts();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const [ready, setReady] = useState(false);
  /** The city's boundary (its area of level city; else every area with a shape), for the overview's frame. */
  const [boundary, setBoundary] = useState<{ coordinates: unknown }[] | null>(null);
  // The latest onPick, for the map's click listener (the map is created once).
  const picked = useEffectEvent((lonLat: [number, number]) => onPick?.(lonLat));
  // A hospital's emergency department status in the reader's language at the time of the click.
  const edWord = useEffectEvent((status: string | undefined) => (status && ED_WORDS[status] ? t(ED_WORDS[status]) : t('ED status not reported')));
  useEffect(() => {
    if (!container.current || mapRef.current) return;
    let map: maplibregl.Map | null = null;
    void api<{ features: { geometry: { type: string; coordinates: unknown }; properties: { level: string } }[] }>('/api/city/areas')
      .then((areas) => {
        const shaped = areas.features.filter((f) => f.geometry.type !== 'Point');
        const city = shaped.filter((f) => f.properties.level === 'city');
        setBoundary((city.length > 0 ? city : shaped).map((f) => f.geometry));
      })
      .catch(() => setBoundary([]));
    void api<{ bbox: [number, number, number, number] }>('/api/city').then((city) => {
      if (!container.current) return;
      map = new maplibregl.Map({
        locale: mapLocale(),
        container: container.current,
        style: baseStyle(),
        bounds: city.bbox as LngLatBoundsLike,
        fitBoundsOptions: { padding: 20 },
        attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors (ODbL)' },
      });
      map.addControl(new maplibregl.NavigationControl(), 'top-right');
      map.on('load', () => {
        const m = map!;
        // Overlays go under the incidents and units, in their order.
        for (const o of overlays ? OVERLAYS : []) {
          m.addSource(`ov-${o.id}`, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
          for (const layer of o.layers(`ov-${o.id}`))
            m.addLayer({ ...layer, layout: { ...(layer.layout ?? {}), visibility: o.on ? 'visible' : 'none' } } as never);
        }
        if (overlays) {
          // A citizen report's service and address (the report itself is on the Citizen reports page).
          popupOnClick(m, 'ov-citizen-reports-circle', 'citizen-report-popup', (p) => [p.address ?? '']);
          // A hospital's emergency department status and beds free by type.
          popupOnClick(m, 'ov-hospitals-circle', 'hospital-popup', (p) => [edWord(p.edStatus), p.beds ?? '']);
        }
        for (const id of ['routes', 'incidents', 'units']) m.addSource(id, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
        m.addLayer({
          id: 'routes',
          type: 'line',
          source: 'routes',
          layout: { 'line-cap': 'round', 'line-join': 'round' },
          paint: { 'line-color': ROUTE_COLOUR, 'line-width': 5, 'line-opacity': 0.85 },
        });
        m.addLayer({
          id: 'incidents',
          type: 'circle',
          source: 'incidents',
          paint: {
            'circle-color': priorityColour,
            'circle-radius': ['case', ['get', 'selected'], 14, 9],
            'circle-opacity': 0.8,
            'circle-stroke-color': '#fff',
            'circle-stroke-width': 2,
          },
        });
        m.addLayer({
          id: 'units',
          type: 'circle',
          source: 'units',
          paint: {
            'circle-color': colourBy('kind', UNIT_COLOURS),
            'circle-radius': ['case', ['get', 'recommended'], 9, 7],
            'circle-stroke-color': ['case', ['get', 'recommended'], '#101828', '#fff'],
            'circle-stroke-width': ['case', ['get', 'recommended'], 3, 2],
          },
        });
        // Call signs beside the units (they may hide each other, never a marker).
        m.addLayer({
          id: 'unit-labels',
          type: 'symbol',
          source: 'units',
          minzoom: 14,
          layout: {
            'text-field': ['get', 'callSign'],
            'text-font': [LABEL_FONT_BOLD],
            'text-size': 11,
            'text-anchor': 'left',
            'text-offset': [0.9, 0],
            'text-optional': true,
          },
          paint: { 'text-color': '#101828', 'text-halo-color': '#fff', 'text-halo-width': 1.5 },
        });
        raiseLabels(m);
        // An incident's title in the reader's language, its reference, priority and status.
        popupOnClick(m, 'incidents', 'incident-popup', (p) => [p.line ?? '']);
        exposeRendered(m, { routes: ['routes'], units: ['units'], incidents: ['incidents'], hospitals: ['ov-hospitals-circle'] });
        m.on('click', (e: MapMouseEvent) => picked([Math.round(e.lngLat.lng * 1e6) / 1e6, Math.round(e.lngLat.lat * 1e6) / 1e6]));
        // What the map shows now (west, south, east, north), for the browser tests and anyone inspecting the page.
        const showBounds = (): void => {
          const b = m.getBounds();
          m.getContainer().dataset.bounds = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(5)).join(',');
        };
        m.on('moveend', showBounds);
        showBounds();
        setReady(true);
      });
      mapRef.current = map;
    });
    return () => {
      map?.remove();
      mapRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the map is created once; overlays is fixed for a map's life
  }, []);
  const recommendedKey = recommended.map((u) => u.unitId).join(',');
  const recommendedIds = new Set(recommended.map((u) => u.unitId));
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    (map.getSource('incidents') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: incidents.map((i) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: i.location.position },
        properties: {
          priority: i.priority,
          selected: i.incidentId === selected?.incidentId,
          name: incidentTitle(i, t, codeTexts),
          line: `${i.reference} · P${i.priority} · ${wordFor(t, INCIDENT_STATUS_LABELS, i.status)}`,
        },
      })),
    });
    (map.getSource('units') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: units.map((u) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: u.position?.position ?? u.homePosition },
        properties: { kind: u.kind, callSign: u.callSign, unitId: u.unitId, recommended: recommendedIds.has(u.unitId) },
      })),
    });
    (map.getSource('routes') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: (selected?.assignments ?? [])
        .filter((a) => a.route && !a.releasedAt)
        .map((a) => ({ type: 'Feature', geometry: a.route!, properties: { unitId: a.unitId } })),
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- recommendedKey stands for recommendedIds
  }, [ready, incidents, units, selected, recommendedKey, t, codeTexts]);
  const [shown, setShown] = useState<Record<string, boolean>>(() => Object.fromEntries(OVERLAYS.map((o) => [o.id, o.on])));
  // The layer switches open over a desk-sized map, folded on a phone where they would hide most of it.
  const [layersOpen, setLayersOpen] = useState(() => !window.matchMedia('(max-width: 700px)').matches);
  const [counts, setCounts] = useState<Record<string, number>>({});
  // Loads an overlay with the latest units, without reloading on every AVL fix.
  const loadOverlay = useEffectEvent((o: (typeof OVERLAYS)[number]) => o.load({ units }));
  const haveUnits = units.length > 0;
  // Each shown overlay loads when switched on and again when its capability's events arrive.
  const refreshKeys = OVERLAYS.map((o) => `${o.id}:${shown[o.id] ? 1 : 0}:${o.refreshOn.map((p) => refreshSeq?.[p] ?? 0).join('/')}`).join(',');
  useEffect(() => {
    const map = mapRef.current;
    if (!overlays || !ready || !map) return;
    let live = true;
    for (const o of OVERLAYS) {
      for (const layer of o.layers(`ov-${o.id}`)) map.setLayoutProperty(layer.id, 'visibility', shown[o.id] ? 'visible' : 'none');
      if (!shown[o.id] || (o.id === 'isochrones' && !haveUnits)) continue;
      if (o.roles && roles && !o.roles.some((r) => roles.includes(r))) continue;
      void loadOverlay(o).then(
        (fc) => {
          if (!live) return;
          (map.getSource(`ov-${o.id}`) as GeoJSONSource | undefined)?.setData(fc);
          setCounts((c) => ({ ...c, [o.id]: fc.features.length }));
        },
        () => {},
      );
    }
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- shown and refreshSeq enter through refreshKeys
  }, [overlays, ready, refreshKeys, haveUnits]);
  // Framed on its subject: the selected incident with the units sent or recommended and their routes
  // (on a responder's phone: the incident, the unit and its route). Framed again only when the subject
  // changes (another incident, a new dispatch), so the user's own zoom and pan stay.
  const framed = useRef<string | null>(null);
  const activeRoutes = (selected?.assignments ?? []).filter((a) => !a.releasedAt);
  // Without a selection (the control room's overview): what matters — the open incidents, the units on duty
  // and the city's boundary — framed again when an incident opens or closes or a unit comes on or goes off duty.
  const open = incidents.filter((i) => i.status !== 'closed');
  const onDuty = units.filter((u) => u.status !== 'out-of-service');
  const subjectKey = selected
    ? `${selected.incidentId}|${activeRoutes.map((a) => `${a.unitId}:${a.route ? 1 : 0}`).join(',')}|${recommendedKey}`
    : fit && incidents.length > 0
      ? 'all'
      : !fit && boundary
        ? `overview|${open.map((i) => i.incidentId).join(',')}|${onDuty.map((u) => u.unitId).join(',')}`
        : null;
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map || !subjectKey || framed.current === subjectKey) return;
    const sent = new Set(activeRoutes.map((a) => a.unitId));
    const unitsInFrame = units.filter((u) => sent.has(u.unitId) || recommendedIds.has(u.unitId) || (fit && !selected));
    const point = (p: [number, number]) => ({ coordinates: p });
    if (!selected && !fit) {
      const overview = [
        ...(boundary ?? []),
        ...open.map((i) => point(i.location.position)),
        ...onDuty.map((u) => point(u.position?.position ?? u.homePosition)),
      ];
      if (fitTo(map, overview, { padding: 40, maxZoom: 16 })) framed.current = subjectKey;
      return;
    }
    const geometries = [
      ...(selected ? [point(selected.location.position)] : incidents.map((i) => point(i.location.position))),
      ...activeRoutes.map((a) => a.route),
      ...unitsInFrame.map((u) => point(u.position?.position ?? u.homePosition)),
      ...(fit ? units.map((u) => point(u.position?.position ?? u.homePosition)) : []),
    ];
    if (fitTo(map, geometries, { padding: 56, maxZoom: 17 })) framed.current = subjectKey;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- subjectKey stands for the selection, its routes and the recommendation
  }, [ready, subjectKey]);
  // The map's current unit positions, for tests and screen readers.
  return (
    <div className={className ?? 'command-map'}>
      <div ref={container} className="map" data-testid="command-map" data-ready={ready ? 'yes' : 'no'} />
      <MapLegend
        testId="command-map-legend"
        items={[
          { colour: URGENT, label: 'Incident P1–P2' },
          { colour: NOT_URGENT, label: 'Incident P3+' },
          ...Object.entries(UNIT_COLOURS)
            .filter(([k]) => units.some((u) => u.kind === k))
            .map(([k, colour]) => ({ colour, label: `unitkind:${k}` })),
          { colour: ROUTE_COLOUR, label: 'Route', shape: 'line' as const },
        ]}
      />
      {overlays && (
        <details className="map-layers" data-testid="map-layers" open={layersOpen} onToggle={(e) => setLayersOpen(e.currentTarget.open)}>
          <summary>{t('Layers')}</summary>
          {OVERLAYS.map((o) => (
            <label key={o.id} data-overlay={o.id} data-count={counts[o.id] ?? 0}>
              <input type="checkbox" checked={shown[o.id] ?? false} onChange={(e) => setShown((s) => ({ ...s, [o.id]: e.target.checked }))} /> {t(o.label)}
              {shown[o.id] && (
                <span className="legend">
                  {o.legend.map((l) => (
                    <span key={l.label}>
                      <i style={{ background: l.colour }} />
                      {t(l.label)}
                    </span>
                  ))}
                </span>
              )}
            </label>
          ))}
        </details>
      )}
      <span hidden data-testid="unit-positions">
        {JSON.stringify(Object.fromEntries(units.map((u) => [u.callSign, u.position?.position ?? u.homePosition])))}
      </span>
    </div>
  );
}

type PopupLines = (p: Record<string, string | undefined>) => string[];
/** Each map's layers that open a popup on a click, with what the popup says. */
const popupLayers = new WeakMap<maplibregl.Map, Map<string, { testId: string; lines: PopupLines }>>();

/**
 * On a click on one of the layer's features: a popup with its name in bold and the given lines below (as text,
 * never HTML). One popup per click, for the topmost feature drawn under the pointer among the layers given here
 * (an incident over a hospital used to open both).
 */
function popupOnClick(map: maplibregl.Map, layer: string, testId: string, lines: PopupLines): void {
  let layers = popupLayers.get(map);
  if (!layers) {
    const registered = (layers = new Map());
    popupLayers.set(map, registered);
    map.on('click', (e: MapMouseEvent) => {
      const ids = [...registered.keys()].filter((id) => map.getLayer(id));
      // Topmost first, as drawn.
      const f = ids.length > 0 ? map.queryRenderedFeatures(e.point, { layers: ids })[0] : undefined;
      const popup = f && registered.get(f.layer.id);
      if (f && popup) openPopup(map, e.lngLat, popup.testId, f.properties as Record<string, string | undefined>, popup.lines);
    });
  }
  layers.set(layer, { testId, lines });
}

function openPopup(map: maplibregl.Map, at: maplibregl.LngLat, testId: string, p: Record<string, string | undefined>, lines: PopupLines): void {
  const el = document.createElement('div');
  el.dataset.testid = testId;
  const title = document.createElement('strong');
  title.textContent = p.name ?? '';
  el.append(title);
  for (const line of lines(p)) {
    const div = document.createElement('div');
    div.textContent = line;
    el.append(div);
  }
  new maplibregl.Popup().setLngLat(at).setDOMContent(el).addTo(map);
}
