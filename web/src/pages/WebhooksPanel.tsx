import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.js';
import { useT, useTime } from '../i18n.js';
import { SecretOnce } from '../components/SecretOnce.js';

interface Webhook {
  webhookId: string;
  name: string;
  url: string;
  events: string[];
  includeExercise: boolean;
  format: 'cap-xml' | 'json';
  createdBy: string;
  createdAt: string;
}
const EVENTS = ['issued', 'updated', 'cancelled'] as const;

/** The organisation's outgoing webhooks: register (the secret is shown once), list, remove. */
export function WebhooksPanel() {
  const t = useT();
  const time = useTime();
  const [hooks, setHooks] = useState<Webhook[]>([]);
  const [form, setForm] = useState({
    name: '',
    url: '',
    events: ['issued', 'updated', 'cancelled'] as string[],
    includeExercise: false,
    format: 'cap-xml' as Webhook['format'],
  });
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => setHooks((await api<{ webhooks: Webhook[] }>('/api/alerts/webhooks')).webhooks), []);
  useEffect(() => void load().catch((e: Error) => setError(e.message)), [load]);
  const run = async (what: () => Promise<unknown>): Promise<void> => {
    setError(null);
    try {
      await what();
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="webhooks" data-testid="webhooks">
      <h3>{t('Webhooks')}</h3>
      <p className="muted small">{t('Each endpoint gets the organisation’s alerts as they go out, signed with its secret (Vigil-Signature header).')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <SecretOnce secret={secret} onDone={() => setSecret(null)} testId="webhook-secret" />
      <table className="table small">
        <thead>
          <tr>
            <th>{t('Name')}</th>
            <th>URL</th>
            <th>{t('Events')}</th>
            <th>{t('Format')}</th>
            <th>{t('Exercises')}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {hooks.map((h) => (
            <tr key={h.webhookId}>
              <td title={`${h.createdBy} · ${time(h.createdAt)}`}>{h.name}</td>
              <td className="mono">{h.url}</td>
              <td>{h.events.map((e) => t(e)).join(', ')}</td>
              <td>{h.format === 'cap-xml' ? 'CAP XML' : 'JSON'}</td>
              <td>{h.includeExercise ? t('yes') : t('no')}</td>
              <td>
                <button type="button" onClick={() => void run(() => api(`/api/alerts/webhooks/${h.webhookId}`, { method: 'DELETE' }))}>
                  {t('Remove')}
                </button>
              </td>
            </tr>
          ))}
          {hooks.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                {t('No webhook yet.')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form
        className="row"
        aria-label="New webhook"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const r = await api<{ secret: string }>('/api/alerts/webhooks', { method: 'POST', body: form });
            setSecret(r.secret);
            setForm({ ...form, name: '', url: '' });
          });
        }}
      >
        <input aria-label="Webhook name" placeholder={t('Name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <input
          aria-label="Webhook URL"
          type="url"
          required
          placeholder="https://…"
          value={form.url}
          onChange={(e) => setForm({ ...form, url: e.target.value })}
        />
        {EVENTS.map((ev) => (
          <label key={ev} className="small">
            <input
              type="checkbox"
              checked={form.events.includes(ev)}
              onChange={(e) => setForm({ ...form, events: e.target.checked ? [...form.events, ev] : form.events.filter((x) => x !== ev) })}
            />{' '}
            {t(ev)}
          </label>
        ))}
        <label className="small">
          <input type="checkbox" checked={form.includeExercise} onChange={(e) => setForm({ ...form, includeExercise: e.target.checked })} />{' '}
          {t('Exercises and tests too')}
        </label>
        <select aria-label="Webhook format" value={form.format} onChange={(e) => setForm({ ...form, format: e.target.value as Webhook['format'] })}>
          <option value="cap-xml">CAP XML</option>
          <option value="json">JSON</option>
        </select>
        <button type="submit" disabled={form.events.length === 0}>
          {t('Add webhook')}
        </button>
      </form>
    </div>
  );
}
