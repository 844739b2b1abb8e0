import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FollowView } from '../../../src/citizen-reports/contract.js';
import { useT, useTime } from '../i18n.js';
import { CitizenMap, type MapPoint } from './CitizenMap.js';
import { flushQueue, loadQueue, loadSent, saveSent, type SentReport } from './report-store.js';

interface PublicRequest {
  service_request_id: string;
  service_name: string;
  agency_responsible?: string;
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
  'work-order': 'A work order has been issued',
  merged: 'Merged with another report',
  resolved: 'Resolved',
};

/** A due day (YYYY-MM-DD) in words: "12 December" / "12 décembre". */
const dueDay = (date: string, lang: string): string =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long' });

/** A public report opened by its link (`/citizen?report=<id>`, e.g. the one a merged report joined). */
const linkedReport = (): string | null => new URLSearchParams(location.search).get('report');

/**
 * A note as text, with the link a merged report's note gives to the report it joined (`…/citizen?report=<id>`)
 * made a link of this app that reads "Follow that report" (only the id is taken from it; other URLs stay text).
 */
function NoteText({ text }: { text: string }) {
  const t = useT();
  const parts = text.split(/(https?:\/\/\S+)/);
  return (
    <>
      {parts.map((p, i) => {
        let reportId: string | null = null;
        try {
          const url = new URL(p);
          if (i % 2 === 1 && url.pathname === '/citizen') reportId = url.searchParams.get('report');
        } catch {
          reportId = null;
        }
        return reportId ? (
          <a key={i} href={`/citizen?report=${encodeURIComponent(reportId)}#reports`}>
            {t('Follow that report')}
          </a>
        ) : (
          p
        );
      })}
    </>
  );
}

/** My reports (followed with their personal links, no account) and the city's public reports on a map. */
export function MyReportsPanel({ lang }: { lang: string }) {
  const t = useT();
  const time = useTime();
  const l = lang === 'fr' ? 'fr' : 'en';
  const [focusId, setFocusId] = useState<string | null>(linkedReport);
  const [focused, setFocused] = useState<PublicRequest | null>(null);
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

  // The public report opened by its link, whatever its age (the list holds the last 90 days).
  useEffect(() => {
    if (!focusId) {
      setFocused(null);
      return;
    }
    let gone = false;
    void (async () => {
      try {
        const res = await fetch(`/open311/v2/requests/${encodeURIComponent(focusId)}.json?locale=${l}`);
        const found = res.ok ? ((await res.json()) as PublicRequest[])[0] : undefined;
        if (!gone) setFocused(found ?? null);
      } catch {
        // Offline: nothing to show yet.
      }
    })();
    return () => {
      gone = true;
    };
  }, [focusId, l]);

  const follow = (reportId: string): void => {
    history.replaceState(null, '', `${location.pathname}?report=${encodeURIComponent(reportId)}#reports`);
    setFocusId(reportId);
    window.scrollTo({ top: 0 });
  };

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
      {focused && (
        <section className={`report-card status-${focused.status} linked-report`} data-testid="linked-report" aria-labelledby="linked-report-title">
          <h2 id="linked-report-title">{t('A report of the city')}</h2>
          <h3>{focused.service_name}</h3>
          <p>
            <strong data-testid="linked-report-status">{focused.status === 'open' ? t('open') : t('closed')}</strong>
            {focused.agency_responsible ? ` · ${focused.agency_responsible}` : ''}
          </p>
          <p>
            {focused.address ?? t('Position on the map only')} · {t('Sent')} {time(focused.requested_datetime)}
          </p>
          {focused.status_notes && (
            <p data-testid="linked-report-note" className="note-text">
              <NoteText text={focused.status_notes} />
            </p>
          )}
        </section>
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
                  {view.workDue ? ` · ${t('work due by')} ${dueDay(view.workDue, l)}` : ''}
                </p>
                {view.joined && (
                  <div className="joined-report" data-testid="my-report-joined">
                    <p>
                      {view.joined.address ? t('The same problem was already reported:') : t('The same problem was already reported nearby:')}{' '}
                      <strong>{view.joined.serviceName[l]}</strong>
                      {view.joined.address ? `, ${view.joined.address}` : ''} · {t('received')} {time(view.joined.requestedAt)}.{' '}
                      {t('Your report now follows that one.')}
                    </p>
                    {view.joined.mergeNote && <p>{view.joined.mergeNote}</p>}
                    <a
                      href={`?report=${encodeURIComponent(view.joined.reportId)}#reports`}
                      data-testid="follow-joined"
                      onClick={(e) => {
                        e.preventDefault();
                        follow(view.joined!.reportId);
                      }}
                    >
                      {t('Follow that report')}
                    </a>
                  </div>
                )}
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
            {r.status_notes ? (
              <p className="small note-text">
                <NoteText text={r.status_notes} />
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
