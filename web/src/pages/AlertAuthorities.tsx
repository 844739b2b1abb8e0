import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { CATEGORIES, CHANNELS, type AlertAuthority } from '../../../src/alerts/contract.js';
import { api, type Me } from '../api.js';
import { useT } from '../i18n.js';
import { CAP_CATEGORY_LABELS } from '../labels.js';
import { CHANNEL_LABEL } from '../components/AlertReview.js';
import { useAction } from '../use-action.js';
import { errorText } from '../errors.js';

type Authority = AlertAuthority & { orgName: string };
interface Draft {
  orgName: string;
  areas: Set<string>;
  categories: Set<string>;
  channels: Set<string>;
  eventCodes: string;
  note: string;
}
const empty = (): Draft => ({ orgName: '', areas: new Set(), categories: new Set(), channels: new Set(), eventCodes: '', note: '' });

function toggle(set: Set<string>, value: string): Set<string> {
  const next = new Set(set);
  if (next.has(value)) next.delete(value);
  else next.add(value);
  return next;
}

/**
 * Who may warn the public (issue 12): the platform organisation grants an
 * organisation areas of the city, CAP categories, optional event codes and
 * channels; everything by name. Others see their own grant.
 */
export function AlertAuthorities({ me, orgs }: { me: Me; orgs: { id: string; name: string; platform: boolean }[] }) {
  const t = useT();
  const [authorities, setAuthorities] = useState<Authority[]>([]);
  const [areaNames, setAreaNames] = useState<string[]>([]);
  const [draft, setDraft] = useState<Draft>(empty);
  const platformAdmin = me.org?.platform === true && me.roles.includes('admin');
  const categoryName = (c: string): string => t(CAP_CATEGORY_LABELS[c] ?? c);
  const channelName = (c: string): string => t(CHANNEL_LABEL[c] ?? c);

  const reload = useCallback(async () => {
    const [a, areas] = await Promise.all([
      api<{ authorities: Authority[] }>('/api/alerts/authorities'),
      api<{ features: { properties: { name?: string } }[] }>('/api/city/areas').catch(() => ({ features: [] })),
    ]);
    setAuthorities(a.authorities);
    setAreaNames([...new Set(areas.features.map((f) => f.properties.name).filter((n): n is string => !!n))].sort());
  }, []);
  const { error, setError, run: act } = useAction(reload);
  useEffect(() => void reload().catch((e: unknown) => setError(errorText(t, e))), [reload, setError, t]);

  const edit = (a: Authority): void =>
    setDraft({
      orgName: a.orgName,
      areas: new Set(a.areas.map((x) => x.name)),
      categories: new Set(a.categories),
      channels: new Set(a.channels),
      eventCodes: a.eventCodes.join(', '),
      note: a.note,
    });

  const save = (e: FormEvent): void => {
    e.preventDefault();
    const keptPolygons = authorities.find((a) => a.orgName === draft.orgName)?.areas.filter((x) => x.kind === 'polygon') ?? [];
    const body = {
      areas: [
        ...[...draft.areas].filter((n) => !keptPolygons.some((p) => p.name === n)).map((name) => ({ name })),
        ...keptPolygons.filter((p) => draft.areas.has(p.name)).map((p) => ({ name: p.name, polygon: p.kind === 'polygon' ? p.ring : [] })),
      ],
      categories: [...draft.categories],
      channels: [...draft.channels],
      eventCodes: draft.eventCodes
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
      note: draft.note,
    };
    void act(async () => {
      await api(`/api/alerts/authorities/${encodeURIComponent(draft.orgName)}`, { method: 'PUT', body });
      setDraft(empty());
    });
  };

  const grantable = orgs.filter((o) => !o.platform);
  const polygonNames =
    authorities
      .find((a) => a.orgName === draft.orgName)
      ?.areas.filter((x) => x.kind === 'polygon')
      .map((x) => x.name) ?? [];

  return (
    <section data-testid="alert-authorities">
      <h3>{t('Authority to alert')}</h3>
      <p className="muted small">
        {t(
          'The platform organisation alerts anywhere. Another organisation issues and approves public alerts only within its grant: its areas, categories, event codes (when listed) and channels.',
        )}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="table">
        <thead>
          <tr>
            <th>{t('Organisation')}</th>
            <th>{t('Areas')}</th>
            <th>{t('Categories')}</th>
            <th>{t('Event codes')}</th>
            <th>{t('Channels')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {authorities.map((a) => (
            <tr key={a.grantId}>
              <td>
                {a.orgName}
                {a.note && <div className="muted small">{a.note}</div>}
              </td>
              <td className="small">{a.areas.map((x) => x.name).join(', ')}</td>
              <td className="small">{a.categories.map(categoryName).join(', ')}</td>
              <td className="small">{a.eventCodes.join(', ') || t('any')}</td>
              <td className="small">{a.channels.map(channelName).join(', ')}</td>
              <td>
                {platformAdmin && (
                  <>
                    <button className="small" onClick={() => edit(a)}>
                      {t('Edit')}
                    </button>{' '}
                    <button
                      className="small"
                      onClick={() => void act(() => api(`/api/alerts/authorities/${encodeURIComponent(a.orgName)}`, { method: 'DELETE' }))}
                    >
                      {t('Revoke')}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
          {authorities.length === 0 && (
            <tr>
              <td colSpan={6} className="muted small">
                {t('No organisation besides the platform holds an authority to alert.')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {platformAdmin && (
        <form className="grid-form" onSubmit={save} aria-label={t('Grant authority to alert')}>
          <select value={draft.orgName} onChange={(e) => setDraft({ ...draft, orgName: e.target.value })} required aria-label={t('Organisation to grant')}>
            <option value="">{t('organisation…')}</option>
            {grantable.map((o) => (
              <option key={o.id} value={o.name}>
                {o.name}
              </option>
            ))}
          </select>
          <fieldset className="roles">
            <legend className="small">{t('Areas')}</legend>
            {[...areaNames, ...polygonNames.filter((n) => !areaNames.includes(n))].map((n) => (
              <label key={n} className="small">
                <input type="checkbox" checked={draft.areas.has(n)} onChange={() => setDraft({ ...draft, areas: toggle(draft.areas, n) })} /> {n}
              </label>
            ))}
          </fieldset>
          <fieldset className="roles">
            <legend className="small">{t('Categories')}</legend>
            {CATEGORIES.map((c) => (
              <label key={c} className="small">
                <input type="checkbox" checked={draft.categories.has(c)} onChange={() => setDraft({ ...draft, categories: toggle(draft.categories, c) })} />{' '}
                {categoryName(c)}
              </label>
            ))}
          </fieldset>
          <fieldset className="roles">
            <legend className="small">{t('Channels')}</legend>
            {CHANNELS.map((c) => (
              <label key={c} className="small">
                <input type="checkbox" checked={draft.channels.has(c)} onChange={() => setDraft({ ...draft, channels: toggle(draft.channels, c) })} />{' '}
                {channelName(c)}
              </label>
            ))}
          </fieldset>
          <input
            placeholder={t('Event codes, comma-separated (empty: any)')}
            value={draft.eventCodes}
            onChange={(e) => setDraft({ ...draft, eventCodes: e.target.value })}
            aria-label={t('Event codes')}
          />
          <input placeholder={t('Note (agreement, decree)')} value={draft.note} onChange={(e) => setDraft({ ...draft, note: e.target.value })} />
          <button type="submit">{t('Grant')}</button>
          {me.authLevel < 2 && <span className="muted small">{t('needs a sign-in with an authenticator code')}</span>}
        </form>
      )}
    </section>
  );
}
