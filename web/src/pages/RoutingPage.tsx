import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { FeatureCollection } from 'geojson';
import { api, type Me } from '../api.js';
import { baseStyle, exposeRendered, fitTo, raiseLabels, mapLocale } from '../components/basemap.js';
import { CLOSURE_COLOUR, HAZARD_COLOUR, ISOCHRONE_COLOURS, MapLegend, POINT_COLOUR, ROUTE_COLOUR, SITE_COLOURS } from '../components/map-legend.js';
import { formatNumber, useT } from '../i18n.js';
import { errorText } from '../errors.js';

type Pos = [number, number];
type Mode = 'route' | 'isochrone' | 'closure' | 'evacuation';
interface Closure {
  closureId: string;
  reason: string;
  geometry: { type: string; coordinates: unknown };
  closedEdges: Record<string, number>;
}
interface RouteAnswer {
  geometry: { type: 'LineString'; coordinates: Pos[] };
  distanceM: number;
  timeS: number;
  steps: { maneuver: string; name: string; distanceM: number }[];
}
interface Plan {
  origins: { originId: string; status: string; guidance: string; route: RouteAnswer | null }[];
  assemblyPoints: { id: string; name: string; people: number; position: Pos }[];
  totals: { origins: number; routed: number; people: number };
}

const empty: FeatureCollection = { type: 'FeatureCollection', features: [] };
/** The evacuation plan's hazard: a circle of 150 m growing 10 m a minute, planned over 15 minutes. */
const HAZARD = { radiusM: 150, spreadMPerMin: 10, horizonMin: 15 };

/** A circle on the ground as a closed ring of [lon, lat] (metres to degrees at its latitude). */
function circleRing([lon, lat]: Pos, radiusM: number, corners = 64): Pos[] {
  const dLat = radiusM / 110_574;
  const dLon = radiusM / (111_320 * Math.cos((lat * Math.PI) / 180));
  return Array.from({ length: corners + 1 }, (_, i) => {
    const a = (i / corners) * 2 * Math.PI;
    return [lon + dLon * Math.cos(a), lat + dLat * Math.sin(a)];
  });
}
const TRAFFIC_ROLES = ['operator', 'supervisor', 'commander', 'admin'];

/** Routes, isochrones, road closures and evacuation plans on the city's map (a click or a tap places the points). */
export function RoutingPage({ me }: { me: Me }) {
  const t = useT();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const [mode, setMode] = useState<Mode>('route');
  const [points, setPoints] = useState<Pos[]>([]);
  const [profile, setProfile] = useState<'car' | 'foot'>('car');
  const [route, setRoute] = useState<RouteAnswer | null>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [closures, setClosures] = useState<Closure[]>([]);
  const [error, setError] = useState<string | null>(null);
  const canClose = me.roles.some((r) => TRAFFIC_ROLES.includes(r));

  const loadClosures = useCallback(
    () =>
      api<{ closures: Closure[] }>('/api/routing/closures').then(
        (r) => setClosures(r.closures),
        (e: unknown) => setError(errorText(t, e)),
      ),
    [t],
  );
  useEffect(() => void loadClosures(), [loadClosures]);

  // Framed on what was just computed (the route, the isochrones, the evacuation routes), with room for the legend.
  const frame = (geometries: { coordinates: unknown }[]): void => {
    if (mapRef.current) fitTo(mapRef.current, geometries, { padding: 40 });
  };
  const setData = (id: string, data: FeatureCollection): void => {
    void (mapRef.current?.getSource(id) as maplibregl.GeoJSONSource | undefined)?.setData(data);
  };
  useEffect(() => {
    setData('points', {
      type: 'FeatureCollection',
      features: points.map((p) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } })),
    });
  }, [points]);
  useEffect(() => {
    setData('closures', {
      type: 'FeatureCollection',
      features: closures.map((c) => ({
        type: 'Feature',
        properties: {},
        geometry:
          c.geometry.type === 'Polygon'
            ? { type: 'LineString', coordinates: (c.geometry.coordinates as Pos[][])[0]! }
            : (c.geometry as { type: 'LineString'; coordinates: Pos[] }),
      })),
    });
  }, [closures]);

  const run = async (p: Pos[]): Promise<void> => {
    setError(null);
    try {
      if (mode === 'route' && p.length === 2) {
        const r = await api<RouteAnswer>('/api/routing/route', { body: { from: p[0], to: p[1], profile } });
        setRoute(r);
        setData('route', { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: r.geometry }] });
        frame([r.geometry]);
      } else if (mode === 'isochrone' && p.length === 1) {
        const fc = await api<FeatureCollection>('/api/routing/isochrone', { body: { origin: p[0], profile, minutes: [4, 8, 12] } });
        setData('iso', { type: 'FeatureCollection', features: fc.features.map((f, i) => ({ ...f, properties: { band: i } })).reverse() });
        frame(fc.features.map((f) => f.geometry as { coordinates: unknown }));
      } else if (mode === 'closure' && p.length === 2) {
        await api('/api/routing/closures', { body: { geometry: { type: 'LineString', coordinates: p }, reason: t('Closed from the routing map') } });
        await loadClosures();
      } else if (mode === 'evacuation' && p.length === 1) {
        const result = await api<Plan>('/api/routing/evacuation', {
          body: { hazard: { circles: [{ center: p[0], radiusM: HAZARD.radiusM }], spreadMPerMin: HAZARD.spreadMPerMin }, horizonMin: HAZARD.horizonMin },
        });
        setPlan(result);
        const routes = result.origins.filter((o) => o.route).map((o) => o.route!.geometry);
        setData('route', { type: 'FeatureCollection', features: routes.map((geometry) => ({ type: 'Feature', properties: {}, geometry })) });
        // The hazard as it is now (filled) and as far as it will have spread at the plan's horizon (outline).
        const now = circleRing(p[0]!, HAZARD.radiusM);
        const later = circleRing(p[0]!, HAZARD.radiusM + HAZARD.spreadMPerMin * HAZARD.horizonMin);
        setData('hazard', {
          type: 'FeatureCollection',
          features: [
            { type: 'Feature', properties: { when: 'horizon' }, geometry: { type: 'Polygon', coordinates: [later] } },
            { type: 'Feature', properties: { when: 'now' }, geometry: { type: 'Polygon', coordinates: [now] } },
          ],
        });
        setData('assembly', {
          type: 'FeatureCollection',
          features: result.assemblyPoints.map((a) => ({ type: 'Feature', properties: { name: a.name }, geometry: { type: 'Point', coordinates: a.position } })),
        });
        // Framed on the hazard at its horizon and the evacuation routes out of it.
        frame([{ coordinates: [later] }, ...routes]);
      } else return;
      setPoints([]);
    } catch (e) {
      setError(errorText(t, e));
      setPoints([]);
    }
  };
  // A click on the map (its listener is added once, so it goes through an effect event to see the current mode and points).
  const addPoint = useEffectEvent((p: Pos) => {
    const next = [...points, p];
    setPoints(next);
    void run(next);
  });

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
      for (const id of ['iso', 'hazard', 'closures', 'route', 'assembly', 'points']) map.addSource(id, { type: 'geojson', data: empty });
      map.addLayer({
        id: 'iso',
        type: 'fill',
        source: 'iso',
        paint: { 'fill-color': ['match', ['get', 'band'], 0, ISOCHRONE_COLOURS[0], 1, ISOCHRONE_COLOURS[1], ISOCHRONE_COLOURS[2]], 'fill-opacity': 0.3 },
      });
      map.addLayer({
        id: 'hazard-fill',
        type: 'fill',
        source: 'hazard',
        filter: ['==', ['get', 'when'], 'now'],
        paint: { 'fill-color': HAZARD_COLOUR, 'fill-opacity': 0.3, 'fill-outline-color': HAZARD_COLOUR },
      });
      map.addLayer({
        id: 'hazard-horizon',
        type: 'line',
        source: 'hazard',
        filter: ['==', ['get', 'when'], 'horizon'],
        paint: { 'line-color': HAZARD_COLOUR, 'line-width': 2, 'line-dasharray': [3, 2] },
      });
      map.addLayer({ id: 'closures', type: 'line', source: 'closures', paint: { 'line-color': CLOSURE_COLOUR, 'line-width': 4, 'line-dasharray': [1, 1] } });
      map.addLayer({ id: 'route', type: 'line', source: 'route', paint: { 'line-color': ROUTE_COLOUR, 'line-width': 4 } });
      map.addLayer({
        id: 'assembly',
        type: 'circle',
        source: 'assembly',
        paint: { 'circle-radius': 6, 'circle-color': SITE_COLOURS.shelter!, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
      });
      map.addLayer({ id: 'points', type: 'circle', source: 'points', paint: { 'circle-radius': 6, 'circle-color': POINT_COLOUR } });
      raiseLabels(map);
      // What is on screen, for the tests: the hazard (now and at the horizon) and the assembly points.
      exposeRendered(map, { hazard: ['hazard-fill', 'hazard-horizon'], assembly: ['assembly'] });
      container.current?.setAttribute('data-loaded', 'true');
    });
    map.on('click', (e) => addPoint([e.lngLat.lng, e.lngLat.lat]));
    return () => map.remove();
  }, []);

  const remove = async (id: string): Promise<void> => {
    await api(`/api/routing/closures/${id}`, { method: 'DELETE' }).catch((e: unknown) => setError(errorText(t, e)));
    await loadClosures();
  };
  const modes: Mode[] = canClose ? ['route', 'isochrone', 'closure', 'evacuation'] : ['route', 'isochrone', 'evacuation'];
  const hint: Record<Mode, string> = {
    route: t('Place the start on the map, then the destination.'),
    isochrone: t('Place a station on the map: what it reaches in 4, 8 and 12 minutes.'),
    closure: t('Place two points on the map across the roads to close.'),
    evacuation: t('Place the centre of a hazard growing 10 m per minute on the map.'),
  };
  return (
    <div className="routing-page">
      <div className="map-frame routing-map-frame">
        <div ref={container} data-testid="routing-map" style={{ position: 'absolute', inset: 0 }} />
        <MapLegend
          testId="routing-map-legend"
          items={[
            ...(mode === 'isochrone'
              ? [
                  { colour: ISOCHRONE_COLOURS[0], label: '≤ 4 min', shape: 'area' as const },
                  { colour: ISOCHRONE_COLOURS[1], label: '≤ 8 min', shape: 'area' as const },
                  { colour: ISOCHRONE_COLOURS[2], label: '≤ 12 min', shape: 'area' as const },
                ]
              : [{ colour: ROUTE_COLOUR, label: mode === 'evacuation' ? 'Evacuation route' : 'Route', shape: 'line' as const }]),
            ...(mode === 'evacuation'
              ? [
                  { colour: HAZARD_COLOUR, label: 'Hazard now', shape: 'area' as const },
                  { colour: HAZARD_COLOUR, label: 'Hazard in 15 min', shape: 'line' as const },
                  { colour: SITE_COLOURS.shelter!, label: 'Assembly point' },
                ]
              : []),
            { colour: CLOSURE_COLOUR, label: 'Road closure', shape: 'line' as const },
            { colour: POINT_COLOUR, label: 'Point placed' },
          ]}
        />
      </div>
      <aside className="routing-side">
        <h2>{t('Routing')}</h2>
        <div role="group">
          {modes.map((m) => (
            <button
              key={m}
              className={mode === m ? 'active' : ''}
              onClick={() => {
                setMode(m);
                setPoints([]);
                // The hazard and its assembly points belong to the evacuation plan only.
                if (m !== 'evacuation') for (const id of ['hazard', 'assembly']) setData(id, empty);
              }}
            >
              {t(`routing.mode.${m}`)}
            </button>
          ))}
        </div>
        <label>
          {t('Profile')}{' '}
          <select value={profile} onChange={(e) => setProfile(e.target.value as 'car' | 'foot')}>
            <option value="car">{t('Car')}</option>
            <option value="foot">{t('On foot')}</option>
          </select>
        </label>
        <p className="hint">{hint[mode]}</p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {route && mode === 'route' && (
          <div data-testid="route-summary">
            <p>
              <strong>
                {formatNumber(route.distanceM / 1000, { fixed: 2 })} km · {Math.ceil(route.timeS / 60)} min
              </strong>
            </p>
            <ol>
              {route.steps
                .filter((s) => s.name || s.maneuver === 'arrive')
                .map((s, i) => (
                  <li key={i}>
                    {t(s.maneuver)} {s.name} {s.distanceM > 0 ? `(${Math.round(s.distanceM)} m)` : ''}
                  </li>
                ))}
            </ol>
          </div>
        )}
        {plan && mode === 'evacuation' && (
          <div data-testid="evacuation-summary">
            <p>
              {plan.totals.routed} / {plan.totals.origins} {t('buildings routed')}, {plan.totals.people} {t('people')}
            </p>
            <ul>
              {plan.assemblyPoints.map((a) => (
                <li key={a.id}>
                  {a.name}: {a.people} {t('people')}
                </li>
              ))}
            </ul>
            <p className="hint">{plan.origins.find((o) => o.status === 'route')?.guidance}</p>
          </div>
        )}
        <h3>{t('Road closures')}</h3>
        <ul data-testid="closures">
          {closures.map((c) => (
            <li key={c.closureId}>
              {c.reason} ({c.closedEdges.car ?? 0} / {c.closedEdges.foot ?? 0})
              {canClose && <button onClick={() => void remove(c.closureId)}>{t('Reopen')}</button>}
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
}
