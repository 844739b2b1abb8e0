import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, type Me, type Role } from '../api.js';
import { useT } from '../i18n.js';
import { ORG_KIND_LABELS, ROLE_LABELS, wordFor } from '../labels.js';
import { AlertAuthorities } from './AlertAuthorities.js';
import { DemoInboxPanel } from './DemoInboxPanel.js';
import { DeviceCredentialsPanel } from './DeviceCredentialsPanel.js';
import { ReceiverStatusPanel } from './ReceiverStatusPanel.js';
import { useAction } from '../use-action.js';
import { WebhooksScreen } from './WebhooksScreen.js';
import { errorText } from '../errors.js';

interface Org {
  id: string;
  name: string;
  kind: string;
  platform: boolean;
  /** The roles its members may hold (its kind's ceiling). */
  roleCeiling?: Role[];
}
interface User {
  id: string;
  username: string;
  orgId: string;
  roles: Role[];
  displayName: string;
  totpEnabled: boolean;
  disabled: boolean;
}
interface Share {
  id: string;
  fromOrgId: string;
  toOrgId: string;
  /** 'read': the partner sees the data; 'act': it also operates on it (never configures it). */
  rights: 'read' | 'act';
  note: string;
  createdAt: string;
}
interface ApiKey {
  id: string;
  orgId: string;
  name: string;
  roles: Role[];
  prefix: string;
  createdAt: string;
  revoked: boolean;
}
interface ImportProgress {
  importId: string;
  phase: string;
  done: number;
  total: number;
  error: string | null;
  counts: Record<string, number> | null;
}

const ROLES: Role[] = ['operator', 'supervisor', 'alert-officer', 'commander', 'responder', 'analyst', 'csirt', 'admin'];
const PLATFORM_GRANTED: Role[] = ['alert-officer', 'csirt'];
const KINDS = ['city', 'police', 'fire', 'ems', 'monitoring', 'security', 'event-organiser', 'utility', 'other'];

export function AdminPage({ me }: { me: Me }) {
  const t = useT();
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [shares, setShares] = useState<Share[]>([]);
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const orgName = (id: string): string => orgs.find((o) => o.id === id)?.name ?? id;

  const reload = useCallback(async () => {
    const [o, u, s, k] = await Promise.all([
      api<{ orgs: Org[] }>('/api/identity/orgs'),
      api<{ users: User[] }>('/api/identity/users'),
      api<{ shares: Share[] }>('/api/identity/shares'),
      api<{ apiKeys: ApiKey[] }>('/api/identity/api-keys'),
    ]);
    setOrgs(o.orgs);
    setUsers(u.users);
    setShares(s.shares);
    setKeys(k.apiKeys);
  }, []);
  const { error, setError, notice, setNotice, run: act } = useAction(reload);
  useEffect(() => void reload().catch((e: unknown) => setError(errorText(t, e))), [reload, setError, t]);

  const [newUser, setNewUser] = useState({ username: '', displayName: '', password: '', orgId: me.orgId ?? '', roles: new Set<Role>(['operator']) });
  const [newOrg, setNewOrg] = useState({ name: '', kind: 'other' });
  const [newShare, setNewShare] = useState<{ toOrgId: string; note: string; rights: Share['rights'] }>({ toOrgId: '', note: '', rights: 'read' });
  const [newKey, setNewKey] = useState({ name: '', role: 'operator' as Role });
  // A key stays within its creator: roles they hold, or may grant in their organisation (docs/security.md).
  const keyRoles = (orgs.find((o) => o.id === me.orgId)?.roleCeiling ?? ROLES).filter(
    (r) => me.roles.includes(r) || (me.roles.includes('admin') && (me.org?.platform === true || !PLATFORM_GRANTED.includes(r))),
  );

  return (
    <div className="panel admin">
      <h2>{t('Administration')}</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="ok-box" data-testid="notice">
          {notice}
        </p>
      )}

      <section>
        <h3>{t('Organisations')}</h3>
        <table className="table">
          <tbody>
            {orgs.map((o) => (
              <tr key={o.id} title={o.id}>
                <td>{o.name}</td>
                <td className="small">
                  <span title={o.kind}>{wordFor(t, ORG_KIND_LABELS, o.kind)}</span>
                  {o.platform ? ` · ${t('platform')}` : ''}
                </td>
                <td className="small muted">{o.roleCeiling?.map((r) => wordFor(t, ROLE_LABELS, r)).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          className="row"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void act(() => api('/api/identity/orgs', { body: newOrg }), t('Organisation {name} added.').replace('{name}', newOrg.name));
          }}
        >
          <input placeholder={t('New organisation')} value={newOrg.name} onChange={(e) => setNewOrg({ ...newOrg, name: e.target.value })} required />
          <select aria-label={t('Kind of organisation')} value={newOrg.kind} onChange={(e) => setNewOrg({ ...newOrg, kind: e.target.value })}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {wordFor(t, ORG_KIND_LABELS, k)}
              </option>
            ))}
          </select>
          <button type="submit">{t('Add')}</button>
        </form>
      </section>

      <section>
        <h3>{t('Users')}</h3>
        <table className="table" data-testid="users">
          <thead>
            <tr>
              <th>{t('User')}</th>
              <th>{t('Organisation')}</th>
              <th>{t('Roles')}</th>
              <th>2FA</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className={u.disabled ? 'disabled' : ''}>
                <td>
                  {u.displayName}{' '}
                  <span className="muted small" data-username>
                    ({u.username})
                  </span>
                </td>
                <td className="small">{orgName(u.orgId)}</td>
                <td className="small">{u.roles.map((r) => wordFor(t, ROLE_LABELS, r)).join(', ')}</td>
                <td>{u.totpEnabled ? '✓' : ''}</td>
                <td>
                  {u.id !== me.userId && (
                    <button
                      className="small"
                      onClick={() => void act(() => api(`/api/identity/users/${u.id}/disabled`, { method: 'PUT', body: { disabled: !u.disabled } }))}
                    >
                      {u.disabled ? t('Enable') : t('Disable')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          className="grid-form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void act(
              () => api('/api/identity/users', { body: { ...newUser, roles: [...newUser.roles] } }),
              t('User {name} created.').replace('{name}', newUser.username),
            );
          }}
        >
          <input
            placeholder={t('username')}
            value={newUser.username}
            onChange={(e) => setNewUser({ ...newUser, username: e.target.value })}
            required
            aria-label={t('New username')}
          />
          <input placeholder={t('Display name')} value={newUser.displayName} onChange={(e) => setNewUser({ ...newUser, displayName: e.target.value })} />
          <input
            placeholder={t('Initial password (10+ characters)')}
            type="password"
            value={newUser.password}
            onChange={(e) => setNewUser({ ...newUser, password: e.target.value })}
            required
            aria-label={t('New user password')}
          />
          <select aria-label={t('Organisation')} value={newUser.orgId} onChange={(e) => setNewUser({ ...newUser, orgId: e.target.value })}>
            {orgs.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
          <div className="roles">
            {(orgs.find((o) => o.id === newUser.orgId)?.roleCeiling ?? ROLES).map((r) => (
              <label key={r} className="small">
                <input
                  type="checkbox"
                  checked={newUser.roles.has(r)}
                  onChange={() => {
                    const s = new Set(newUser.roles);
                    if (s.has(r)) s.delete(r);
                    else s.add(r);
                    setNewUser({ ...newUser, roles: s });
                  }}
                />{' '}
                {wordFor(t, ROLE_LABELS, r)}
              </label>
            ))}
          </div>
          <button type="submit">{t('Create user')}</button>
        </form>
      </section>

      <section>
        <h3>{t('Data sharing')}</h3>
        <table className="table">
          <tbody>
            {shares.map((s) => (
              <tr key={s.id}>
                <td>
                  {orgName(s.fromOrgId)} → {orgName(s.toOrgId)}
                </td>
                <td className="small">{s.rights === 'act' ? t('sees and acts') : t('sees')}</td>
                <td className="small">{s.note}</td>
                <td>
                  <button className="small" onClick={() => void act(() => api(`/api/identity/shares/${s.id}`, { method: 'DELETE' }))}>
                    {t('Stop sharing')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          className="row"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void act(() => api('/api/identity/shares', { body: newShare }));
          }}
        >
          <span className="small">{t('Let')}</span>
          <select aria-label={t('Share with')} value={newShare.toOrgId} onChange={(e) => setNewShare({ ...newShare, toOrgId: e.target.value })} required>
            <option value="">{t('organisation…')}</option>
            {orgs
              .filter((o) => o.id !== me.orgId)
              .map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
          </select>
          <select aria-label={t('Rights')} value={newShare.rights} onChange={(e) => setNewShare({ ...newShare, rights: e.target.value as Share['rights'] })}>
            <option value="read">{t('see')}</option>
            <option value="act">{t('see and act on (alarms, incidents, units)')}</option>
          </select>
          <span className="small">{t("{org}'s data").replace('{org}', orgName(me.orgId ?? ''))}</span>
          <input placeholder={t('Why (agreement)')} value={newShare.note} onChange={(e) => setNewShare({ ...newShare, note: e.target.value })} />
          <button type="submit">{t('Share')}</button>
        </form>
      </section>

      <section>
        <h3>{t('API keys')}</h3>
        <table className="table">
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} className={k.revoked ? 'disabled' : ''}>
                <td>{k.name}</td>
                <td className="small mono">{k.prefix}…</td>
                <td className="small">{k.roles.map((r) => wordFor(t, ROLE_LABELS, r)).join(', ')}</td>
                <td className="small">{orgName(k.orgId)}</td>
                <td>
                  {!k.revoked && (
                    <button className="small" onClick={() => void act(() => api(`/api/identity/api-keys/${k.id}`, { method: 'DELETE' }))}>
                      {t('Revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          className="row"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void act(async () => {
              const r = await api<{ key: string }>('/api/identity/api-keys', { body: { name: newKey.name, roles: [newKey.role] } });
              setNotice(t('New key (shown once): {key}').replace('{key}', r.key));
            });
          }}
        >
          <input placeholder={t('What uses it')} value={newKey.name} onChange={(e) => setNewKey({ ...newKey, name: e.target.value })} required />
          <select aria-label={t('Role')} value={newKey.role} onChange={(e) => setNewKey({ ...newKey, role: e.target.value as Role })}>
            {keyRoles.map((r) => (
              <option key={r} value={r}>
                {wordFor(t, ROLE_LABELS, r)}
              </option>
            ))}
          </select>
          <button type="submit">{t('Create key')}</button>
          {me.authLevel < 2 && <span className="muted small">{t('needs a sign-in with an authenticator code')}</span>}
        </form>
      </section>

      <AlertAuthorities me={me} orgs={orgs} />
      <ReceiverStatusPanel />
      <DeviceCredentialsPanel />
      <WebhooksScreen myRoles={me.roles} defaultKind="events" />
      {me.roles.includes('admin') && <DemoInboxPanel />}

      <CityImport onDone={() => setNotice(t('City imported. Reload the map to see it.'))} />
    </div>
  );
}

function CityImport({ onDone }: { onDone: () => void }) {
  const t = useT();
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const upload = async (file: File): Promise<void> => {
    setError(null);
    try {
      let p = await api<ImportProgress>(`/api/city/imports?name=${encodeURIComponent(file.name.replace(/[^A-Za-z0-9._-]/g, '_'))}`, {
        raw: file,
        contentType: file.name.endsWith('.xml') || file.name.endsWith('.osm') ? 'application/xml' : 'application/octet-stream',
      });
      setProgress(p);
      while (p.phase !== 'done' && p.phase !== 'failed') {
        await new Promise((r) => setTimeout(r, 300));
        p = await api<ImportProgress>(`/api/city/imports/${p.importId}`);
        setProgress(p);
      }
      if (p.phase === 'done') onDone();
      else setError(p.error);
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  const pct = progress && progress.total > 0 ? Math.round((100 * progress.done) / progress.total) : 0;
  return (
    <section>
      <h3>{t('Import a city')}</h3>
      <p className="small muted">{t('An OpenStreetMap extract (.osm, .osm.gz or .osm.pbf): boundaries, neighbourhoods, buildings and points of interest.')}</p>
      <input
        type="file"
        aria-label={t('OpenStreetMap extract to import')}
        accept=".osm,.gz,.pbf"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void upload(f);
        }}
      />
      {progress && (
        <div className="progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
          <div style={{ width: `${progress.phase === 'done' ? 100 : pct}%` }} />
          <span>
            {t(`import:${progress.phase}`)}{' '}
            {progress.phase === 'done'
              ? Object.entries(progress.counts ?? {})
                  .map(([k, n]) => `${n} ${t(`import-count:${k}`)}`)
                  .join(', ')
              : `${pct}%`}
          </span>
        </div>
      )}
      {error && <p className="error">{error}</p>}
    </section>
  );
}
