import { useCallback, useEffect, useRef, useState } from 'react';
import * as maplibregl from 'maplibre-gl';
import { api, type Me } from '../api.js';
import { baseStyle, mapLocale } from '../components/basemap.js';
import { useT, useTime } from '../i18n.js';
import { CapWord } from '../components/CapWord.js';
import { capFindingText, errorText, reasonText } from '../errors.js';

interface Area {
  areaDesc: string;
  polygon?: string[];
  circle?: string[];
}
interface ImportedAlert {
  alertId: string;
  cap: {
    identifier: string;
    sender: string;
    sent: string;
    status: string;
    msgType: string;
    info?: { language?: string; event: string; severity: string; headline?: string; senderName?: string; expires?: string; area?: Area[] }[];
  };
  relayOf?: string;
  imported?: {
    via: 'upload' | 'feed' | 'link';
    feedId?: string;
    agency?: string;
    version: string;
    encoding: string;
    warnings: { rule: string; message: string; params?: Record<string, string | number> }[];
    signature: { status: 'unsigned' | 'valid' | 'unverified' | 'invalid'; signerName?: string; reason?: string };
  };
}
interface Feed {
  feedId: string;
  name: string;
  url: string;
  intervalSeconds: number;
  relayChannels: string[];
  status: {
    ok: boolean;
    at: string;
    error: string | null;
    importedTotal: number;
    refused: { url: string; reason: string; why?: { reason: string; params: Record<string, string | number> } }[];
  } | null;
}
interface Signer {
  signerId: string;
  sender: string;
  name: string;
  fingerprint: string;
  subject: string | null;
  notAfter: string | null;
}

const SEVERITY_COLOUR: Record<string, string> = { Extreme: '#7a0b0b', Severe: '#d92d20', Moderate: '#f79009', Minor: '#fdb022', Unknown: '#667085' };

/** "lat,lon lat,lon …" → GeoJSON ring [lon, lat]. */
const ring = (polygon: string): [number, number][] =>
  polygon
    .trim()
    .split(/\s+/)
    .map((p) => p.split(',').map(Number))
    .map(([lat, lon]) => [lon!, lat!]);

/** "lat,lon radiusKm" → a 32-point ring. */
function circleRing(circle: string): [number, number][] {
  const [centre, radius] = circle.trim().split(/\s+/);
  const [lat, lon] = (centre ?? '').split(',').map(Number);
  const km = Math.max(Number(radius) || 0, 0.05);
  return Array.from({ length: 33 }, (_, k) => {
    const a = (k / 32) * 2 * Math.PI;
    return [lon! + ((km / 111.32) * Math.sin(a)) / Math.cos((lat! * Math.PI) / 180), lat! + (km / 110.57) * Math.cos(a)] as [number, number];
  });
}

function AgenciesMap({ alerts }: { alerts: ImportedAlert[] }) {
  const container = useRef<HTMLDivElement>(null);
  const features = alerts.flatMap((a) =>
    (a.cap.info ?? []).slice(0, 1).flatMap((i) =>
      (i.area ?? []).flatMap((area) =>
        [...(area.polygon ?? []).map(ring), ...(area.circle ?? []).map(circleRing)].map((coordinates) => ({
          type: 'Feature' as const,
          geometry: { type: 'Polygon' as const, coordinates: [coordinates] },
          properties: { severity: i.severity, label: `${i.headline ?? i.event} — ${area.areaDesc}` },
        })),
      ),
    ),
  );
  const key = alerts.map((a) => a.alertId).join(',');
  useEffect(() => {
    if (!container.current) return;
    const map = new maplibregl.Map({
      locale: mapLocale(),
      container: container.current,
      style: baseStyle(),
      center: [7.42, 43.735],
      zoom: 9,
      attributionControl: { compact: true, customAttribution: '© OpenStreetMap contributors' },
    });
    map.on('load', () => {
      map.addSource('agencies', { type: 'geojson', data: { type: 'FeatureCollection', features } });
      map.addLayer({
        id: 'agencies-fill',
        type: 'fill',
        source: 'agencies',
        paint: {
          'fill-color': ['match', ['get', 'severity'], ...Object.entries(SEVERITY_COLOUR).flat(), '#667085'] as never,
          'fill-opacity': 0.25,
        },
      });
      map.addLayer({ id: 'agencies-line', type: 'line', source: 'agencies', paint: { 'line-color': '#101828', 'line-width': 1.5 } });
      const points = features.flatMap((f) => f.geometry.coordinates[0]!);
      if (points.length > 0) {
        const b = points.reduce((acc, p) => acc.extend(p), new maplibregl.LngLatBounds(points[0]!, points[0]!));
        map.fitBounds(b, { padding: 30, maxZoom: 10, duration: 0 });
      }
    });
    return () => map.remove();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt when the alerts shown change
  }, [key]);
  return <div ref={container} className="agencies-map" data-testid="agencies-map" data-areas={features.length} />;
}

/**
 * Other agencies: their alerts in force (uploaded or from the feeds the organisation
 * polls) on a map and in a list with how each was received (signature, warnings), a
 * relay to Vigil's subscribers (a draft that a second officer approves), and, for
 * alert officers and admins, the feeds polled and the signers trusted.
 */
export function OtherAgenciesPage({ me }: { me: Me }) {
  const t = useT();
  const time = useTime();
  const manages = me.roles.some((r) => r === 'alert-officer' || r === 'admin');
  const officer = me.roles.includes('alert-officer');
  const [alerts, setAlerts] = useState<ImportedAlert[]>([]);
  const [feeds, setFeeds] = useState<Feed[]>([]);
  const [signers, setSigners] = useState<Signer[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [feedForm, setFeedForm] = useState({ name: '', url: '', intervalSeconds: 120, relay: false });
  const [signerForm, setSignerForm] = useState({ sender: '', name: '', pem: '' });
  const load = useCallback(async () => {
    setAlerts((await api<{ alerts: ImportedAlert[] }>('/api/alerts/other-agencies')).alerts);
    if (manages) {
      setFeeds((await api<{ feeds: Feed[] }>('/api/alerts/feeds')).feeds);
      setSigners((await api<{ signers: Signer[] }>('/api/alerts/signers')).signers);
    }
  }, [manages]);
  useEffect(() => void load().catch((e: unknown) => setError(errorText(t, e))), [load, t]);
  const run = async (what: () => Promise<unknown>, done?: string): Promise<void> => {
    setError(null);
    setNotice(null);
    try {
      await what();
      await load();
      if (done) setNotice(done);
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  const feedName = (id?: string): string => feeds.find((f) => f.feedId === id)?.name ?? t('feed');
  const signature = (a: ImportedAlert): string => {
    const s = a.imported?.signature;
    if (!s || s.status === 'unsigned') return t('not signed');
    if (s.status === 'valid') return `${t('signed by')} ${s.signerName ?? ''}`;
    return t('signed, not verified');
  };
  return (
    <div className="other-agencies" data-testid="other-agencies">
      <h2>{t('Other agencies')}</h2>
      <p className="muted small">{t('Alerts in force from other agencies: uploaded, or imported from the feeds your organisation polls.')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="agencies-layout">
        <AgenciesMap alerts={alerts} />
        <table className="table small" data-testid="agency-alerts">
          <thead>
            <tr>
              <th>{t('Alert')}</th>
              <th>{t('Agency')}</th>
              <th>{t('Severity')}</th>
              <th>{t('Until')}</th>
              <th>{t('Received')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {alerts.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  {t('No other agency’s alert is in force.')}
                </td>
              </tr>
            )}
            {alerts.map((a) => {
              const i = a.cap.info?.[0];
              return (
                <tr key={a.alertId}>
                  <td>
                    <strong>{i?.headline ?? i?.event ?? a.cap.identifier}</strong>
                    <div className="muted">{(i?.area ?? []).map((x) => x.areaDesc).join(', ')}</div>
                    {(a.imported?.warnings.length ?? 0) > 0 && (
                      <div className="warning small" data-testid="import-warnings" title={a.imported!.warnings.map((w) => capFindingText(t, w)).join('\n')}>
                        ⚠ {a.imported!.warnings.length} {t('warning(s)')}: {capFindingText(t, a.imported!.warnings[0]!)}
                      </div>
                    )}
                  </td>
                  <td>{i?.senderName ?? a.cap.sender}</td>
                  <td>
                    <span className="severity-chip" style={{ background: SEVERITY_COLOUR[i?.severity ?? 'Unknown'] }}>
                      <CapWord field="severity" code={i?.severity ?? 'Unknown'} />
                    </span>
                    {a.cap.status !== 'Actual' && (
                      <span className="badge">
                        {' '}
                        <CapWord field="status" code={a.cap.status} />
                      </span>
                    )}
                  </td>
                  <td>{i?.expires ? time(i.expires) : '—'}</td>
                  <td className="small">
                    {a.imported?.via === 'feed'
                      ? feedName(a.imported.feedId)
                      : a.imported?.via === 'link'
                        ? `${t('partner link')} ${a.imported.agency ?? ''}`
                        : t('upload')}{' '}
                    · CAP {a.imported?.version ?? '1.2'} · {signature(a)}
                    <div>
                      <a href={`/api/alerts/${a.alertId}/received`} target="_blank" rel="noreferrer">
                        {t('Document as received')}
                      </a>
                    </div>
                  </td>
                  <td>
                    {officer && (
                      <button
                        type="button"
                        onClick={() =>
                          void run(
                            () => api(`/api/alerts/${a.alertId}/relay`, { method: 'POST', body: { channels: ['cap-feed', 'push'] } }),
                            t('Relay drafted: a second alert officer approves it in Public alerts.'),
                          )
                        }
                      >
                        {t('Relay to our subscribers')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {manages && (
        <section className="agency-feeds" data-testid="agency-feeds">
          <h3>{t('Feeds polled')}</h3>
          <p className="muted small">
            {t('Atom or RSS feeds that link CAP documents, or CAP endpoints. Only what is new is fetched; a failing feed is retried later and later.')}
          </p>
          <table className="table small">
            <thead>
              <tr>
                <th>{t('Name')}</th>
                <th>URL</th>
                <th>{t('Status')}</th>
                <th>{t('Imported')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {feeds.map((f) => (
                <tr key={f.feedId}>
                  <td>
                    {f.name}
                    {f.relayChannels.length > 0 && <div className="muted">{t('relayed after approval')}</div>}
                  </td>
                  <td className="url">{f.url}</td>
                  <td>
                    {!f.status ? t('not polled yet') : f.status.ok ? `✓ ${time(f.status.at)}` : `✗ ${f.status.error ?? ''}`}
                    {(f.status?.refused.length ?? 0) > 0 && (
                      <div className="warning" data-testid="feed-refused">
                        {refusalText(t, f.status!.refused[0]!)}
                      </div>
                    )}
                  </td>
                  <td>{f.status?.importedTotal ?? 0}</td>
                  <td>
                    <button type="button" onClick={() => void run(() => api(`/api/alerts/feeds/${f.feedId}/poll`, { method: 'POST' }))}>
                      {t('Poll now')}
                    </button>{' '}
                    <button type="button" onClick={() => void run(() => api(`/api/alerts/feeds/${f.feedId}`, { method: 'DELETE' }))}>
                      {t('Remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                await api('/api/alerts/feeds', {
                  method: 'POST',
                  body: {
                    name: feedForm.name,
                    url: feedForm.url,
                    intervalSeconds: feedForm.intervalSeconds,
                    relayChannels: feedForm.relay ? ['cap-feed', 'push'] : [],
                  },
                });
                setFeedForm({ name: '', url: '', intervalSeconds: 120, relay: false });
              });
            }}
          >
            <input
              aria-label={t('Feed name')}
              placeholder={t('Feed name')}
              value={feedForm.name}
              onChange={(e) => setFeedForm({ ...feedForm, name: e.target.value })}
            />
            <input
              aria-label={t('Feed URL')}
              placeholder="https://…"
              required
              value={feedForm.url}
              onChange={(e) => setFeedForm({ ...feedForm, url: e.target.value })}
            />
            <label>
              {t('Every (s)')}{' '}
              <input
                type="number"
                min={10}
                max={86400}
                value={feedForm.intervalSeconds}
                onChange={(e) => setFeedForm({ ...feedForm, intervalSeconds: Number(e.target.value) })}
              />
            </label>
            <label>
              <input type="checkbox" checked={feedForm.relay} onChange={(e) => setFeedForm({ ...feedForm, relay: e.target.checked })} />{' '}
              {t('Relay new alerts for approval')}
            </label>
            <button type="submit">{t('Subscribe')}</button>
          </form>
        </section>
      )}
      {manages && (
        <section className="agency-signers" data-testid="agency-signers">
          <h3>{t('Trusted signers')}</h3>
          <p className="muted small">{t('A sender with a trusted signer must sign its alerts: unsigned or badly signed ones are refused.')}</p>
          <table className="table small">
            <thead>
              <tr>
                <th>{t('Sender')}</th>
                <th>{t('Name')}</th>
                <th>{t('Fingerprint')}</th>
                <th>{t('Valid until')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {signers.map((s) => (
                <tr key={s.signerId}>
                  <td>{s.sender}</td>
                  <td>{s.name}</td>
                  <td className="url">{s.fingerprint.slice(0, 23)}…</td>
                  <td>{s.notAfter ? time(s.notAfter) : '—'}</td>
                  <td>
                    <button type="button" onClick={() => void run(() => api(`/api/alerts/signers/${s.signerId}`, { method: 'DELETE' }))}>
                      {t('Remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                await api('/api/alerts/signers', { method: 'POST', body: signerForm });
                setSignerForm({ sender: '', name: '', pem: '' });
              });
            }}
          >
            <input
              aria-label={t('CAP sender')}
              placeholder={t('CAP sender')}
              required
              value={signerForm.sender}
              onChange={(e) => setSignerForm({ ...signerForm, sender: e.target.value })}
            />
            <input
              aria-label={t('Signer name')}
              placeholder={t('Signer name')}
              value={signerForm.name}
              onChange={(e) => setSignerForm({ ...signerForm, name: e.target.value })}
            />
            <textarea
              aria-label={t('Certificate (PEM)')}
              placeholder="-----BEGIN CERTIFICATE-----"
              required
              rows={3}
              value={signerForm.pem}
              onChange={(e) => setSignerForm({ ...signerForm, pem: e.target.value })}
            />
            <button type="submit">{t('Trust')}</button>
          </form>
        </section>
      )}
    </div>
  );
}

/** Why a feed's document was refused, in the reader's language (its reason's sentence), else as the server said it. */
function refusalText(t: (key: string) => string, r: { reason: string; why?: { reason: string; params: Record<string, string | number> } }): string {
  return (r.why && reasonText(t, r.why.reason, r.why.params)) || r.reason;
}
