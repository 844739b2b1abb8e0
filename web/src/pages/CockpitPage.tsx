import { useContext, useEffect, useMemo, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource, LngLatBoundsLike } from 'maplibre-gl';
import { baseStyle, fitTo, mapLocale } from '../components/basemap.js';
import { BOUNDARY_COLOUR, KPI_SCALE, MapLegend, SITE_COLOURS, kpiColour } from '../components/map-legend.js';
import { TrendChart } from '../components/TrendChart.js';
import type { KpiValue } from '../cockpit-types.js';
import { PeerChart, type PeerComparison } from '../components/PeerChart.js';
import { AgreementBoard } from '../components/AgreementBoard.js';
import { CockpitImport } from '../components/CockpitImport.js';
import { AgreementForm } from '../components/AgreementForm.js';
import { api } from '../api.js';
import { formatNumber, LanguageContext, useT, withColon } from '../i18n.js';
import { errorText } from '../errors.js';
import { definitionIn } from '../cockpit-definitions.js';

interface Indicator {
  id: string;
  standard: string;
  name: { en: string; fr: string };
  levels: string[];
  higherIsBetter: boolean;
  confirmed: boolean;
  confirmation: { status: string; note: string | null };
  citation: { document: string; clause: string | null };
  definition: { unit: string; measure: string; text: string; percentiles?: number[] };
}
interface AreaFeature {
  type: 'Feature';
  id: string;
  geometry: { type: string; coordinates: unknown };
  properties: { id: string; name: string; level: string };
}
interface Site {
  id: string;
  position: [number, number];
  category: string;
  name: string | null;
}

interface OverviewCard {
  indicatorId: string;
  value: number | null;
  unit: string;
  trend: { period: string; value: number | null }[];
  peers: { count: number; percentile: number | null; median: number | null };
}

/** Twelve months as a small line (gaps where a month has no value). */
function Sparkline({ points, label }: { points: { period: string; value: number | null }[]; label: string }) {
  const W = 120;
  const H = 28;
  const known = points.map((p) => p.value).filter((v): v is number => v !== null);
  if (known.length === 0) return <svg className="sparkline" width={W} height={H} aria-hidden="true" />;
  const min = Math.min(...known);
  const max = Math.max(...known);
  const x = (i: number) => (points.length <= 1 ? W / 2 : (i / (points.length - 1)) * (W - 4) + 2);
  const y = (v: number) => (max === min ? H / 2 : H - 3 - ((v - min) / (max - min)) * (H - 6));
  let d = '';
  points.forEach((p, i) => {
    if (p.value === null) return;
    const prev = points[i - 1];
    d += `${prev && prev.value !== null ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)} `;
  });
  const lastIndex = points.map((p) => p.value !== null).lastIndexOf(true);
  return (
    <svg className="sparkline" width={W} height={H} role="img" aria-label={label}>
      <path d={d} fill="none" stroke="currentColor" strokeWidth={1.5} />
      {points
        .map((p, i) => [p, i] as const)
        .filter(([p]) => p.value !== null)
        .map(([p, i]) => (
          <circle key={p.period} cx={x(i)} cy={y(p.value!)} r={i === lastIndex ? 2.5 : 1.2} fill="currentColor" />
        ))}
    </svg>
  );
}

/** An indicator's unit in the reader's language ("hours", "per 100 000 population"; "%" and codes stay). */
const unitWord = (t: (key: string) => string, unit: string | undefined): string => (unit ? t(unit) : '');

const fmt = (v: number | null | undefined, unit?: string): string =>
  v === null || v === undefined ? '—' : `${formatNumber(v, { max: 2 })}${unit ? ` ${unit}` : ''}`;

/** Green for the best value of the set, red for the worst, grey when unknown. */
function colourScale(values: (number | null)[], higherIsBetter: boolean): (v: number | null) => string {
  const known = values.filter((v): v is number => v !== null);
  const min = Math.min(...known);
  const max = Math.max(...known);
  return (v) => {
    if (v === null || known.length === 0) return KPI_SCALE.none;
    const t = max === min ? 0.5 : (v - min) / (max - min);
    return kpiColour(higherIsBetter ? t : 1 - t);
  };
}

function periodsOf(year: number, t: (k: string) => string): { value: string; label: string }[] {
  const out = [String(year), String(year - 1)].map((y) => ({ value: y, label: y }));
  for (const q of [1, 2, 3, 4]) out.push({ value: `${year}-Q${q}`, label: `${year} ${t('quarter')} ${q}` });
  for (let m = 1; m <= 12; m++) out.push({ value: `${year}-${String(m).padStart(2, '0')}`, label: `${year}-${String(m).padStart(2, '0')}` });
  return out;
}

/** The city management cockpit: a neighbourhood map coloured by an indicator, drill-down to buildings, the trend, export. */
export function CockpitPage() {
  const t = useT();
  const { lang } = useContext(LanguageContext);
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const [indicators, setIndicators] = useState<Indicator[]>([]);
  const [indicatorId, setIndicatorId] = useState('vigil.incident-response-time');
  const [period, setPeriod] = useState<string>('');
  const [cityId, setCityId] = useState<string | null>(null);
  const [features, setFeatures] = useState<AreaFeature[]>([]);
  const [sites, setSites] = useState<Map<string, Site>>(new Map());
  const [hoods, setHoods] = useState<KpiValue[]>([]);
  const [cityValue, setCityValue] = useState<KpiValue | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [siteValues, setSiteValues] = useState<KpiValue[] | null>(null);
  const [trend, setTrend] = useState<KpiValue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [peers, setPeers] = useState<PeerComparison | null>(null);
  const [imported, setImported] = useState(0);
  const [agreementsVersion, setAgreementsVersion] = useState(0);
  // The overview: every indicator's city value for the period (small multiples); the page opens on one that has data.
  const [overview, setOverview] = useState<Record<string, OverviewCard>>({});
  const [picked, setPicked] = useState(false);
  const indicator = indicators.find((i) => i.id === indicatorId) ?? null;
  const name = (i: Indicator) => (lang === 'fr' ? i.name.fr : i.name.en);

  useEffect(() => {
    Promise.all([
      api<{ indicators: Indicator[]; currentPeriod: string }>('/api/cockpit/catalogue'),
      api<{ cityId: string | null }>('/api/cockpit/areas'),
      api<{ features: AreaFeature[] }>('/api/city/areas'),
      api<{ sites: Site[] }>('/api/city/sites?limit=5000'),
    ]).then(
      ([c, a, f, s]) => {
        setIndicators(c.indicators);
        setPeriod(c.currentPeriod);
        setCityId(a.cityId);
        setFeatures(f.features);
        setSites(new Map(s.sites.map((x) => [x.id, x])));
      },
      (e: unknown) => setError(errorText(t, e)),
    );
  }, [t]);

  useEffect(() => {
    if (!period || !cityId || indicators.length === 0) return;
    let live = true;
    api<{ indicators: OverviewCard[] }>(`/api/cockpit/overview?period=${period}`).then(
      (r) => {
        if (!live) return;
        setOverview(Object.fromEntries(r.indicators.map((c) => [c.indicatorId, c])));
        // Open on an indicator with data: the default if it has some, else the first that does (by neighbourhood first, for the map).
        setPicked((already) => {
          if (!already && !r.indicators.some((c) => c.indicatorId === indicatorId)) {
            const withData = indicators.filter((i) => r.indicators.some((c) => c.indicatorId === i.id));
            const first = withData.find((i) => i.levels.includes('neighbourhood')) ?? withData[0];
            if (first) setIndicatorId(first.id);
          }
          return true;
        });
      },
      (e: unknown) => live && setError(errorText(t, e)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the default is chosen once, on the first overview
  }, [indicators, period, cityId, imported]);

  const usable = indicator ? indicator.levels.includes('neighbourhood') : false;
  useEffect(() => {
    if (!indicator || !period || !cityId) return;
    setError(null);
    const q = `period=${period}`;
    api<{ value: KpiValue }>(`/api/cockpit/indicators/${indicator.id}/areas/${encodeURIComponent(cityId)}?${q}&refs=0`).then(
      (r) => setCityValue(r.value),
      (e: unknown) => setError(String(e)),
    );
    if (usable)
      api<{ values: KpiValue[] }>(`/api/cockpit/indicators/${indicator.id}/values?${q}&level=neighbourhood`).then(
        (r) => setHoods(r.values),
        (e: unknown) => setError(String(e)),
      );
    else setHoods([]);
  }, [indicator, period, cityId, usable, imported]);

  useEffect(() => {
    if (!indicator || !period || !selected) return setSiteValues(null);
    if (!indicator.levels.includes('site')) return setSiteValues([]);
    api<{ values: KpiValue[] }>(`/api/cockpit/indicators/${indicator.id}/values?period=${period}&level=site&parent=${encodeURIComponent(selected)}`).then(
      (r) => setSiteValues(r.values),
      (e: unknown) => setError(String(e)),
    );
  }, [indicator, period, selected]);

  useEffect(() => {
    if (!indicator || !period) return;
    api<PeerComparison>(`/api/cockpit/indicators/${indicator.id}/peers?period=${period}`).then(setPeers, () => setPeers(null));
  }, [indicator, period, imported]);

  const trendArea = selected ?? cityId;
  useEffect(() => {
    if (!indicator || !trendArea) return;
    api<{ points: KpiValue[] }>(`/api/cockpit/indicators/${indicator.id}/areas/${encodeURIComponent(trendArea)}/trend?by=month`).then(
      (r) => setTrend(r.points),
      () => setTrend([]),
    );
  }, [indicator, trendArea]);

  const colour = useMemo(
    () =>
      colourScale(
        hoods.map((h) => h.value),
        indicator?.higherIsBetter ?? true,
      ),
    [hoods, indicator],
  );
  const siteColour = useMemo(
    () =>
      colourScale(
        (siteValues ?? []).map((h) => h.value),
        indicator?.higherIsBetter ?? true,
      ),
    [siteValues, indicator],
  );

  const [mapReady, setMapReady] = useState(0);
  // The map: neighbourhoods coloured by value (those known only as a named place as a disc), sites of the selected one.
  useEffect(() => {
    if (!container.current || mapRef.current || features.length === 0) return;
    const bounds = features
      .filter((f) => f.geometry.type !== 'Point')
      .reduce((b, f) => {
        const walk = (c: unknown): void =>
          Array.isArray(c) && typeof c[0] === 'number' ? void b.extend(c as [number, number]) : Array.isArray(c) ? c.forEach(walk) : undefined;
        walk(f.geometry.coordinates);
        return b;
      }, new maplibregl.LngLatBounds());
    const map = new maplibregl.Map({
      locale: mapLocale(),
      container: container.current,
      style: baseStyle(),
      bounds: bounds.toArray() as LngLatBoundsLike,
      fitBoundsOptions: { padding: 20 },
      attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors (ODbL)' },
    });
    map.on('load', () => {
      map.addSource('kpi-areas', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({
        id: 'kpi-fill',
        type: 'fill',
        source: 'kpi-areas',
        filter: ['!=', ['geometry-type'], 'Point'],
        paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': ['case', ['get', 'selected'], 0.6, 0.4] },
      });
      map.addLayer({
        id: 'kpi-line',
        type: 'line',
        source: 'kpi-areas',
        filter: ['!=', ['geometry-type'], 'Point'],
        paint: { 'line-color': BOUNDARY_COLOUR, 'line-width': ['case', ['get', 'selected'], 3, 1] },
      });
      map.addLayer({
        id: 'kpi-disc',
        type: 'circle',
        source: 'kpi-areas',
        filter: ['==', ['geometry-type'], 'Point'],
        paint: {
          'circle-color': ['get', 'colour'],
          'circle-radius': 28,
          'circle-opacity': 0.55,
          'circle-stroke-color': BOUNDARY_COLOUR,
          'circle-stroke-width': ['case', ['get', 'selected'], 3, 1],
        },
      });
      map.addSource('kpi-sites', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({
        id: 'kpi-sites',
        type: 'circle',
        source: 'kpi-sites',
        paint: { 'circle-color': ['get', 'colour'], 'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 },
      });
      // Fire stations, shown with the indicator measured from them.
      map.addSource('kpi-stations', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({
        id: 'kpi-stations',
        type: 'circle',
        source: 'kpi-stations',
        paint: { 'circle-color': SITE_COLOURS['fire-station']!, 'circle-radius': 7, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
      });
      for (const layer of ['kpi-fill', 'kpi-disc'])
        map.on('click', layer, (e) => {
          const id = e.features?.[0]?.properties?.id as string | undefined;
          if (id) setSelected(id);
        });
      mapRef.current = map;
      // Framed on the neighbourhoods with room for the legend over the map's foot (fitTo), and again on a resize.
      fitTo(
        map,
        features.map((f) => f.geometry),
        { padding: 20 },
      );
      setMapReady((n) => n + 1);
      // Tells tests (and screenshots) when everything drawn so far is on screen.
      map.on('idle', () => container.current?.setAttribute('data-idle', 'true'));
      map.on('dataloading', () => container.current?.setAttribute('data-idle', 'false'));
    });
    return () => {
      map.remove();
      mapRef.current = null;
    };
  }, [features]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    const byId = new Map(hoods.map((h) => [h.areaId, h]));
    const areaFeatures = features
      .filter((f) => f.properties.level === 'neighbourhood')
      .map((f) => ({
        type: 'Feature' as const,
        geometry: f.geometry,
        properties: {
          id: f.properties.id,
          name: f.properties.name,
          colour: colour(byId.get(f.properties.id)?.value ?? null),
          selected: f.properties.id === selected,
        },
      }));
    (map.getSource('kpi-areas') as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features: areaFeatures } as GeoJSON.FeatureCollection);
    const siteFeatures = (siteValues ?? [])
      .filter((v) => v.value !== null && sites.has(v.areaId))
      .map((v) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point', coordinates: sites.get(v.areaId)!.position },
        properties: { colour: siteColour(v.value) },
      }));
    (map.getSource('kpi-sites') as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features: siteFeatures } as GeoJSON.FeatureCollection);
    const stations = indicatorId.includes('fire-station') ? [...sites.values()].filter((x) => x.category === 'fire-station') : [];
    (map.getSource('kpi-stations') as GeoJSONSource | undefined)?.setData({
      type: 'FeatureCollection',
      features: stations.map((x) => ({ type: 'Feature' as const, geometry: { type: 'Point', coordinates: x.position }, properties: { name: x.name } })),
    } as GeoJSON.FeatureCollection);
  }, [hoods, features, selected, siteValues, colour, siteColour, sites, mapReady, indicatorId]);

  const selectedName = hoods.find((h) => h.areaId === selected)?.areaName ?? null;
  const exportHref = (format: string) => `/api/cockpit/export?format=${format}&period=${period}&level=${selected ? 'site' : 'neighbourhood'}`;
  const standards = [...new Set(indicators.map((i) => i.standard))];
  const year = Number(period.slice(0, 4)) || new Date().getFullYear();
  const show = (v: KpiValue | null) =>
    v?.percentiles
      ? `${fmt(v.percentiles.p50, unitWord(t, v.unit))} · p90 ${fmt(v.percentiles.p90)} · n = ${v.count ?? 0}`
      : fmt(v?.value ?? null, unitWord(t, v?.unit));

  return (
    <div className="panel cockpit" data-testid="cockpit">
      <div className="cockpit-controls">
        <label>
          {t('Indicator')}{' '}
          <select
            data-testid="kpi-indicator"
            className="kpi-indicator"
            value={indicatorId}
            onChange={(e) => {
              setIndicatorId(e.target.value);
            }}
          >
            {standards.map((s) => (
              <optgroup key={s} label={s}>
                {indicators
                  .filter((i) => i.standard === s)
                  .map((i) => (
                    <option key={i.id} value={i.id}>
                      {name(i)}
                      {i.confirmed ? '' : ' *'}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </label>
        <label>
          {t('Period')}{' '}
          <select data-testid="kpi-period" value={period} onChange={(e) => setPeriod(e.target.value)}>
            {periodsOf(year, t).map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        {withColon(t, t('Export')).trim()}
        <a className="button" data-testid="export-csv" href={exportHref('csv')} download>
          CSV
        </a>
        <a className="button" data-testid="export-json" href={exportHref('json')} download>
          JSON
        </a>
        <a className="button" data-testid="export-ngsi" href={exportHref('ngsi-ld')} download>
          NGSI-LD
        </a>
      </div>
      {error && <p className="error">{error}</p>}
      <h2 className="kpi-overview-title">{t('Main indicators')}</h2>
      <div className="kpi-overview" data-testid="kpi-overview" aria-label={t('Overview of the indicators')}>
        {indicators
          .filter((i) => overview[i.id])
          .map((i) => {
            const card = overview[i.id]!;
            const known = card.trend.filter((p) => p.value !== null);
            const last = known.at(-1)?.value ?? null;
            const before = known.at(-2)?.value ?? null;
            const change = last !== null && before !== null ? last - before : null;
            const better = change === null || change === 0 ? null : change > 0 === i.higherIsBetter;
            return (
              <button
                key={i.id}
                type="button"
                className={`kpi-card ${i.id === indicatorId ? 'active' : ''}`}
                onClick={() => setIndicatorId(i.id)}
                title={`${i.standard} · ${name(i)}`}
                aria-pressed={i.id === indicatorId}
                data-testid="kpi-card"
              >
                <span className="kpi-card-name">{name(i)}</span>
                <strong className="kpi-card-value">{fmt(card.value, unitWord(t, card.unit))}</strong>
                <Sparkline points={card.trend} label={t('last 12 months')} />
                <span className="small kpi-card-trend">
                  {change === null ? (
                    <span className="muted">{t('no monthly trend yet')}</span>
                  ) : (
                    <span className={better === null ? 'muted' : better ? 'kpi-better' : 'kpi-worse'}>
                      {change > 0 ? '▲' : change < 0 ? '▼' : '='} {fmt(Math.abs(change))} {t('vs previous month')}
                    </span>
                  )}
                </span>
                <span className="small kpi-card-peers" data-testid="kpi-card-peers">
                  {card.peers.count === 0 || card.peers.percentile === null
                    ? t('no peer city imported')
                    : t('better than {p} % of {n} peer cities')
                        .replace('{p}', String(Math.round(card.peers.percentile)))
                        .replace('{n}', String(card.peers.count))}
                </span>
              </button>
            );
          })}
        {picked && Object.keys(overview).length === 0 && (
          <p className="muted">{t('No indicator has data for this period yet: pick another period, or import statistics below.')}</p>
        )}
      </div>
      {indicator && (
        <p className="kpi-definition">
          {definitionIn(lang, indicator)}{' '}
          <em>
            ({indicator.citation.document}
            {indicator.citation.clause ? ` ${indicator.citation.clause}` : ''}
            {indicator.confirmed
              ? ''
              : ` — ${indicator.confirmation.status === 'partial' ? t('number and name checked, definition not confirmed against the standard') : t('definition not confirmed against the standard')}`}
            )
          </em>
        </p>
      )}
      <div className="cockpit-body">
        <div className="map-frame cockpit-map-frame">
          <div ref={container} className="cockpit-map" data-testid="cockpit-map" />
          <MapLegend
            testId="cockpit-map-legend"
            items={[
              { colour: KPI_SCALE.best, label: 'Best value', shape: 'area' },
              { colour: KPI_SCALE.middle, label: 'Middle', shape: 'area' },
              { colour: KPI_SCALE.worst, label: 'Worst value', shape: 'area' },
              { colour: KPI_SCALE.none, label: 'No value', shape: 'area' },
              { colour: BOUNDARY_COLOUR, label: 'Neighbourhood boundary', shape: 'line' },
              ...(indicatorId.includes('fire-station') ? [{ colour: SITE_COLOURS['fire-station']!, label: 'Fire station' }] : []),
            ]}
          />
        </div>
        <div className="cockpit-side">
          <nav className="breadcrumb" data-testid="kpi-breadcrumb">
            <button onClick={() => setSelected(null)}>{cityValue?.areaName ?? t('City')}</button>
            {selectedName && (
              <>
                {' '}
                › <strong>{selectedName}</strong>
              </>
            )}
          </nav>
          <p className="kpi-city" data-testid="kpi-city-value">
            <strong>{cityValue?.areaName}</strong>: {show(cityValue)}
          </p>
          {!usable && <p>{t('This indicator is computed for the city as a whole.')}</p>}
          {usable && !selected && (
            <table className="kpi-table" data-testid="kpi-neighbourhoods">
              <thead>
                <tr>
                  <th>{t('Neighbourhood')}</th>
                  <th>{t('Value')}</th>
                </tr>
              </thead>
              <tbody>
                {hoods.map((h) => (
                  <tr key={h.areaId} className="clickable" onClick={() => setSelected(h.areaId)} data-testid="kpi-neighbourhood-row">
                    <td>
                      <span className="swatch" style={{ background: colour(h.value) }} /> {h.areaName}
                    </td>
                    <td>{show(h)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {selected &&
            siteValues &&
            (siteValues.length === 0 ? (
              <p>{t('This indicator is not computed per building.')}</p>
            ) : (
              <table className="kpi-table" data-testid="kpi-sites">
                <thead>
                  <tr>
                    <th>{t('Building')}</th>
                    <th>{t('Value')}</th>
                  </tr>
                </thead>
                <tbody>
                  {siteValues
                    .filter((v) => v.value !== null)
                    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
                    .slice(0, 50)
                    .map((v) => (
                      <tr key={v.areaId}>
                        <td>
                          <span className="swatch" style={{ background: siteColour(v.value) }} /> {v.areaName}
                        </td>
                        <td>{show(v)}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            ))}
          {selected && siteValues && siteValues.length > 0 && (
            <p className="muted">
              {siteValues.filter((v) => v.value !== null).length} {t('buildings with a value')} / {siteValues.length}
            </p>
          )}
          <h3>
            {t('Over time')} — {selectedName ?? cityValue?.areaName ?? ''}
          </h3>
          <TrendChart points={trend} unit={unitWord(t, indicator?.definition.unit)} />
          <h3>{t('Compared with peer cities')}</h3>
          {peers && <PeerChart data={peers} unit={unitWord(t, indicator?.definition.unit)} />}
          <h3>{t('Service agreements')}</h3>
          <AgreementBoard
            version={agreementsVersion}
            indicatorName={(id) => {
              const i = indicators.find((x) => x.id === id);
              return i ? name(i) : id;
            }}
          />
          {indicators.length > 0 && <AgreementForm indicators={indicators} lang={lang} onDefined={() => setAgreementsVersion((n) => n + 1)} />}
          <CockpitImport onImported={() => setImported((n) => n + 1)} />
        </div>
      </div>
    </div>
  );
}
