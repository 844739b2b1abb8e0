import { useCallback, useEffect, useState } from 'react';
import { api, type Role } from '../api.js';
import { useT, useTime } from '../i18n.js';
import { WEBHOOK_TOPICS, type WebhookDeliveryView, type WebhookSubscriptionView, type WebhookTopic } from '../../../src/webhooks/contract.js';
import { SecretOnce } from '../components/SecretOnce.js';

const TOPIC_LABELS: Record<WebhookTopic, string> = {
  alarms: 'Alarms',
  incidents: 'Incidents',
  units: 'Units',
  crowd: 'Crowd levels',
  'major-events': 'Major-event messages',
  cockpit: 'Cockpit agreements',
  'citizen-reports': 'Citizen reports',
  csirt: 'CSIRT cases',
  alerts: 'Public alerts',
};
const AS_ROLES: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'analyst', 'alert-officer', 'csirt'];

/**
 * The organisation's webhook subscriptions for every capability's events: create (the secret
 * is shown once), list, test-send, the delivery log with each delivery's status, remove.
 */
export function EventWebhooksPanel({ myRoles }: { myRoles: readonly Role[] }) {
  const t = useT();
  const time = useTime();
  const [subs, setSubs] = useState<WebhookSubscriptionView[]>([]);
  const [form, setForm] = useState({ name: '', url: '', topics: ['incidents'] as WebhookTopic[], roles: ['commander'] as Role[] });
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [log, setLog] = useState<{ id: string; deliveries: WebhookDeliveryView[] } | null>(null);
  const load = useCallback(async () => setSubs((await api<{ subscriptions: WebhookSubscriptionView[] }>('/api/webhooks')).subscriptions), []);
  useEffect(() => void load().catch((e: Error) => setError(e.message)), [load]);
  const showLog = async (id: string) =>
    setLog({ id, deliveries: (await api<{ deliveries: WebhookDeliveryView[] }>(`/api/webhooks/${id}/deliveries`)).deliveries });
  const run = async (what: () => Promise<unknown>): Promise<void> => {
    setError(null);
    try {
      await what();
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const topicsOf = (types: readonly string[]) =>
    (Object.keys(WEBHOOK_TOPICS) as WebhookTopic[]).filter((k) => WEBHOOK_TOPICS[k].some((x) => types.includes(x))).map((k) => t(TOPIC_LABELS[k]));
  return (
    <section className="webhooks" data-testid="event-webhooks">
      <h3>{t('Event webhooks')}</h3>
      <p className="muted small">
        {t(
          'Each subscription gets the events it chose, as a user of this organisation with its roles sees them live; signed with its secret (Vigil-Signature), retried until delivered.',
        )}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <SecretOnce secret={secret} onDone={() => setSecret(null)} testId="event-webhook-secret" />
      <div className="table-scroll">
        <table className="table small">
          <thead>
            <tr>
              <th>{t('Name')}</th>
              <th>URL</th>
              <th>{t('Events')}</th>
              <th>{t('Sent as')}</th>
              <th>{t('Delivered')}</th>
              <th>{t('Failed')}</th>
              <th>{t('Waiting')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {subs.map((s) => (
              <tr key={s.subscriptionId}>
                <td title={time(s.createdAt)}>{s.name}</td>
                <td className="mono">{s.url}</td>
                <td>{topicsOf(s.eventTypes).join(', ')}</td>
                <td>{s.roles.join(', ')}</td>
                <td>{s.delivered}</td>
                <td>{s.failed}</td>
                <td>{s.pending}</td>
                <td>
                  <div className="row nowrap">
                    <button
                      type="button"
                      onClick={() =>
                        void run(async () => {
                          await api(`/api/webhooks/${s.subscriptionId}/test`, { method: 'POST' });
                          await showLog(s.subscriptionId);
                        })
                      }
                    >
                      {t('Send a test')}
                    </button>
                    <button type="button" onClick={() => void run(() => showLog(s.subscriptionId))}>
                      {t('Delivery log')}
                    </button>
                    <button type="button" onClick={() => void run(() => api(`/api/webhooks/${s.subscriptionId}`, { method: 'DELETE' }))}>
                      {t('Remove')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
            {subs.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  {t('No webhook yet.')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {log && (
        <div data-testid="webhook-deliveries">
          <h4>
            {t('Delivery log')} — {subs.find((s) => s.subscriptionId === log.id)?.name}{' '}
            <button type="button" onClick={() => setLog(null)}>
              {t('Close')}
            </button>
          </h4>
          <div className="table-scroll">
            <table className="table small">
              <thead>
                <tr>
                  <th>{t('When')}</th>
                  <th>{t('Event')}</th>
                  <th>{t('Status')}</th>
                  <th>{t('Attempts')}</th>
                  <th>HTTP</th>
                  <th>{t('Error')}</th>
                </tr>
              </thead>
              <tbody>
                {log.deliveries.map((d) => (
                  <tr key={`${d.deliveryId}-${d.outcome}`}>
                    <td>{time(d.at)}</td>
                    <td className="mono">{d.eventType}</td>
                    <td className={d.outcome === 'failed' ? 'error' : undefined}>
                      {t(d.outcome)}
                      {d.nextAttemptAt ? ` (${t('next')} ${time(d.nextAttemptAt)})` : ''}
                    </td>
                    <td>{d.attempts}</td>
                    <td>{d.status ?? '—'}</td>
                    <td className="small">{d.error ?? ''}</td>
                  </tr>
                ))}
                {log.deliveries.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
                      {t('Nothing sent yet.')}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </div>
      )}
      <form
        className="row"
        aria-label="New event webhook"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const eventTypes = form.topics.flatMap((k) => [...WEBHOOK_TOPICS[k]]);
            const r = await api<{ secret: string }>('/api/webhooks', {
              method: 'POST',
              body: { name: form.name, url: form.url, eventTypes, roles: form.roles },
            });
            setSecret(r.secret);
            setForm({ ...form, name: '', url: '' });
          });
        }}
      >
        <input aria-label="Event webhook name" placeholder={t('Name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <input
          aria-label="Event webhook URL"
          type="url"
          required
          placeholder="https://…"
          value={form.url}
          onChange={(e) => setForm({ ...form, url: e.target.value })}
        />
        <fieldset className="row small">
          <legend>{t('Events')}</legend>
          {(Object.keys(WEBHOOK_TOPICS) as WebhookTopic[]).map((k) => (
            <label key={k}>
              <input
                type="checkbox"
                checked={form.topics.includes(k)}
                onChange={(e) => setForm({ ...form, topics: e.target.checked ? [...form.topics, k] : form.topics.filter((x) => x !== k) })}
              />{' '}
              {t(TOPIC_LABELS[k])}
            </label>
          ))}
        </fieldset>
        <fieldset className="row small">
          <legend>{t('Sent as')}</legend>
          {AS_ROLES.filter((r) => myRoles.includes('admin') || myRoles.includes(r)).map((r) => (
            <label key={r}>
              <input
                type="checkbox"
                checked={form.roles.includes(r)}
                onChange={(e) => setForm({ ...form, roles: e.target.checked ? [...form.roles, r] : form.roles.filter((x) => x !== r) })}
              />{' '}
              {r}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={form.topics.length === 0 || form.roles.length === 0}>
          {t('Add webhook')}
        </button>
      </form>
    </section>
  );
}
