import { useCallback, useEffect, useState } from 'react';
import { LANGUAGES, useT } from '../i18n.js';
import { AlertsPanel, type PublicAlertView } from './AlertsPanel.js';
import { loadPlace, loadSubscription, savePlace, type DeviceSubscription, type Place } from './device.js';
import { SubscribePanel } from './SubscribePanel.js';
import { ReportPanel } from './ReportPanel.js';
import { MyReportsPanel } from './MyReportsPanel.js';
import { rememberFollow } from './report-store.js';
import { ConsultationsPanel, rememberAnswer } from './ConsultationsPanel.js';
import { OpenDataPanel } from './OpenDataPanel.js';
import { errorText } from '../errors.js';

type Tab = 'alerts' | 'report' | 'reports' | 'consultations' | 'subscribe' | 'open-data';
const TAB_HASH: Record<Tab, string> = {
  alerts: '',
  report: '#report',
  reports: '#reports',
  consultations: '#consultations',
  subscribe: '#subscribe',
  'open-data': '#open-data',
};

/** A personal follow link (?follow=…) opened on this device: its report joins "My reports". */
const followed = new URLSearchParams(location.search).get('follow');
if (followed) rememberFollow(followed);
/** A personal link to an answer to a consultation (?answer=…): it joins "My answers" on this device. */
const answerLink = new URLSearchParams(location.search).get('answer');
if (answerLink) rememberAnswer(answerLink);

/** The public citizen app: the alerts in force (covering the person's place first) and the subscription. No account. */
export function CitizenApp({ lang, setLang }: { lang: string; setLang: (l: string) => void }) {
  const t = useT();
  const focus = new URLSearchParams(location.search).get('alert');
  const [tab, setTabState] = useState<Tab>(
    () =>
      (Object.entries(TAB_HASH).find(([, h]) => h !== '' && h === location.hash)?.[0] as Tab | undefined) ??
      (followed ? 'reports' : answerLink ? 'consultations' : 'alerts'),
  );
  // The tab is in the address (#subscribe, #report, #reports, #consultations, #open-data), so a reload or a shared link opens the same one.
  const setTab = (t: Tab): void => {
    history.replaceState(null, '', `${location.pathname}${location.search}${TAB_HASH[t]}`);
    setTabState(t);
  };
  // A link to another tab of the page already open (…/citizen#open-data) opens that tab.
  useEffect(() => {
    const onHash = (): void => {
      const asked = Object.entries(TAB_HASH).find(([, h]) => h !== '' && h === location.hash)?.[0] as Tab | undefined;
      if (asked) setTabState(asked);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const [subscription, setSubscription] = useState<DeviceSubscription | null>(loadSubscription);
  const [place, setPlace] = useState<Place | null>(
    () => loadPlace() ?? subscription?.places.last ?? subscription?.places.home ?? subscription?.places.work ?? null,
  );
  const [alerts, setAlerts] = useState<PublicAlertView[] | null>(null);
  const [keptAt, setKeptAt] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pushed, setPushed] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const res = await fetch(`/api/public/alerts${place ? `?lat=${place.lat}&lon=${place.lon}` : ''}`);
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      const body = (await res.json()) as { alerts: PublicAlertView[] };
      setAlerts(body.alerts);
      // The service worker answers from its copy when the network is down, and says since when.
      setKeptAt(res.headers.get('x-vigil-offline') ? (res.headers.get('x-vigil-kept-at') ?? new Date(0).toISOString()) : null);
      setError(null);
    } catch (e) {
      setError(`${t('The alerts cannot be loaded')}: ${errorText(t, e)}`);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- t (useT) is new every render: as a dependency it would reload the alerts on every render
  }, [place]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 60_000);
    return () => clearInterval(timer);
  }, [refresh]);

  // A warning pushed while the app is open: say so and show it at once.
  useEffect(() => {
    const onMessage = (e: MessageEvent): void => {
      const d = e.data as { type?: string; title?: string } | null;
      if (d?.type !== 'vigil-push') return;
      setPushed(d.title ?? '');
      setTab('alerts');
      void refresh();
    };
    navigator.serviceWorker?.addEventListener('message', onMessage);
    return () => navigator.serviceWorker?.removeEventListener('message', onMessage);
  }, [refresh]);

  const places = subscription?.places ?? (place ? { last: place } : {});
  return (
    <div className="citizen">
      <header className="citizen-bar">
        <span className="brand">◉ Vigil</span>
        <span className="title">{t('Public alerts')}</span>
        <span className="spacer" />
        <select aria-label={t('Language')} value={lang} onChange={(e) => setLang(e.target.value)}>
          {LANGUAGES.map((l) => (
            <option key={l.code} value={l.code}>
              {l.name}
            </option>
          ))}
        </select>
      </header>
      <nav className="citizen-tabs six">
        <button className={tab === 'alerts' ? 'active' : ''} onClick={() => setTab('alerts')}>
          {t('Alerts')}
          {alerts && alerts.length > 0 ? ` (${alerts.length})` : ''}
        </button>
        <button className={tab === 'report' ? 'active' : ''} onClick={() => setTab('report')}>
          {t('Report')}
        </button>
        <button className={tab === 'reports' ? 'active' : ''} onClick={() => setTab('reports')}>
          {t('My reports')}
        </button>
        <button className={tab === 'consultations' ? 'active' : ''} onClick={() => setTab('consultations')}>
          {t('Consultations')}
        </button>
        <button className={tab === 'subscribe' ? 'active' : ''} onClick={() => setTab('subscribe')}>
          {subscription ? t('My warnings') : t('Get warnings')}
        </button>
        <button className={tab === 'open-data' ? 'active' : ''} onClick={() => setTab('open-data')}>
          {t('Open data')}
        </button>
      </nav>
      <main className="citizen-main">
        {pushed !== null && (
          <p className="pushed-box" role="alert" data-testid="pushed">
            {t('New warning')}: {pushed}{' '}
            <button className="link" onClick={() => setPushed(null)}>
              {t('Close')}
            </button>
          </p>
        )}
        {tab === 'alerts' && <AlertsPanel alerts={alerts} places={places} keptAt={keptAt} focus={focus} error={error} />}
        {tab === 'report' && <ReportPanel lang={lang} place={place} onSent={() => undefined} />}
        {tab === 'reports' && <MyReportsPanel lang={lang} />}
        {tab === 'consultations' && <ConsultationsPanel />}
        {tab === 'open-data' && <OpenDataPanel lang={lang} />}
        {tab === 'subscribe' && (
          <SubscribePanel
            lang={lang}
            subscription={subscription}
            onChange={(s, p) => {
              setSubscription(s);
              if (p) {
                savePlace(p);
                setPlace(p);
              }
            }}
          />
        )}
      </main>
    </div>
  );
}
