import { useCallback, useEffect, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { FeatureCollection } from 'geojson';
import { api, type Me, type StoredEvent } from '../api.js';
import { baseStyle, fitTo, mapLocale } from '../components/basemap.js';
import { CROWD_COLOURS, EVENT_COLOURS, MapLegend, ROUTE_COLOUR } from '../components/map-legend.js';
import { formatNumber, useT } from '../i18n.js';
import { ZoneForm } from './crowd/ZoneForm.js';
import { errorText } from '../errors.js';

type Pos = [number, number];
type Level = 'normal' | 'warning' | 'critical';
interface Suggestion {
  suggestionId: string;
  kind: 'close-gate' | 'open-gate' | 'reroute';
  gateId: string | null;
  text: string;
  flowPerMin: number;
  route: { geometry: { type: 'LineString'; coordinates: Pos[] }; distanceM: number; timeS: number } | null;
}
interface Zone {
  zoneId: string;
  name: string;
  eventId: string | null;
  polygon: { type: 'Polygon'; coordinates: Pos[][] };
  areaM2: number;
  occupancy: number;
  density: number;
  level: Level;
  trendPerMin: number;
  warningDensity: number;
  criticalDensity: number;
  suggestions: Suggestion[];
}
interface Gate {
  gateId: string;
  name: string;
  position: Pos;
  state: 'open' | 'closed';
  inside: string;
  outside: string | null;
  inflowPerMin: number;
}

const ACTORS = ['operator', 'supervisor', 'commander'];
const empty: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** Crowd density: zones coloured by level on the map, the zone table with density and trend, suggestions to apply or dismiss. */
export function CrowdPage({ me, recent }: { me: Me; recent: StoredEvent[] }) {
  const t = useT();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const [loaded, setLoaded] = useState(false);
  const framed = useRef(false);
  const [zones, setZones] = useState<Zone[]>([]);
  const [gates, setGates] = useState<Gate[]>([]);
  const [error, setError] = useState<string | null>(null);
  const canAct = me.roles.some((r) => ACTORS.includes(r));
  const canPlan = me.roles.some((r) => r === 'commander' || r === 'supervisor' || r === 'admin');
  const [defining, setDefining] = useState(false);

  const load = useCallback(async () => {
    const r = await api<{ zones: Zone[]; gates: Gate[] }>('/api/crowd');
    setZones(r.zones);
    setGates(r.gates);
  }, []);
  useEffect(() => void load().catch((e: unknown) => setError(errorText(t, e))), [load, t]);
  // Every crowd event on the live feed (counts, levels, gates) refreshes the page.
  const lastSeq = recent.find((e) => e.type.startsWith('crowd.') || e.type.startsWith('routing.closure'))?.seq;
  useEffect(() => {
    if (lastSeq) void load().catch(() => {});
  }, [lastSeq, load]);

  useEffect(() => {
    if (!container.current) return;
    const map = new maplibregl.Map({
      locale: mapLocale(),
      container: container.current,
      style: baseStyle(),
      center: [7.4262, 43.7385],
      zoom: 15.6,
      attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors' },
    });
    mapRef.current = map;
    map.on('load', () => {
      for (const id of ['zones', 'routes', 'gates']) map.addSource(id, { type: 'geojson', data: empty });
      map.addLayer({ id: 'zones-fill', type: 'fill', source: 'zones', paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': 0.35 } });
      map.addLayer({ id: 'zones-line', type: 'line', source: 'zones', paint: { 'line-color': ['get', 'colour'], 'line-width': 2 } });
      map.addLayer({
        id: 'zones-label',
        type: 'symbol',
        source: 'zones',
        layout: { 'text-field': ['get', 'label'], 'text-size': 12 },
        paint: { 'text-halo-color': '#fff', 'text-halo-width': 1.5 },
      });
      map.addLayer({ id: 'routes', type: 'line', source: 'routes', paint: { 'line-color': ROUTE_COLOUR, 'line-width': 4, 'line-dasharray': [2, 1] } });
      map.addLayer({
        id: 'gates',
        type: 'circle',
        source: 'gates',
        paint: {
          'circle-radius': 6,
          'circle-color': ['case', ['==', ['get', 'state'], 'closed'], EVENT_COLOURS.gate!, '#ffffff'],
          'circle-stroke-color': EVENT_COLOURS.gate!,
          'circle-stroke-width': 2,
        },
      });
      setLoaded(true);
    });
    return () => map.remove();
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    const set = (id: string, data: FeatureCollection): void => void (map.getSource(id) as maplibregl.GeoJSONSource | undefined)?.setData(data);
    set('zones', {
      type: 'FeatureCollection',
      features: zones.map((z) => ({
        type: 'Feature',
        properties: { colour: CROWD_COLOURS[z.level], label: `${z.name}\n${formatNumber(z.density, { fixed: 2 })} /m²` },
        geometry: z.polygon,
      })),
    });
    set('gates', {
      type: 'FeatureCollection',
      features: gates.map((g) => ({ type: 'Feature', properties: { state: g.state }, geometry: { type: 'Point', coordinates: g.position } })),
    });
    set('routes', {
      type: 'FeatureCollection',
      features: zones.flatMap((z) =>
        z.suggestions.filter((s) => s.route).map((s) => ({ type: 'Feature' as const, properties: {}, geometry: s.route!.geometry })),
      ),
    });
    // Framed on the zones and gates the first time they arrive (fitTo keeps the legend clear of them); later updates
    // leave the view where the operator put it.
    if (!framed.current && zones.length + gates.length > 0) {
      framed.current = fitTo(map, [...zones.map((z) => z.polygon), ...gates.map((g) => ({ coordinates: g.position }))], { padding: 40, maxZoom: 18 });
    }
    // Tells tests (and screenshots) which zone levels the map has drawn.
    map.once('idle', () => container.current?.setAttribute('data-drawn', zones.map((z) => z.level).join(',')));
  }, [zones, gates, loaded]);

  const act = async (zoneId: string, s: Suggestion, action: 'apply' | 'dismiss'): Promise<void> => {
    setError(null);
    try {
      await api(`/api/crowd/zones/${encodeURIComponent(zoneId)}/suggestions/${encodeURIComponent(s.suggestionId)}/${action}`, { method: 'POST' });
      await load();
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  const toggleGate = async (g: Gate): Promise<void> => {
    setError(null);
    try {
      await api(`/api/crowd/gates/${encodeURIComponent(g.gateId)}/${g.state === 'open' ? 'close' : 'open'}`, { method: 'POST' });
      await load();
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  const zoneName = (id: string | null): string => (id ? (zones.find((z) => z.zoneId === id)?.name ?? id) : t('outside'));
  const alerts = zones.filter((z) => z.level !== 'normal');

  return (
    <div className="crowd-page">
      <div className="map-frame crowd-map-frame">
        <div className="crowd-map" ref={container} data-testid="crowd-map" data-loaded={loaded ? 'true' : 'false'} />
        <MapLegend
          testId="crowd-map-legend"
          items={[
            { colour: CROWD_COLOURS.normal, label: 'normal', shape: 'area' },
            { colour: CROWD_COLOURS.warning, label: 'warning', shape: 'area' },
            { colour: CROWD_COLOURS.critical, label: 'critical', shape: 'area' },
            { colour: EVENT_COLOURS.gate!, label: 'Gate (filled: closed)' },
            { colour: ROUTE_COLOUR, label: 'Suggested route', shape: 'line' },
          ]}
        />
      </div>
      <div className="crowd-side">
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row">
          <h2>{t('Crowd density')}</h2>
          {canPlan && !defining && (
            <button data-testid="new-zone" onClick={() => setDefining(true)}>
              {t('New zone')}
            </button>
          )}
        </div>
        {defining && (
          <ZoneForm
            onCancel={() => setDefining(false)}
            onSaved={() => {
              setDefining(false);
              void load();
            }}
          />
        )}
        <table className="table stack-table" data-testid="crowd-zones">
          <thead>
            <tr>
              <th>{t('Zone')}</th>
              <th>{t('People')}</th>
              <th>{t('Density')}</th>
              <th>{t('Trend')}</th>
              <th>{t('Level')}</th>
            </tr>
          </thead>
          <tbody>
            {zones.map((z) => (
              <tr key={z.zoneId} data-zone={z.zoneId} data-level={z.level}>
                <td>
                  {z.name}
                  <div className="muted small">
                    {formatNumber(Math.round(z.areaM2))} m² · {t('warning')} {z.warningDensity} · {t('critical')} {z.criticalDensity} /m²
                  </div>
                </td>
                <td data-label={t('People')}>{formatNumber(z.occupancy)}</td>
                <td data-label={t('Density')}>{`${formatNumber(z.density, { fixed: 2 })}\u00a0/m²`}</td>
                <td data-label={t('Trend')}>
                  {`${z.trendPerMin > 0.005 ? '↗' : z.trendPerMin < -0.005 ? '↘' : '→'}\u00a0${formatNumber(z.trendPerMin, { fixed: 2 })}/min`}
                </td>
                <td data-label={t('Level')}>
                  <span className={`badge level-${z.level}`}>{t(z.level)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>{t('Suggestions')}</h3>
        {alerts.length === 0 && zones.length > 0 && <p className="muted">{t('No zone is at its warning density: nothing to suggest now.')}</p>}
        {zones.length === 0 && <p className="muted">{t('Suggestions (closing a gate, another route on foot) appear here when a zone gets crowded.')}</p>}
        <ul className="list" data-testid="crowd-suggestions">
          {alerts.flatMap((z) =>
            z.suggestions.map((s) => (
              <li key={`${z.zoneId}:${s.suggestionId}`} data-suggestion={s.suggestionId} className={`suggestion level-${z.level}`}>
                <div>
                  <span className={`badge level-${z.level}`}>{t(z.level)}</span> {s.text}
                </div>
                {s.route && (
                  <div className="muted small">
                    {t('Foot route')}: {Math.round(s.route.distanceM)} m · {Math.round(s.route.timeS / 60)} min
                  </div>
                )}
                {canAct && (
                  <div className="row">
                    <button onClick={() => void act(z.zoneId, s, 'apply')}>{t('Apply')}</button>
                    <button className="secondary" onClick={() => void act(z.zoneId, s, 'dismiss')}>
                      {t('Dismiss')}
                    </button>
                  </div>
                )}
              </li>
            )),
          )}
        </ul>
        <h3>{t('Gates')}</h3>
        <table className="table small stack-table" data-testid="crowd-gates">
          <thead>
            <tr>
              <th>{t('Gate')}</th>
              <th>{t('Connects')}</th>
              <th>{t('Inflow')}</th>
              <th>{t('State')}</th>
              {canAct && <th />}
            </tr>
          </thead>
          <tbody>
            {gates.map((g) => (
              <tr key={g.gateId} data-gate={g.gateId} data-state={g.state}>
                <td>{g.name}</td>
                <td data-label={t('Connects')}>
                  {zoneName(g.outside)} → {zoneName(g.inside)}
                </td>
                <td data-label={t('Inflow')}>{g.inflowPerMin}/min</td>
                <td data-label={t('State')}>{t(g.state)}</td>
                {canAct && (
                  <td>
                    <button className="secondary" onClick={() => void toggleGate(g)}>
                      {g.state === 'open' ? t('Close') : t('Open')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
