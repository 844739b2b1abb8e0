import { useCallback, useEffect, useState } from 'react';
import { api, type Role } from '../api.js';
import { useNames } from '../directory.js';
import { useT, useTime } from '../i18n.js';
import { ROLE_LABELS, wordFor } from '../labels.js';
import { WEBHOOK_TOPICS, type WebhookDeliveryView, type WebhookSubscriptionView, type WebhookTopic } from '../../../src/webhooks/contract.js';
import { SecretOnce } from '../components/SecretOnce.js';
import { errorText } from '../errors.js';

/*
 * One screen for the organisation's webhooks, both kinds: CAP alert webhooks
 * (/api/alerts/webhooks, alert officers and admins) and event webhooks for every capability
 * (/api/webhooks, admins). Create (the secret shown once), edit, pause/resume, rotate the
 * secret (shown once; the old one still signs during the grace period), send a test, the
 * delivery log with resend, remove.
 */

type Kind = 'cap' | 'events';
const CAP_EVENTS = ['issued', 'updated', 'cancelled'] as const;
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
const TOPICS = Object.keys(WEBHOOK_TOPICS) as WebhookTopic[];
const AS_ROLES: readonly Role[] = ['operator', 'supervisor', 'commander', 'responder', 'analyst', 'alert-officer', 'csirt'];

interface CapWebhook {
  webhookId: string;
  name: string;
  description: string;
  url: string;
  events: string[];
  includeExercise: boolean;
  format: 'cap-xml' | 'json';
  paused: boolean;
  previousSecretUntil: string | null;
  createdBy: string;
  createdAt: string;
  delivered: number;
  failed: number;
  inFlight: number;
}
interface CapDelivery {
  deliveryId: string;
  alertId: string | null;
  event: string;
  /** Settled (delivered, failed: given up) or in flight on the sending node (pending, retrying). */
  outcome: 'delivered' | 'failed' | 'pending' | 'retrying';
  attempts: number;
  status: number | null;
  error: string | null;
  test: boolean;
  resend: boolean;
  at: string;
  nextAttemptAt?: string;
}

/** A row of the one table, whichever kind. */
interface Row {
  kind: Kind;
  id: string;
  name: string;
  description: string;
  url: string;
  /** Alert events (issued, updated, cancelled) or the event types chosen. */
  chosen: string[];
  paused: boolean;
  previousSecretUntil: string | null;
  createdBy: string;
  delivered: number;
  failed: number;
  /** Being sent or waiting for a retry, on the node sending them. */
  inFlight: number;
  detail: string;
}
interface Line {
  deliveryId: string;
  at: string;
  event: string;
  outcome: string;
  attempts: number;
  status: number | null;
  error: string | null;
  nextAttemptAt?: string | undefined;
  resend?: boolean | undefined;
  test?: boolean | undefined;
}

const base = (r: Pick<Row, 'kind' | 'id'>) => (r.kind === 'cap' ? `/api/alerts/webhooks/${r.id}` : `/api/webhooks/${r.id}`);
/**
 * What an event webhook is subscribed to, by topic: a whole topic by its name; a topic with only
 * some of its event types by its name and the exact types chosen, or those left out when fewer
 * ("Incidents (incidents.incident.opened)", "Incidents (all but incidents.incident.updated)").
 */
const subscribedTo = (types: readonly string[], label: (k: WebhookTopic) => string, allBut: string): string =>
  TOPICS.flatMap((k) => {
    const chosen = WEBHOOK_TOPICS[k].filter((x) => types.includes(x));
    const left = WEBHOOK_TOPICS[k].filter((x) => !types.includes(x));
    if (chosen.length === 0) return [];
    if (left.length === 0) return [label(k)];
    return [chosen.length > left.length ? `${label(k)} (${allBut} ${left.join(', ')})` : `${label(k)} (${chosen.join(', ')})`];
  }).join(', ');

interface Draft {
  kind: Kind;
  name: string;
  description: string;
  url: string;
  capEvents: string[];
  includeExercise: boolean;
  format: 'cap-xml' | 'json';
  /** The exact event types chosen (a whole topic is all of its types). */
  eventTypes: string[];
  roles: Role[];
}

/**
 * Event types by topic: a topic's box chooses or clears all its types (half-ticked when only
 * some are chosen); its list, opened from the count, chooses exact types. Editing keeps the
 * exact types a subscription has.
 */
function EventTypeChoices({ chosen, onChange }: { chosen: readonly string[]; onChange: (types: string[]) => void }) {
  const t = useT();
  const set = (types: readonly string[], on: boolean) => onChange(on ? [...new Set([...chosen, ...types])] : chosen.filter((x) => !types.includes(x)));
  return (
    <fieldset className="row small" aria-label={t('Event types')}>
      <legend>{t('Events')}</legend>
      {TOPICS.map((k) => {
        const types = WEBHOOK_TOPICS[k];
        const count = types.filter((x) => chosen.includes(x)).length;
        return (
          <div key={k} data-topic={k}>
            <label>
              <input
                type="checkbox"
                checked={count === types.length}
                ref={(el) => {
                  if (el) el.indeterminate = count > 0 && count < types.length;
                }}
                onChange={(e) => set(types, e.target.checked)}
              />{' '}
              {t(TOPIC_LABELS[k])}
            </label>
            <details>
              <summary className="muted">
                {count}/{types.length} {t('event types')}
              </summary>
              {types.map((type) => (
                <label key={type} className="mono" style={{ display: 'block' }}>
                  <input type="checkbox" checked={chosen.includes(type)} onChange={(e) => set([type], e.target.checked)} /> {type}
                </label>
              ))}
            </details>
          </div>
        );
      })}
    </fieldset>
  );
}

export function WebhooksScreen({ myRoles, defaultKind = 'cap' }: { myRoles: readonly Role[]; defaultKind?: Kind }) {
  const t = useT();
  const time = useTime();
  const name = useNames();
  const mayCap = myRoles.includes('alert-officer') || myRoles.includes('admin');
  const mayEvents = myRoles.includes('admin');
  const kinds: Kind[] = [...(mayCap ? (['cap'] as const) : []), ...(mayEvents ? (['events'] as const) : [])];
  const empty = (kind: Kind): Draft => ({
    kind,
    name: '',
    description: '',
    url: '',
    capEvents: [...CAP_EVENTS],
    includeExercise: false,
    format: 'cap-xml',
    eventTypes: [...WEBHOOK_TOPICS.incidents],
    roles: ['commander'],
  });
  const [rows, setRows] = useState<Row[]>([]);
  const [form, setForm] = useState<Draft>(empty(kinds.includes(defaultKind) ? defaultKind : (kinds[0] ?? 'cap')));
  const [editing, setEditing] = useState<{ row: Row; draft: Draft } | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [log, setLog] = useState<{ row: Row; lines: Line[] } | null>(null);

  const load = useCallback(async () => {
    const [cap, events] = await Promise.all([
      mayCap ? api<{ webhooks: CapWebhook[] }>('/api/alerts/webhooks').then((r) => r.webhooks) : Promise.resolve([]),
      mayEvents ? api<{ subscriptions: WebhookSubscriptionView[] }>('/api/webhooks').then((r) => r.subscriptions) : Promise.resolve([]),
    ]);
    setRows([
      ...cap.map((w): Row => ({
        kind: 'cap',
        id: w.webhookId,
        name: w.name,
        description: w.description,
        url: w.url,
        chosen: w.events,
        paused: w.paused,
        previousSecretUntil: w.previousSecretUntil,
        createdBy: w.createdBy,
        delivered: w.delivered,
        failed: w.failed,
        inFlight: w.inFlight,
        detail: `${w.events.map((e) => t(e)).join(', ')} · ${w.format === 'cap-xml' ? 'CAP XML' : 'JSON'}${w.includeExercise ? ` · ${t('Exercises and tests too')}` : ''}`,
      })),
      ...events.map((s): Row => ({
        kind: 'events',
        id: s.subscriptionId,
        name: s.name,
        description: s.description,
        url: s.url,
        chosen: s.eventTypes,
        paused: s.paused,
        previousSecretUntil: s.previousSecretUntil,
        createdBy: s.createdBy,
        delivered: s.delivered,
        failed: s.failed,
        inFlight: s.pending,
        detail: `${subscribedTo(s.eventTypes, (k) => t(TOPIC_LABELS[k]), t('all but'))} · ${t('Sent as')} ${s.roles.map((r) => wordFor(t, ROLE_LABELS, r)).join(', ')}`,
      })),
    ]);
  }, [mayCap, mayEvents, t]);
  useEffect(() => void load().catch((e: unknown) => setError(errorText(t, e))), [load, t]);

  const showLog = async (row: Row) => {
    if (row.kind === 'cap') {
      const { deliveries } = await api<{ deliveries: CapDelivery[] }>(`${base(row)}/deliveries`);
      setLog({ row, lines: deliveries.map((d) => ({ ...d, event: d.event })) });
    } else {
      const { deliveries } = await api<{ deliveries: WebhookDeliveryView[] }>(`${base(row)}/deliveries`);
      setLog({ row, lines: deliveries.map((d) => ({ ...d, event: d.eventType })) });
    }
  };
  const run = async (what: () => Promise<unknown>): Promise<void> => {
    setError(null);
    try {
      await what();
      await load();
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  /** The fields of a draft as the API of its kind takes them. */
  const fieldsOf = (d: Draft) =>
    d.kind === 'cap'
      ? { name: d.name, description: d.description, url: d.url, events: d.capEvents, includeExercise: d.includeExercise, format: d.format }
      : { name: d.name, description: d.description, url: d.url, eventTypes: d.eventTypes, roles: d.roles };
  const draftOf = (r: Row): Draft => ({
    ...empty(r.kind),
    name: r.name,
    description: r.description,
    url: r.url,
    capEvents: r.kind === 'cap' ? r.chosen : [...CAP_EVENTS],
    eventTypes: r.kind === 'events' ? [...r.chosen] : [...WEBHOOK_TOPICS.incidents],
  });

  /** What is chosen: alert events, or capabilities' topics (and, when creating, the roles sent as). */
  const choices = (d: Draft, set: (d: Draft) => void, creating: boolean) =>
    d.kind === 'cap' ? (
      <fieldset className="row small">
        <legend>{t('Events')}</legend>
        {CAP_EVENTS.map((ev) => (
          <label key={ev}>
            <input
              type="checkbox"
              checked={d.capEvents.includes(ev)}
              onChange={(e) => set({ ...d, capEvents: e.target.checked ? [...d.capEvents, ev] : d.capEvents.filter((x) => x !== ev) })}
            />{' '}
            {t(ev)}
          </label>
        ))}
        {creating && (
          <>
            <label>
              <input type="checkbox" checked={d.includeExercise} onChange={(e) => set({ ...d, includeExercise: e.target.checked })} />{' '}
              {t('Exercises and tests too')}
            </label>
            <select aria-label={t('Webhook format')} value={d.format} onChange={(e) => set({ ...d, format: e.target.value as Draft['format'] })}>
              <option value="cap-xml">CAP XML</option>
              <option value="json">JSON</option>
            </select>
          </>
        )}
      </fieldset>
    ) : (
      <>
        <EventTypeChoices chosen={d.eventTypes} onChange={(eventTypes) => set({ ...d, eventTypes })} />
        {creating && (
          <fieldset className="row small">
            <legend>{t('Sent as')}</legend>
            {AS_ROLES.filter((r) => myRoles.includes('admin') || myRoles.includes(r)).map((r) => (
              <label key={r}>
                <input
                  type="checkbox"
                  checked={d.roles.includes(r)}
                  onChange={(e) => set({ ...d, roles: e.target.checked ? [...d.roles, r] : d.roles.filter((x) => x !== r) })}
                />{' '}
                {wordFor(t, ROLE_LABELS, r)}
              </label>
            ))}
          </fieldset>
        )}
      </>
    );
  const nothingChosen = (d: Draft) => (d.kind === 'cap' ? d.capEvents.length === 0 : d.eventTypes.length === 0 || d.roles.length === 0);

  if (kinds.length === 0) return null;
  return (
    <section className="webhooks" data-testid="webhooks">
      <h3>{t('Webhooks')}</h3>
      <p className="muted small">
        {t(
          'CAP webhooks get the organisation’s public alerts as they go out; event webhooks get the events they chose, as a user with their roles sees them live. Each POST is signed with the endpoint’s secret (Vigil-Signature).',
        )}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <SecretOnce secret={secret} onDone={() => setSecret(null)} testId="webhook-secret" />
      <div className="table-scroll">
        <table className="table small">
          <thead>
            <tr>
              <th>{t('Type')}</th>
              <th>{t('Name')}</th>
              <th>URL</th>
              <th>{t('Events')}</th>
              <th>{t('Status')}</th>
              <th>{t('Delivered')}</th>
              <th>{t('Failed')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.kind}-${r.id}`} data-webhook={r.name}>
                <td>{r.kind === 'cap' ? t('CAP alerts') : t('Events')}</td>
                <td title={`${t('Created by')} ${name(r.createdBy)}`}>
                  {r.name}
                  {r.description && <div className="muted">{r.description}</div>}
                </td>
                <td className="mono">{r.url}</td>
                <td>{r.detail}</td>
                <td>
                  {r.paused ? t('Paused') : t('Active')}
                  {r.previousSecretUntil && (
                    <div className="muted">
                      {t('Old secret valid until')} {time(r.previousSecretUntil)}
                    </div>
                  )}
                </td>
                <td>
                  {r.delivered}
                  {r.inFlight > 0 && (
                    <div className="muted">
                      {r.inFlight} {t('in flight')}
                    </div>
                  )}
                </td>
                <td>{r.failed}</td>
                <td>
                  <div className="row">
                    <button type="button" onClick={() => setEditing({ row: r, draft: draftOf(r) })}>
                      {t('Edit')}
                    </button>
                    <button type="button" onClick={() => void run(() => api(`${base(r)}/${r.paused ? 'resume' : 'pause'}`, { method: 'POST' }))}>
                      {r.paused ? t('Resume') : t('Pause')}
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void run(async () => {
                          const res = await api<{ secret: string }>(`${base(r)}/rotate-secret`, { body: {} });
                          setSecret(res.secret);
                        })
                      }
                    >
                      {t('Rotate secret')}
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void run(async () => {
                          await api(`${base(r)}/test`, { method: 'POST' });
                          await showLog(r);
                        })
                      }
                    >
                      {t('Send a test')}
                    </button>
                    <button type="button" onClick={() => void run(() => showLog(r))}>
                      {t('Delivery log')}
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void run(async () => {
                          await api(base(r), { method: 'DELETE' });
                          if (log?.row.id === r.id) setLog(null);
                          if (editing?.row.id === r.id) setEditing(null);
                        })
                      }
                    >
                      {t('Remove')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  {t('No webhook yet.')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      {editing && (
        <form
          className="row plan-card"
          aria-label={t('Edit webhook')}
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const d = editing.draft;
              const edit =
                d.kind === 'cap'
                  ? { name: d.name, description: d.description, url: d.url, events: d.capEvents }
                  : { name: d.name, description: d.description, url: d.url, eventTypes: d.eventTypes };
              await api(base(editing.row), { method: 'PATCH', body: edit });
              setEditing(null);
            });
          }}
        >
          <strong>
            {t('Edit')} — {editing.row.name}
          </strong>
          <input
            aria-label={t('Edit webhook name')}
            placeholder={t('Name')}
            value={editing.draft.name}
            onChange={(e) => setEditing({ ...editing, draft: { ...editing.draft, name: e.target.value } })}
          />
          <input
            aria-label={t('Edit webhook description')}
            placeholder={t('Description')}
            value={editing.draft.description}
            onChange={(e) => setEditing({ ...editing, draft: { ...editing.draft, description: e.target.value } })}
          />
          <input
            aria-label={t('Edit webhook URL')}
            type="url"
            required
            value={editing.draft.url}
            onChange={(e) => setEditing({ ...editing, draft: { ...editing.draft, url: e.target.value } })}
          />
          {choices(editing.draft, (d) => setEditing({ ...editing, draft: d }), false)}
          <button type="submit" disabled={nothingChosen(editing.draft)}>
            {t('Save')}
          </button>
          <button type="button" onClick={() => setEditing(null)}>
            {t('Cancel')}
          </button>
        </form>
      )}

      {log && (
        <div data-testid="webhook-deliveries">
          <h4>
            {t('Delivery log')} — {log.row.name}{' '}
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
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {log.lines.map((d, i) => (
                  <tr key={`${d.deliveryId}-${d.outcome}-${i}`}>
                    <td>{time(d.at)}</td>
                    <td className="mono">{d.event}</td>
                    <td className={d.outcome === 'failed' ? 'error' : undefined} data-outcome={d.outcome}>
                      {t(d.outcome)}
                      {d.outcome === 'pending' ? ` (${t('attempt')} ${d.attempts})` : ''}
                      {d.nextAttemptAt ? ` (${t('next')} ${time(d.nextAttemptAt)})` : ''}
                      {d.outcome === 'failed' && d.attempts > 0 && !d.test ? ` · ${t('gave up')}` : ''}
                      {d.resend ? ` · ${t('resent')}` : ''}
                      {d.test ? ` · ${t('test')}` : ''}
                    </td>
                    <td>{d.attempts}</td>
                    <td>{d.status ?? '—'}</td>
                    <td className="small">{d.error ?? ''}</td>
                    <td>
                      {(d.outcome === 'delivered' || d.outcome === 'failed') && (
                        <button
                          type="button"
                          onClick={() =>
                            void run(async () => {
                              await api(`${base(log.row)}/deliveries/${encodeURIComponent(d.deliveryId)}/resend`, { method: 'POST' });
                              await showLog(log.row);
                            })
                          }
                        >
                          {t('Resend')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
                {log.lines.length === 0 && (
                  <tr>
                    <td colSpan={7} className="muted">
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
        aria-label={t('New webhook')}
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const r = await api<{ secret: string }>(form.kind === 'cap' ? '/api/alerts/webhooks' : '/api/webhooks', { method: 'POST', body: fieldsOf(form) });
            setSecret(r.secret);
            setForm({ ...form, name: '', description: '', url: '' });
          });
        }}
      >
        {kinds.length > 1 && (
          <select aria-label={t('Webhook type')} value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as Kind })}>
            <option value="cap">{t('CAP alerts')}</option>
            <option value="events">{t('Events')}</option>
          </select>
        )}
        <input aria-label={t('Webhook name')} placeholder={t('Name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <input
          aria-label={t('Webhook description')}
          placeholder={t('Description')}
          value={form.description}
          onChange={(e) => setForm({ ...form, description: e.target.value })}
        />
        <input
          aria-label={t('Webhook URL')}
          type="url"
          required
          placeholder="https://…"
          value={form.url}
          onChange={(e) => setForm({ ...form, url: e.target.value })}
        />
        {choices(form, setForm, true)}
        <button type="submit" disabled={nothingChosen(form)}>
          {t('Add webhook')}
        </button>
      </form>
    </section>
  );
}
