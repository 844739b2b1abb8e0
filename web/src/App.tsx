import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type Me } from './api.js';
import { LANGUAGES, LanguageContext, useT } from './i18n.js';
import { useLiveEvents } from './live.js';
import { SignIn } from './pages/SignIn.js';
import { MapPage } from './pages/MapPage.js';
import { AuditPage } from './pages/AuditPage.js';
import { PrivacyPage } from './pages/PrivacyPage.js';
import { AdminPage } from './pages/AdminPage.js';
import { AlarmsPage } from './pages/AlarmsPage.js';
import { AlertsPage } from './pages/AlertsPage.js';
import { SecurityPage } from './pages/SecurityPage.js';
import { SafePage } from './pages/SafePage.js';
import { CockpitPage } from './pages/CockpitPage.js';
import { IncidentsPage } from './pages/IncidentsPage.js';
import { ResponderPage } from './pages/ResponderPage.js';
import { RoutingPage } from './pages/RoutingPage.js';
import { EventsPage } from './pages/EventsPage.js';
import { CrowdPage } from './pages/CrowdPage.js';
import { ExchangePage } from './pages/ExchangePage.js';
import { LiveFeed } from './components/LiveFeed.js';

type Page =
  | 'map'
  | 'alarms'
  | 'alerts'
  | 'incidents'
  | 'responder'
  | 'events'
  | 'routing'
  | 'crowd'
  | 'cockpit'
  | 'audit'
  | 'privacy'
  | 'admin'
  | 'security'
  | 'exchange';
const PATHS: Record<Page, string> = {
  map: '/',
  alarms: '/alarms',
  alerts: '/alerts',
  incidents: '/incidents',
  responder: '/responder',
  events: '/events',
  routing: '/routing',
  crowd: '/crowd',
  cockpit: '/cockpit',
  audit: '/audit',
  privacy: '/privacy',
  admin: '/admin',
  security: '/security',
  exchange: '/exchange',
};
const pageOf = (path: string): Page => (Object.entries(PATHS).find(([, p]) => p === path)?.[0] as Page | undefined) ?? 'map';

export function App() {
  const [lang, setLang] = useState(() => localStorage.getItem('vigil.lang') ?? (navigator.language.startsWith('fr') ? 'fr' : 'en'));
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [timeZone, setTimeZone] = useState('UTC');
  useEffect(() => {
    api<{ timeZone: string }>('/api/city').then(
      (c) => setTimeZone(c.timeZone),
      () => {},
    );
  }, []);
  const refresh = useCallback(() => {
    api<Me>('/api/auth/me').then(setMe, (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) setMe(null);
      else setMe(null);
    });
  }, []);
  useEffect(refresh, [refresh]);
  useEffect(() => {
    localStorage.setItem('vigil.lang', lang);
    document.documentElement.lang = lang;
  }, [lang]);
  // The personal "are you safe?" link works without signing in.
  const safeToken = location.pathname.startsWith('/safe/') ? decodeURIComponent(location.pathname.slice('/safe/'.length)) : null;
  if (safeToken) {
    return (
      <LanguageContext.Provider value={{ lang, setLang, timeZone }}>
        <SafePage token={safeToken} />
      </LanguageContext.Provider>
    );
  }
  return (
    <LanguageContext.Provider value={{ lang, setLang, timeZone }}>
      {me === undefined ? (
        <div className="loading">Vigil…</div>
      ) : me === null ? (
        <SignIn onSignedIn={refresh} />
      ) : me.enrolmentOnly ? (
        <EnrolFirst me={me} onChanged={refresh} onSignedOut={() => setMe(null)} />
      ) : (
        <Shell me={me} onSignedOut={() => setMe(null)} onChanged={refresh} />
      )}
    </LanguageContext.Provider>
  );
}

/** A high-privilege user's first sign-in: nothing but enrolling a second factor. */
function EnrolFirst({ me, onChanged, onSignedOut }: { me: Me; onChanged: () => void; onSignedOut: () => void }) {
  return (
    <div className="signin">
      <div>
        <p className="ok-box" role="status">
          Your roles ({me.org?.name ?? 'your organisation'}) require a second factor. Add a passkey or an authenticator app to continue.
        </p>
        <SecurityPage me={me} onChanged={onChanged} />
        <button onClick={() => void api('/api/auth/logout', { method: 'POST' }).finally(onSignedOut)}>Sign out</button>
      </div>
    </div>
  );
}

function Shell({ me, onSignedOut, onChanged }: { me: Me; onSignedOut: () => void; onChanged: () => void }) {
  const t = useT();
  const [page, setPage] = useState<Page>(() => pageOf(location.pathname));
  const [feedOpen, setFeedOpen] = useState(true);
  const live = useLiveEvents(true);
  const go = (p: Page): void => {
    history.pushState(null, '', PATHS[p]);
    setPage(p);
  };
  useEffect(() => {
    const onPop = (): void => setPage(pageOf(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const canAudit = me.roles.some((r) => r === 'admin' || r === 'supervisor' || r === 'csirt');
  const isAdmin = me.roles.includes('admin');
  const canAlarms = me.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'commander' || r === 'admin');
  const canAlerts = me.roles.some((r) => r === 'alert-officer' || r === 'admin' || r === 'commander' || r === 'analyst');
  const canIncidents = me.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'commander' || r === 'admin' || r === 'alert-officer');
  const isResponder = me.roles.includes('responder');
  const canEvents = me.roles.some((r) => r === 'commander' || r === 'responder' || r === 'supervisor' || r === 'operator' || r === 'admin');
  const canCrowd = me.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'commander');
  const canCockpit = me.roles.some((r) => r === 'analyst' || r === 'admin');
  const canExchange = me.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'commander' || r === 'admin');
  const signOut = async (): Promise<void> => {
    await api('/api/auth/logout', { method: 'POST' }).catch(() => {});
    onSignedOut();
  };
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">◉ Vigil</span>
        <nav>
          <button className={page === 'map' ? 'active' : ''} onClick={() => go('map')}>
            {t('Map')}
          </button>
          {canAlarms && (
            <button className={page === 'alarms' ? 'active' : ''} onClick={() => go('alarms')}>
              {t('Alarms')}
            </button>
          )}
          {canAlerts && (
            <button className={page === 'alerts' ? 'active' : ''} onClick={() => go('alerts')}>
              {t('Public alerts')}
            </button>
          )}
          {canIncidents && (
            <button className={page === 'incidents' ? 'active' : ''} onClick={() => go('incidents')}>
              {t('Incidents')}
            </button>
          )}
          {isResponder && (
            <button className={page === 'responder' ? 'active' : ''} onClick={() => go('responder')}>
              {t('My unit')}
            </button>
          )}
          {canEvents && (
            <button className={page === 'events' ? 'active' : ''} onClick={() => go('events')}>
              {t('Events')}
            </button>
          )}
          <button className={page === 'routing' ? 'active' : ''} onClick={() => go('routing')}>
            {t('Routing')}
          </button>
          {canCrowd && (
            <button className={page === 'crowd' ? 'active' : ''} onClick={() => go('crowd')}>
              {t('Crowd')}
            </button>
          )}
          {canCockpit && (
            <button className={page === 'cockpit' ? 'active' : ''} onClick={() => go('cockpit')}>
              {t('Cockpit')}
            </button>
          )}
          {canAudit && (
            <button className={page === 'audit' ? 'active' : ''} onClick={() => go('audit')}>
              {t('Audit trail')}
            </button>
          )}
          {canAudit && (
            <button className={page === 'privacy' ? 'active' : ''} onClick={() => go('privacy')}>
              {t('Privacy')}
            </button>
          )}
          {isAdmin && (
            <button className={page === 'admin' ? 'active' : ''} onClick={() => go('admin')}>
              {t('Administration')}
            </button>
          )}
          <button className={page === 'security' ? 'active' : ''} onClick={() => go('security')}>
            {t('Security')}
          </button>
          {canExchange && (
            <button className={page === 'exchange' ? 'active' : ''} onClick={() => go('exchange')}>
              {t('Exchange')}
            </button>
          )}
        </nav>
        <span className="spacer" />
        <button className={`live-indicator ${live.connected ? 'on' : 'off'}`} onClick={() => setFeedOpen(!feedOpen)} title={t('Live events')}>
          ● {live.connected ? t('Connected') : t('Disconnected')}
        </button>
        <LanguagePicker />
        <span className="who" data-testid="who">
          {me.displayName} · {me.org?.name ?? ''} · {me.roles.join(', ')}
          {me.authLevel >= 2 ? ' · 2FA' : ''}
        </span>
        <button onClick={() => void signOut()}>{t('Sign out')}</button>
      </header>
      <main className={feedOpen ? 'with-feed' : ''}>
        <section className="page">
          {page === 'map' && <MapPage me={me} recent={live.recent} />}
          {page === 'alarms' && canAlarms && <AlarmsPage me={me} recent={live.recent} />}
          {page === 'alerts' && canAlerts && <AlertsPage me={me} recent={live.recent} />}
          {page === 'incidents' && canIncidents && <IncidentsPage me={me} recent={live.recent} />}
          {page === 'responder' && isResponder && <ResponderPage me={me} recent={live.recent} />}
          {page === 'events' && canEvents && <EventsPage me={me} recent={live.recent} />}
          {page === 'routing' && <RoutingPage me={me} />}
          {page === 'crowd' && canCrowd && <CrowdPage me={me} recent={live.recent} />}
          {page === 'cockpit' && canCockpit && <CockpitPage />}
          {page === 'audit' && canAudit && <AuditPage />}
          {page === 'privacy' && canAudit && <PrivacyPage me={me} />}
          {page === 'admin' && isAdmin && <AdminPage me={me} />}
          {page === 'security' && <SecurityPage me={me} onChanged={onChanged} />}
          {page === 'exchange' && canExchange && <ExchangePage me={me} recent={live.recent} />}
        </section>
        {feedOpen && <LiveFeed events={live.recent} connected={live.connected} />}
      </main>
    </div>
  );
}

function LanguagePicker() {
  return (
    <LanguageContext.Consumer>
      {({ lang, setLang }) => (
        <select aria-label="Language" value={lang} onChange={(e) => setLang(e.target.value)}>
          {LANGUAGES.map((l) => (
            <option key={l.code} value={l.code}>
              {l.name}
            </option>
          ))}
        </select>
      )}
    </LanguageContext.Consumer>
  );
}
