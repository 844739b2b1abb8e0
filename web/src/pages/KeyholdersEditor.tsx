import { useEffect, useState, type FormEvent } from 'react';
import type { Keyholder } from '../../../src/alarms/contract.js';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { errorText } from '../errors.js';

interface Panel {
  id: string;
  siteId: string | null;
  account: string | null;
  label: string;
}

/**
 * Keyholders of a monitored site, in the order the operator calls them. The list
 * belongs to the caller's organisation; operators see it in the alarm's detail.
 */
export function KeyholdersEditor() {
  const t = useT();
  const [panels, setPanels] = useState<Panel[]>([]);
  const [siteId, setSiteId] = useState('');
  const [rows, setRows] = useState<Keyholder[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<{ devices: Panel[] }>('/api/city/devices?kind=alarm-panel&limit=10000')
      .then((r) => setPanels(r.devices.filter((d) => d.siteId).sort((a, b) => a.label.localeCompare(b.label))))
      .catch((e: unknown) => setError(errorText(t, e)));
  }, [t]);
  useEffect(() => {
    setMessage(null);
    if (!siteId) return setRows([]);
    api<{ keyholders: Keyholder[] }>(`/api/alarms/keyholders/${encodeURIComponent(siteId)}`)
      .then((r) => setRows(r.keyholders))
      .catch((e: unknown) => setError(errorText(t, e)));
  }, [siteId, t]);

  const setRow = (i: number, patch: Partial<Keyholder>): void => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const move = (i: number, by: -1 | 1): void => {
    if (i + by < 0 || i + by >= rows.length) return;
    const next = [...rows];
    [next[i], next[i + by]] = [next[i + by]!, next[i]!];
    setRows(next);
  };
  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ keyholders: Keyholder[] }>(`/api/alarms/keyholders/${encodeURIComponent(siteId)}`, {
        method: 'PUT',
        body: { keyholders: rows.map((k) => ({ ...k, note: k.note || null })) },
      });
      setRows(r.keyholders);
      setMessage(`${r.keyholders.length} ${t('keyholders saved')}.`);
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  return (
    <section data-testid="keyholders-editor">
      <h2>{t('Keyholders')}</h2>
      <select aria-label={t('Monitored site')} value={siteId} onChange={(e) => setSiteId(e.target.value)}>
        <option value="">{t('Choose a monitored site…')}</option>
        {panels.map((p) => (
          <option key={p.id} value={p.siteId!}>
            {p.label}
          </option>
        ))}
      </select>
      {siteId && (
        <form onSubmit={(e) => void save(e)} aria-label={t('Keyholders')}>
          <ol className="keyholder-rows">
            {rows.map((k, i) => (
              <li key={i} className="row">
                <input
                  aria-label={t('Keyholder {n} name').replace('{n}', String(i + 1))}
                  placeholder={t('Name')}
                  value={k.name}
                  onChange={(e) => setRow(i, { name: e.target.value })}
                  required
                  maxLength={120}
                />
                <input
                  aria-label={t('Keyholder {n} phone').replace('{n}', String(i + 1))}
                  placeholder="+377 …"
                  type="tel"
                  value={k.phone}
                  onChange={(e) => setRow(i, { phone: e.target.value })}
                  required
                  maxLength={40}
                />
                <input
                  aria-label={t('Keyholder {n} note').replace('{n}', String(i + 1))}
                  placeholder={t('Note (role, code holder…)')}
                  value={k.note ?? ''}
                  onChange={(e) => setRow(i, { note: e.target.value })}
                  maxLength={300}
                />
                <button type="button" aria-label={t('Move keyholder {n} up').replace('{n}', String(i + 1))} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" aria-label={t('Move keyholder {n} down').replace('{n}', String(i + 1))} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button
                  type="button"
                  aria-label={t('Remove keyholder {n}').replace('{n}', String(i + 1))}
                  onClick={() => setRows(rows.filter((_, j) => j !== i))}
                >
                  ✕
                </button>
              </li>
            ))}
          </ol>
          <div className="row">
            <button type="button" onClick={() => setRows([...rows, { name: '', phone: '', note: null }])} disabled={rows.length >= 20}>
              {t('Add keyholder')}
            </button>
            <button type="submit">{t('Save keyholders')}</button>
          </div>
        </form>
      )}
      {message && <p className="ok-box">{message}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
