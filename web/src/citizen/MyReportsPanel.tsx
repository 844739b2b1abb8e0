import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FollowView } from '../../../src/citizen-reports/contract.js';
import { useT, useTime } from '../i18n.js';
import { CitizenMap, type MapPoint } from './CitizenMap.js';
import { flushQueue, loadQueue, loadSent, saveSent, type SentReport } from './report-store.js';

interface PublicRequest {
  service_request_id: string;
  service_name: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  requested_datetime: string;
  address: string | null;
  lat: number;
  long: number;
}

const STATUS_TEXT: Record<FollowView['status'], string> = {
  received: 'Received',
  acknowledged: 'Acknowledged',
  'in-progress': 'Being handled',
  merged: 'Merged with another report',
  resolved: 'Resolved',
};

/** My reports (followed with their personal links, no account) and the city's public reports on a map. */
export function MyReportsPanel({ lang }: { lang: string }) {
  const t = useT();
  const time = useTime();
  const l = lang === 'fr' ? 'fr' : 'en';
  const [mine, setMine] = useState<{ sent: SentReport; view: FollowView | null }[]>([]);
  const [waiting, setWaiting] = useState(loadQueue().length);
  const [newlyResolved, setNewlyResolved] = useState<string[]>([]);
  const [publicReports, setPublic] = useState<PublicRequest[]>([]);

  const refresh = useCallback(async () => {
    if (navigator.onLine && loadQueue().length > 0) await flushQueue();
    setWaiting(loadQueue().length);
    const sent = loadSent();
    const views = await Promise.all(
      sent.map(async (s) => {
        try {
          const res = await fetch(`/api/public/citizen-reports/follow/${encodeURIComponent(s.followToken)}`);
          return res.ok ? ((await res.json()) as { report: FollowView }).report : null;
        } catch {
          return null;
        }
      }),
    );
    // A status that became "resolved" since it was last shown is announced once.
    const resolved = sent.flatMap((s, i) => (views[i]?.status === 'resolved' && s.seenStatus !== 'resolved' ? [views[i].reportId] : []));
    if (resolved.length > 0) setNewlyResolved(resolved);
    saveSent(sent.map((s, i) => (views[i] ? { ...s, reportId: views[i].reportId, serviceCode: views[i].serviceCode, seenStatus: views[i].status } : s)));
    setMine(sent.map((s, i) => ({ sent: s, view: views[i] ?? null })).reverse());
    try {
      const res = await fetch(`/open311/v2/requests.json?locale=${l}`);
      if (res.ok) setPublic((await res.json()) as PublicRequest[]);
    } catch {
      // Offline: the map keeps what it showed.
    }
  }, [l]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 30_000);
    const online = (): void => void refresh();
    window.addEventListener('online', online);
    return () => {
      clearInterval(timer);
      window.removeEventListener('online', online);
    };
  }, [refresh]);

  const points: MapPoint[] = useMemo(
    () => publicReports.map((r) => ({ id: r.service_request_id, lat: r.lat, lon: r.long, open: r.status === 'open' })),
    [publicReports],
  );

  return (
    <section className="citizen-reports" data-testid="my-reports">
      {newlyResolved.length > 0 && (
        <p className="done-box" role="alert" data-testid="resolved-notice">
          {t('One of your reports was resolved.')}{' '}
          <button className="link" onClick={() => setNewlyResolved([])}>
            {t('Close')}
          </button>
        </p>
      )}
      {waiting > 0 && (
        <p className="offline-note" data-testid="queued">
          {waiting} {t('report(s) waiting for the network on this device')}
        </p>
      )}
      <h2>{t('My reports')}</h2>
      {mine.length === 0 && <p className="muted">{t('No report sent from this device yet.')}</p>}
      <ul className="report-cards">
        {mine.map(({ sent, view }) => (
          <li key={sent.followToken} className={`report-card status-${view?.status ?? 'unknown'}`} data-testid="my-report">
            <h3>{view ? view.serviceName[l] : sent.serviceCode || t('Report')}</h3>
            {view ? (
              <>
                <p>
                  <strong data-testid="my-report-status">{t(STATUS_TEXT[view.status])}</strong> · {view.agencyResponsible}
                  {view.incidentReference ? ` · ${view.incidentReference}` : ''}
                </p>
                {view.publicNote && <p data-testid="my-report-note">{view.publicNote}</p>}
                <p className="muted small">
                  {t('Sent')} {time(view.requestedAt)} · {t('Updated')} {time(view.updatedAt)}
                </p>
              </>
            ) : (
              <p className="muted">{t('Status not available right now')}</p>
            )}
          </li>
        ))}
      </ul>
      <h2>{t("The city's reports")}</h2>
      <CitizenMap testId="public-reports-map" places={{}} points={points} />
      <p className="muted small">
        <span className="dot dot-open" /> {t('open')} · <span className="dot dot-closed" /> {t('closed')} · {publicReports.length}{' '}
        {t('reports in the last 90 days')}
      </p>
      <ul className="report-cards compact">
        {publicReports.slice(0, 20).map((r) => (
          <li key={r.service_request_id} className={`report-card status-${r.status}`}>
            <strong>{r.service_name}</strong> · {r.status === 'open' ? t('open') : t('closed')} · {time(r.requested_datetime)}
            {r.status_notes ? <p className="small">{r.status_notes}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
