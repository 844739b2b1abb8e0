import { useEffect, useMemo, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource, LngLat, LngLatBoundsLike, MapGeoJSONFeature, MapMouseEvent } from 'maplibre-gl';
import { LABEL_FONT_BOLD, baseStyle, exposeRendered, fitTo, raiseLabels, mapLocale } from '../components/basemap.js';
import { CLUSTER_COLOUR, DEVICE_COLOURS, SITE_COLOURS, URGENT, colourBy, priorityColour } from '../components/map-legend.js';
import { api, type Me, type StoredEvent } from '../api.js';
import { TrackPlayback } from '../components/TrackPlayback.js';
import { formatNumber, useCount, useT } from '../i18n.js';
import { localName } from '../generated-labels.js';
import { ALARM_KIND_LABELS, ALARM_STATUS_LABELS, DEVICE_KIND_LABELS, SITE_CATEGORY_LABELS, wordFor } from '../labels.js';
import type { DeviceKind, GeneratedLabel, SiteCategory } from '../../../src/city/contract.js';
import { errorText } from '../errors.js';

interface City {
  name: string;
  bbox: [number, number, number, number];
  center: [number, number];
  counts: Record<string, number>;
  importedAt: string;
  source: string;
  population: { total: number; source: string } | null;
}
interface Device {
  id: string;
  kind: string;
  label: string;
  /** What the label is made of when Vigil generated it (generated-labels.ts words it). */
  labelParts?: GeneratedLabel | null;
  position: [number, number];
  account: string | null;
  siteId: string | null;
}
interface Site {
  id: string;
  name: string | null;
  category: string;
  position: [number, number];
  address: string | null;
  areaId: string | null;
  levels: number | null;
}
interface AreaFeature {
  type: 'Feature';
  id: string;
  geometry: { type: string; coordinates: unknown };
  properties: { id: string; name: string; level: string; areaM2: number | null; population: number | null };
}

/** Site colours: the shared map legend's. */
export const CATEGORY_COLOURS = SITE_COLOURS;

interface OpenAlarm {
  alarmId: string;
  siteId: string | null;
  kind: string;
  priority: number;
  title: string;
  status: string;
}

export function MapPage({ me, recent }: { me: Me; recent: StoredEvent[] }) {
  const t = useT();
  const count = useCount();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const [city, setCity] = useState<City | null>(null);
  const [areas, setAreas] = useState<AreaFeature[]>([]);
  const [sites, setSites] = useState<Site[]>([]);
  const [devices, setDevices] = useState<Device[]>([]);
  const [shownDevices, setShownDevices] = useState<Set<string>>(() => new Set(['siren', 'loudspeaker', 'camera']));
  const [hidden, setHidden] = useState<Set<string>>(() => new Set(['building']));
  const [selectedArea, setSelectedArea] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const [loadedMap, setLoadedMap] = useState<maplibregl.Map | null>(null);
  const [openAlarms, setOpenAlarms] = useState<OpenAlarm[]>([]);
  const seesAlarms = me.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'commander' || r === 'admin');
  const seesUnits = seesAlarms || me.roles.includes('responder');
  const lastAlarmSeq = recent.find((e) => e.type.startsWith('alarms.'))?.seq;
  useEffect(() => {
    if (!seesAlarms) return;
    api<{ alarms: OpenAlarm[] }>('/api/alarms').then(
      (r) => setOpenAlarms(r.alarms),
      () => {},
    );
  }, [seesAlarms, lastAlarmSeq]);

  useEffect(() => {
    Promise.all([
      api<City>('/api/city'),
      api<{ features: AreaFeature[] }>('/api/city/areas'),
      api<{ sites: Site[] }>('/api/city/sites?limit=5000'),
      api<{ devices: Device[] }>('/api/city/devices?limit=10000'),
    ]).then(
      ([c, a, s, d]) => {
        setCity(c);
        setAreas(a.features);
        setSites(s.sites);
        setDevices(d.devices);
      },
      (e: unknown) => setError(errorText(t, e)),
    );
  }, [t]);

  useEffect(() => {
    if (!city || !container.current || mapRef.current) return;
    const map = new maplibregl.Map({
      locale: mapLocale(),
      container: container.current,
      style: baseStyle(),
      bounds: city.bbox as LngLatBoundsLike,
      fitBoundsOptions: { padding: 20 },
      attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors (ODbL)' },
    });
    map.addControl(new maplibregl.NavigationControl(), 'top-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }));
    map.on('load', () => {
      map.addSource('areas', { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'id' });
      map.addLayer({
        id: 'areas-fill',
        type: 'fill',
        source: 'areas',
        filter: ['==', ['get', 'level'], 'neighbourhood'],
        paint: { 'fill-color': '#3b6ea5', 'fill-opacity': ['case', ['boolean', ['feature-state', 'selected'], false], 0.18, 0.04] },
      });
      map.addLayer({
        id: 'areas-line',
        type: 'line',
        source: 'areas',
        paint: {
          'line-color': ['match', ['get', 'level'], 'city', '#1d3557', '#3b6ea5'],
          'line-width': ['match', ['get', 'level'], 'city', 3, 1.5],
          'line-dasharray': [4, 2],
        },
      });
      // Bottom to top: devices (clustered), sites, open alarms, then the place names. A site is never under a camera dot.
      map.addSource('devices', {
        type: 'geojson',
        data: { type: 'FeatureCollection', features: [] },
        cluster: true,
        clusterRadius: 36,
        clusterMaxZoom: 16,
      });
      map.addLayer({
        id: 'device-clusters',
        type: 'circle',
        source: 'devices',
        filter: ['has', 'point_count'],
        paint: {
          'circle-color': CLUSTER_COLOUR,
          'circle-opacity': 0.85,
          'circle-radius': ['step', ['get', 'point_count'], 12, 20, 16, 100, 21, 1000, 27],
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 2,
        },
      });
      map.addLayer({
        id: 'device-cluster-count',
        type: 'symbol',
        source: 'devices',
        filter: ['has', 'point_count'],
        layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-font': [LABEL_FONT_BOLD], 'text-size': 12, 'text-allow-overlap': true },
        paint: { 'text-color': '#ffffff' },
      });
      map.addLayer({
        id: 'devices',
        type: 'circle',
        source: 'devices',
        filter: ['!', ['has', 'point_count']],
        paint: {
          'circle-color': colourBy('kind', DEVICE_COLOURS),
          'circle-radius': ['match', ['get', 'kind'], 'siren', 7, 5],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1.5,
        },
      });
      map.addSource('sites', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({
        id: 'sites',
        type: 'circle',
        source: 'sites',
        paint: {
          'circle-color': colourBy('category', SITE_COLOURS),
          'circle-radius': ['case', ['==', ['get', 'category'], 'building'], 3, 7],
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 2,
        },
      });
      map.addSource('alarms', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({
        id: 'alarms',
        type: 'circle',
        source: 'alarms',
        paint: {
          'circle-color': priorityColour,
          'circle-opacity': 0.35,
          'circle-radius': 18,
          'circle-stroke-color': URGENT,
          'circle-stroke-width': 2,
        },
      });
      raiseLabels(map);
      exposeRendered(map, { clusters: ['device-clusters'], devices: ['devices'], sites: ['sites'] });
      // What the map shows now (west, south, east, north), for the browser tests and anyone inspecting the page.
      const showBounds = (): void => {
        const b = map.getBounds();
        map.getContainer().dataset.bounds = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(5)).join(',');
      };
      map.on('moveend', showBounds);
      showBounds();
      const zoomIntoCluster = (f: MapGeoJSONFeature): void => {
        const id = f.properties?.cluster_id as number | undefined;
        if (id === undefined) return;
        void (map.getSource('devices') as GeoJSONSource)
          .getClusterExpansionZoom(id)
          .then((zoom) => map.easeTo({ center: (f.geometry as unknown as { coordinates: [number, number] }).coordinates, zoom }));
      };
      const alarmPopup = (f: MapGeoJSONFeature, at: LngLat): void => {
        // In words: the alarm's kind, where, and where it is in its handling (not the server's English title and slug).
        const p = f.properties as { kindWord: string; siteName: string; statusWord: string; priority: number };
        const el = document.createElement('div');
        el.dataset.testid = 'alarm-popup';
        const title = document.createElement('strong');
        title.textContent = `${p.kindWord} — ${p.siteName}`;
        const sub = document.createElement('div');
        sub.textContent = `P${p.priority} · ${p.statusWord}`;
        el.append(title, sub);
        new maplibregl.Popup().setLngLat(at).setDOMContent(el).addTo(map);
      };
      const devicePopup = (f: MapGeoJSONFeature, at: LngLat): void => {
        const p = f.properties as { label: string; kindWord: string };
        const el = document.createElement('div');
        el.dataset.testid = 'device-popup';
        const title = document.createElement('strong');
        title.textContent = p.label;
        const sub = document.createElement('div');
        sub.textContent = p.kindWord;
        el.append(title, sub);
        new maplibregl.Popup().setLngLat(at).setDOMContent(el).addTo(map);
      };
      const sitePopup = (f: MapGeoJSONFeature, at: LngLat): void => {
        // The category in words (labels.ts), never its slug.
        const p = f.properties as { name?: string; categoryWord: string; address?: string };
        const el = document.createElement('div');
        el.dataset.testid = 'site-popup';
        const title = document.createElement('strong');
        const heading = p.name || p.address || p.categoryWord;
        title.textContent = heading;
        const sub = document.createElement('div');
        // What the heading does not say already (a site without a name is headed by its address or its category).
        sub.textContent = [p.categoryWord, p.address].filter((x) => x && x !== heading).join(' · ');
        el.append(title, sub);
        new maplibregl.Popup({ closeButton: true }).setLngLat(at).setDOMContent(el).addTo(map);
      };
      // One popup per click: the first of these drawn under the pointer (an alarm over its device over its site),
      // not one per layer hit — a device drawn over its site used to open both.
      const CLICKABLE = ['alarms', 'device-clusters', 'devices', 'sites'] as const;
      map.on('click', (e: MapMouseEvent) => {
        const layers = CLICKABLE.filter((l) => map.getLayer(l));
        const hits = map.queryRenderedFeatures(e.point, { layers });
        const f = CLICKABLE.map((l) => hits.find((h) => h.layer.id === l)).find((h) => h !== undefined);
        if (!f) return;
        if (f.layer.id === 'device-clusters') zoomIntoCluster(f);
        else if (f.layer.id === 'alarms') alarmPopup(f, e.lngLat);
        else if (f.layer.id === 'devices') devicePopup(f, e.lngLat);
        else sitePopup(f, e.lngLat);
      });
      map.on('mouseenter', 'sites', () => (map.getCanvas().style.cursor = 'pointer'));
      map.on('mouseleave', 'sites', () => (map.getCanvas().style.cursor = ''));
      setReady(true);
      setLoadedMap(map);
    });
    mapRef.current = map;
    return () => {
      map.remove();
      mapRef.current = null;
      setLoadedMap(null);
    };
  }, [city]);

  const visibleSites = useMemo(() => {
    const q = query.trim().toLowerCase();
    return sites.filter(
      (s) =>
        !hidden.has(s.category) &&
        (!selectedArea || s.areaId === selectedArea) &&
        (!q || (s.name ?? '').toLowerCase().includes(q) || (s.address ?? '').toLowerCase().includes(q)),
    );
  }, [sites, hidden, selectedArea, query]);

  // Framed on its subject, the city (its boundary, else its neighbourhoods), as the command map's overview is,
  // once the areas are in: not on the extract's bounding box with the sea around it.
  const framed = useRef(false);
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map || framed.current || areas.length === 0) return;
    const shapes = areas.filter((a) => a.geometry.type !== 'Point');
    const cityShapes = shapes.filter((a) => a.properties.level === 'city');
    if (fitTo(map, cityShapes.length ? cityShapes.map((a) => a.geometry) : shapes.map((a) => a.geometry), { padding: 24, maxZoom: 16 })) framed.current = true;
  }, [ready, areas]);

  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    (map.getSource('areas') as GeoJSONSource).setData({ type: 'FeatureCollection', features: areas.filter((a) => a.geometry.type !== 'Point') } as never);
    (map.getSource('sites') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: visibleSites.map((s) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: s.position },
        properties: {
          id: s.id,
          name: s.name ?? '',
          category: s.category,
          categoryWord: wordFor(t, SITE_CATEGORY_LABELS, s.category),
          address: s.address ?? '',
        },
      })),
    });
  }, [ready, areas, visibleSites, t]);

  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    (map.getSource('devices') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: devices
        .filter((d) => shownDevices.has(d.kind))
        .map((d) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: d.position },
          properties: { id: d.id, kind: d.kind, label: localName(t, d.label, d.labelParts), kindWord: wordFor(t, DEVICE_KIND_LABELS, d.kind) },
        })),
    });
  }, [ready, devices, shownDevices, t]);

  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    const siteById = new Map(sites.map((st) => [st.id, st]));
    (map.getSource('alarms') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: openAlarms.flatMap((a) => {
        const site = a.siteId ? siteById.get(a.siteId) : undefined;
        return site
          ? [
              {
                type: 'Feature' as const,
                geometry: { type: 'Point' as const, coordinates: site.position },
                properties: {
                  priority: a.priority,
                  status: a.status,
                  kindWord: wordFor(t, ALARM_KIND_LABELS, a.kind),
                  siteName: site.name ?? site.address ?? wordFor(t, SITE_CATEGORY_LABELS, site.category),
                  statusWord: wordFor(t, ALARM_STATUS_LABELS, a.status),
                },
              },
            ]
          : [];
      }),
    });
  }, [ready, openAlarms, sites, t]);

  const deviceKinds = useMemo(() => {
    const counts = new Map<string, number>();
    for (const d of devices) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]);
  }, [devices]);

  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    for (const a of areas) if (a.geometry.type !== 'Point') map.setFeatureState({ source: 'areas', id: a.id }, { selected: a.id === selectedArea });
  }, [ready, areas, selectedArea]);

  const categories = useMemo(() => {
    const counts = new Map<string, number>();
    for (const s of sites) counts.set(s.category, (counts.get(s.category) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => (a[0] === 'building' ? 1 : b[0] === 'building' ? -1 : b[1] - a[1]));
  }, [sites]);

  const focusArea = (a: AreaFeature): void => {
    setSelectedArea(selectedArea === a.id ? null : a.id);
    const map = mapRef.current;
    if (!map || a.geometry.type === 'Point') {
      if (map && a.geometry.type === 'Point') map.flyTo({ center: a.geometry.coordinates as [number, number], zoom: 15.5 });
      return;
    }
    fitTo(map, [a.geometry], { padding: 40 });
  };

  if (error) return <div className="panel error">{error}</div>;
  return (
    <div className="map-page">
      <div className="sidebar">
        <h2 data-testid="city-name">{city?.name ?? '…'}</h2>
        {city && (
          <p className="muted small" data-testid="city-summary">
            {city.population && (
              <>
                {formatNumber(city.population.total)} {t('residents')} ·{' '}
              </>
            )}
            {city.counts.sites} {t('sites')} · {city.counts.buildings} {t('buildings')} · {city.counts.roads} {t('roads')} · {city.source}
          </p>
        )}
        {seesAlarms && (
          <p className={openAlarms.length ? 'error small' : 'muted small'} data-testid="map-alarms">
            {count(openAlarms.length, 'open alarm', 'open alarms')}
          </p>
        )}
        <h3>{t('Neighbourhoods')}</h3>
        <ul className="list" data-testid="areas">
          {areas
            .filter((a) => a.properties.level === 'neighbourhood')
            .map((a) => (
              <li key={a.id}>
                <button className={selectedArea === a.id ? 'link active' : 'link'} onClick={() => focusArea(a)}>
                  {a.properties.name}
                </button>
                <span className="muted small">
                  {' '}
                  {a.properties.population != null ? `${formatNumber(a.properties.population)} ${t('residents')} · ` : ''}
                  {sites.filter((s) => s.areaId === a.id).length} {t('sites')}
                  {a.properties.areaM2 ? ` · ${formatNumber(a.properties.areaM2 / 1e6, { fixed: 2 })} km²` : ''}
                </span>
              </li>
            ))}
        </ul>
        <h3>{t('Sites')}</h3>
        <input
          type="search"
          placeholder={t('Search name or address')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label={t('Search sites')}
        />
        <ul className="list legend">
          {categories.map(([c, n]) => (
            <li key={c}>
              <label>
                <input
                  type="checkbox"
                  checked={!hidden.has(c)}
                  onChange={() => {
                    const h = new Set(hidden);
                    if (h.has(c)) h.delete(c);
                    else h.add(c);
                    setHidden(h);
                  }}
                />
                <span className="swatch" style={{ background: SITE_COLOURS[c] ?? '#555' }} /> {t(SITE_CATEGORY_LABELS[c as SiteCategory] ?? c)}{' '}
                <span className="muted small">{n}</span>
              </label>
            </li>
          ))}
        </ul>
        <p className="muted small">
          {visibleSites.length} {t('shown')}
        </p>
        <h3>{t('Devices')}</h3>
        {deviceKinds.length === 0 && <p className="muted small">{t('None visible to {who}.').replace('{who}', me.org?.name ?? me.displayName)}</p>}
        <ul className="list legend" data-testid="device-kinds">
          {deviceKinds.map(([k, n]) => (
            <li key={k}>
              <label>
                <input
                  type="checkbox"
                  checked={shownDevices.has(k)}
                  onChange={() => {
                    const h = new Set(shownDevices);
                    if (h.has(k)) h.delete(k);
                    else h.add(k);
                    setShownDevices(h);
                  }}
                />
                <span className="swatch" style={{ background: DEVICE_COLOURS[k] ?? '#444' }} /> {t(DEVICE_KIND_LABELS[k as DeviceKind] ?? k)}{' '}
                <span className="muted small">{n}</span>
              </label>
            </li>
          ))}
        </ul>
        {seesUnits && <TrackPlayback map={loadedMap} ready={ready} />}
      </div>
      <div ref={container} className="map" data-testid="map" />
    </div>
  );
}
