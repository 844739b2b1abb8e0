import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Me, type Role } from './api.js';
import { DirectoryContext, useLoadDirectory } from './directory.js';
import { LANGUAGES, LanguageContext, useT } from './i18n.js';
import { useLiveEvents } from './live.js';
import { keepScrollersFocusable } from './a11y.js';
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
import { OtherAgenciesPage } from './pages/OtherAgenciesPage.js';
import { CitizenReportsPage } from './pages/CitizenReportsPage.js';
import { CsirtPage } from './pages/CsirtPage.js';
import { DeviceSecurityPage } from './pages/DeviceSecurityPage.js';
import { ExchangePage } from './pages/ExchangePage.js';
import { EngagementPage } from './pages/EngagementPage.js';
import { LiveFeed } from './components/LiveFeed.js';
import { ROLE_LABELS, wordFor } from './labels.js';

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
  | 'agencies'
  | 'reports'
  | 'csirt'
  | 'device-security'
  | 'exchange'
  | 'engagement';
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
  agencies: '/agencies',
  reports: '/reports',
  csirt: '/csirt',
  'device-security': '/device-security',
  exchange: '/exchange',
  engagement: '/engagement',
};
const pageOf = (path: string): Page => (Object.entries(PATHS).find(([, p]) => p === path)?.[0] as Page | undefined) ?? 'map';

export function App() {
  const [lang, setLangState] = useState(() => {
    const initial = localStorage.getItem('vigil.lang') ?? (navigator.language.startsWith('fr') ? 'fr' : 'en');
    // Before the first render's effects: a map mounted at once takes its controls' language from <html lang>.
    document.documentElement.lang = initial;
    return initial;
  });
  // <html lang> before the render in the new language: formatNumber reads it while rendering.
  const setLang = useCallback((l: string) => {
    document.documentElement.lang = l;
    setLangState(l);
  }, []);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [timeZone, setTimeZone] = useState('UTC');
  useEffect(() => {
    api<{ timeZone: string }>('/api/city').then(
      (c) => setTimeZone(c.timeZone),
      () => {},
    );
  }, []);
  // GET /api/auth/session answers 200 signed in or not: no 401 in the console before sign-in.
  const refresh = useCallback(() => {
    api<{ signedIn: boolean; me: Me | null }>('/api/auth/session').then(
      (s) => setMe(s.me),
      () => setMe(null),
    );
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
  const t = useT();
  return (
    <div className="signin">
      <div>
        <p className="ok-box" role="status">
          {t('Your roles ({org}) require a second factor. Add a passkey or an authenticator app to continue.').replace(
            '{org}',
            me.org?.name ?? t('your organisation'),
          )}
        </p>
        <SecurityPage me={me} onChanged={onChanged} />
        <button onClick={() => void api('/api/auth/logout', { method: 'POST' }).finally(onSignedOut)}>{t('Sign out')}</button>
      </div>
    </div>
  );
}

/**
 * Navigation per role, from this one table: a page shows in the bar only for roles that can use it
 * (the same roles its API answers). `probe`: pages whose use depends on the user's data (a unit crew,
 * an event taking part in) show once it answers yes; the page itself explains when there is nothing.
 */
interface NavItem {
  page: Page;
  label: string;
  roles: readonly Role[] | 'all';
  probe?: () => Promise<boolean>;
}
export const NAV: readonly NavItem[] = [
  { page: 'map', label: 'Map', roles: 'all' },
  { page: 'alarms', label: 'Alarms', roles: ['operator', 'supervisor', 'commander', 'admin'] },
  { page: 'alerts', label: 'Public alerts', roles: ['alert-officer', 'admin', 'commander', 'analyst'] },
  { page: 'incidents', label: 'Incidents', roles: ['operator', 'supervisor', 'commander', 'admin', 'alert-officer'] },
  {
    page: 'responder',
    label: 'My unit',
    roles: ['responder'],
    probe: () => api<{ unit: unknown }>('/api/incidents/assigned').then((r) => r.unit !== null),
  },
  {
    page: 'events',
    label: 'Events',
    roles: ['commander', 'responder', 'supervisor', 'operator', 'admin'],
    probe: () => api<{ events: unknown[] }>('/api/events').then((r) => r.events.length > 0),
  },
  { page: 'routing', label: 'Routing', roles: ['operator', 'supervisor', 'commander', 'responder', 'alert-officer', 'admin'] },
  {
    page: 'crowd',
    label: 'Crowd',
    roles: ['operator', 'supervisor', 'commander'],
    probe: () => api<{ zones: unknown[] }>('/api/crowd').then((r) => r.zones.length > 0),
  },
  { page: 'cockpit', label: 'Cockpit', roles: ['analyst', 'admin'] },
  { page: 'audit', label: 'Audit trail', roles: ['admin', 'supervisor', 'csirt'] },
  { page: 'privacy', label: 'Privacy', roles: ['admin', 'supervisor', 'csirt'] },
  { page: 'agencies', label: 'Other agencies', roles: ['alert-officer', 'admin', 'commander', 'analyst'] },
  { page: 'reports', label: 'Citizen reports', roles: ['operator', 'supervisor', 'commander', 'responder', 'admin'] },
  { page: 'csirt', label: 'CSIRT', roles: ['csirt', 'admin', 'supervisor'] },
  { page: 'device-security', label: 'Device security', roles: ['csirt', 'supervisor', 'admin'] },
  { page: 'exchange', label: 'Exchange', roles: ['operator', 'supervisor', 'commander', 'admin'] },
  { page: 'engagement', label: 'Engagement', roles: ['admin', 'analyst'] },
  { page: 'admin', label: 'Administration', roles: ['admin'] },
  { page: 'security', label: 'Security', roles: 'all' },
];
const holds = (me: Me, item: NavItem): boolean => item.roles === 'all' || item.roles.some((r) => me.roles.includes(r));

function Shell({ me, onSignedOut, onChanged }: { me: Me; onSignedOut: () => void; onChanged: () => void }) {
  const t = useT();
  const [page, setPage] = useState<Page>(() => pageOf(location.pathname));
  const [feedOpen, setFeedOpen] = useState(() => localStorage.getItem('vigil.feed') !== 'closed');
  const live = useLiveEvents(true);
  // Reloaded when an incident opens or is renamed: links to it (events page) then read its title.
  const lastIncidentChange = live.recent.find((e) => e.type === 'incidents.incident.opened' || e.type === 'incidents.incident.updated')?.seq ?? 0;
  const directory = useLoadDirectory(`${me.actor}|${lastIncidentChange}`);
  // Pages with a probe: shown once it says the user has something there (unknown until it answers).
  const [probed, setProbed] = useState<Partial<Record<Page, boolean>>>({});
  useEffect(() => {
    for (const item of NAV) {
      if (!item.probe || !holds(me, item)) continue;
      item.probe().then(
        (yes) => setProbed((p) => ({ ...p, [item.page]: yes })),
        () => setProbed((p) => ({ ...p, [item.page]: false })),
      );
    }
  }, [me]);
  const allowed = (p: Page): boolean => NAV.some((i) => i.page === p && holds(me, i));
  const shown = NAV.filter((i) => holds(me, i) && (!i.probe || probed[i.page] === true || page === i.page));
  const go = (p: Page): void => {
    history.pushState(null, '', PATHS[p]);
    setPage(p);
  };
  const toggleFeed = (open: boolean): void => {
    localStorage.setItem('vigil.feed', open ? 'open' : 'closed');
    setFeedOpen(open);
  };
  useEffect(() => {
    const onPop = (): void => setPage(pageOf(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const signOut = async (): Promise<void> => {
    await api('/api/auth/logout', { method: 'POST' }).catch(() => {});
    onSignedOut();
  };
  const current = allowed(page) ? page : 'map';
  // Scrolling tables and panes (phones) are reachable by keyboard.
  const mainRef = useRef<HTMLElement>(null);
  const scrollLabel = t('Scrollable content');
  useEffect(() => (mainRef.current ? keepScrollersFocusable(mainRef.current, () => scrollLabel) : undefined), [scrollLabel]);
  return (
    <DirectoryContext.Provider value={directory}>
      <div className="shell">
        <header className="topbar">
          <span className="brand">◉ Vigil</span>
          <NavBar items={shown} current={current} go={go} />
          <span className="spacer" />
          <button
            className={`live-indicator ${live.connected ? 'on' : 'off'}`}
            onClick={() => toggleFeed(!feedOpen)}
            title={feedOpen ? t('Hide live events') : t('Show live events')}
            aria-pressed={feedOpen}
            data-testid="feed-toggle"
          >
            ● <span className="live-text">{live.connected ? t('Connected') : t('Disconnected')}</span>
          </button>
          <LanguagePicker />
          <span
            className="who"
            data-testid="who"
            title={`${me.org?.name ?? ''} · ${me.roles.map((r) => wordFor(t, ROLE_LABELS, r)).join(', ')}${me.authLevel >= 2 ? ' · 2FA' : ''}`}
          >
            {me.displayName}
            <span className="who-org"> · {me.org?.name ?? ''}</span>
          </span>
          <button onClick={() => void signOut()}>{t('Sign out')}</button>
        </header>
        <main ref={mainRef} className={feedOpen ? 'with-feed' : ''}>
          <section className="page">
            {current === 'map' && <MapPage me={me} recent={live.recent} />}
            {current === 'alarms' && <AlarmsPage me={me} recent={live.recent} />}
            {current === 'alerts' && <AlertsPage me={me} recent={live.recent} />}
            {current === 'incidents' && <IncidentsPage me={me} recent={live.recent} />}
            {current === 'responder' && <ResponderPage me={me} recent={live.recent} />}
            {current === 'events' && <EventsPage me={me} recent={live.recent} />}
            {current === 'routing' && <RoutingPage me={me} />}
            {current === 'crowd' && <CrowdPage me={me} recent={live.recent} />}
            {current === 'cockpit' && <CockpitPage />}
            {current === 'audit' && <AuditPage />}
            {current === 'privacy' && <PrivacyPage me={me} />}
            {current === 'admin' && <AdminPage me={me} />}
            {current === 'security' && <SecurityPage me={me} onChanged={onChanged} />}
            {current === 'agencies' && <OtherAgenciesPage me={me} />}
            {current === 'reports' && <CitizenReportsPage me={me} recent={live.recent} />}
            {current === 'csirt' && <CsirtPage me={me} recent={live.recent} />}
            {current === 'device-security' && <DeviceSecurityPage me={me} recent={live.recent} />}
            {current === 'exchange' && <ExchangePage me={me} recent={live.recent} />}
            {current === 'engagement' && <EngagementPage me={me} recent={live.recent} />}
          </section>
          {feedOpen && <LiveFeed events={live.recent} connected={live.connected} onClose={() => toggleFeed(false)} />}
        </main>
      </div>
    </DirectoryContext.Provider>
  );
}

/**
 * How much of the pages' names the bar shows before the rest go under "More", in characters: an
 * administrator's first eight pages in English (fits 1440 px with the user's name, the live indicator and
 * the language). French names are longer, so fewer pages go inline (eight overlapped the live indicator).
 */
const INLINE_LABEL_CHARS = 64;

/**
 * The page bar: the first pages inline, the others in a disclosure menu, so an administrator's
 * eighteen pages stay on one line and all reachable (no hidden sideways scroll).
 */
function NavBar({ items, current, go }: { items: readonly NavItem[]; current: Page; go: (p: Page) => void }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);
  let fitting = 0;
  for (let chars = 0; fitting < items.length; fitting++) {
    chars += t(items[fitting]!.label).length;
    if (chars > INLINE_LABEL_CHARS) break;
  }
  const inline = items.length > fitting + 1 ? items.slice(0, fitting) : items;
  const more = items.slice(inline.length);
  const currentInMore = more.find((i) => i.page === current);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent): void => {
      if (!menuRef.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false);
    };
    addEventListener('mousedown', onDown);
    addEventListener('keydown', onKey);
    return () => {
      removeEventListener('mousedown', onDown);
      removeEventListener('keydown', onKey);
    };
  }, [open]);
  const entry = (i: NavItem) => (
    <button
      key={i.page}
      data-page={i.page}
      className={current === i.page ? 'active' : ''}
      aria-current={current === i.page ? 'page' : undefined}
      onClick={() => {
        setOpen(false);
        go(i.page);
      }}
    >
      {t(i.label)}
    </button>
  );
  return (
    <nav aria-label={t('Pages')}>
      {inline.map(entry)}
      {more.length > 0 && (
        <div className="nav-more" ref={menuRef}>
          <button
            className={currentInMore ? 'active' : ''}
            aria-expanded={open}
            aria-controls="nav-more-list"
            data-testid="nav-more"
            onClick={() => setOpen(!open)}
          >
            {currentInMore ? t(currentInMore.label) : t('More')} ▾
          </button>
          <div id="nav-more-list" className="nav-more-list" hidden={!open}>
            {more.map(entry)}
          </div>
        </div>
      )}
    </nav>
  );
}

function LanguagePicker() {
  const t = useT();
  return (
    <LanguageContext.Consumer>
      {({ lang, setLang }) => (
        <select aria-label={t('Language')} value={lang} onChange={(e) => setLang(e.target.value)}>
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
