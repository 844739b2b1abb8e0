import { useCallback, useContext, useEffect, useMemo, useState } from 'react';
import {
  CATEGORIES,
  CERTAINTIES,
  CHANNELS,
  RESPONSE_TYPES,
  SEVERITIES,
  URGENCIES,
  capTime,
  channelTexts,
  needsApproval,
  type AlertRecord,
  type AlertReport,
  type AlertTemplate,
  type CapInfo,
  type Channel,
  type ChannelProgress,
} from '../../../src/alerts/contract.js';
import { api, type Me, type StoredEvent } from '../api.js';
import { AreaDrawMap, ringToCapPolygon, type Ring } from '../components/AreaDrawMap.js';
import { RecipientsTable } from '../components/RecipientsTable.js';
import { AlertReview } from '../components/AlertReview.js';
import { LanguageContext, useT, useTime } from '../i18n.js';
import { useNames } from '../directory.js';
import { ChannelDetails } from './ChannelDetails.js';
import { WebhooksScreen } from './WebhooksScreen.js';
import { EarlyWarningRules } from './EarlyWarningRules.js';
import { useAction } from '../use-action.js';
import { ALERT_STATE_LABELS, CAP_CATEGORY_LABELS, CAP_RESPONSE_LABELS, DELIVERY_STATUS_LABELS, capWord, wordFor } from '../labels.js';
import { CapPair, CapWord } from '../components/CapWord.js';
import { errorText } from '../errors.js';

const LANGS = ['fr-MC', 'en-GB'] as const;
type Texts = Record<string, { event: string; headline: string; description: string; instruction: string }>;

interface Form {
  status: 'Actual' | 'Exercise' | 'Test';
  scope: 'Public' | 'Restricted';
  restriction: string;
  channels: Channel[];
  category: string[];
  responseType: string[];
  urgency: string;
  severity: string;
  certainty: string;
  expiresHours: string;
  texts: Texts;
  ring: Ring;
  areaDesc: string;
}

const emptyTexts = (): Texts => Object.fromEntries(LANGS.map((l) => [l, { event: '', headline: '', description: '', instruction: '' }]));
const blank = (): Form => ({
  status: 'Actual',
  scope: 'Public',
  restriction: '',
  channels: ['email', 'sms', 'push', 'cell-broadcast', 'sirens', 'cap-feed', 'webhook'],
  category: ['Safety'],
  responseType: [],
  urgency: 'Immediate',
  severity: 'Severe',
  certainty: 'Observed',
  expiresHours: '6',
  texts: emptyTexts(),
  ring: [],
  areaDesc: '',
});

/** The CAP info blocks of the form: shared codes, one block per language with text. */
function infoBlocks(f: Form): CapInfo[] {
  const expires = f.expiresHours ? capTime(Date.now() + Number(f.expiresHours) * 3_600_000) : undefined;
  return LANGS.filter((l) => f.texts[l]!.event.trim()).map((language) => {
    const x = f.texts[language]!;
    return {
      language,
      category: f.category as CapInfo['category'],
      event: x.event.trim(),
      ...(f.responseType.length ? { responseType: f.responseType as CapInfo['responseType'] } : {}),
      urgency: f.urgency as CapInfo['urgency'],
      severity: f.severity as CapInfo['severity'],
      certainty: f.certainty as CapInfo['certainty'],
      ...(expires ? { expires } : {}),
      ...(x.headline.trim() ? { headline: x.headline.trim() } : {}),
      ...(x.description.trim() ? { description: x.description.trim() } : {}),
      ...(x.instruction.trim() ? { instruction: x.instruction.trim() } : {}),
      ...(f.ring.length >= 3 ? { area: [{ areaDesc: f.areaDesc.trim() || 'Drawn area', polygon: [ringToCapPolygon(f.ring)] }] } : {}),
    };
  });
}

const STATE_CLASS: Record<string, string> = {
  issued: 'ok',
  'pending-approval': 'bad',
  rejected: 'bad',
  draft: '',
  cancelled: 'muted',
  superseded: 'muted',
  imported: '',
};

/**
 * Public alerts: templates, the target area drawn on the map, languages side by
 * side with each channel's preview, the second-person approval, Update and Cancel.
 */
export function AlertsPage({ me, recent }: { me: Me; recent: StoredEvent[] }) {
  const t = useT();
  const name = useNames();
  const time = useTime();
  // The headline in the reader's language when the alert has a block in it, else the first block's.
  const { lang } = useContext(LanguageContext);
  const readerInfo = (a: AlertRecord) => a.cap.info?.find((i) => (i.language ?? 'en-US').toLowerCase().startsWith(lang)) ?? a.cap.info?.[0];
  const [alerts, setAlerts] = useState<AlertRecord[]>([]);
  const [templates, setTemplates] = useState<AlertTemplate[]>([]);
  const [form, setForm] = useState<Form | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [delivery, setDelivery] = useState<ChannelProgress[]>([]);
  const [report, setReport] = useState<AlertReport | null>(null);
  const [answers, setAnswers] = useState<{
    safe: number;
    needHelp: { recipientId: string; at: string; locations: { kind: string; position: [number, number] }[] }[];
  } | null>(null);
  const isOfficer = me.roles.includes('alert-officer');
  const [showWebhooks, setShowWebhooks] = useState(false);
  const [showRules, setShowRules] = useState(false);

  const load = useCallback(async () => {
    const [a, tpl] = await Promise.all([api<{ alerts: AlertRecord[] }>('/api/alerts'), api<{ templates: AlertTemplate[] }>('/api/alerts/templates')]);
    setAlerts(a.alerts);
    setTemplates(tpl.templates);
  }, []);
  const { busy, error, setError, run } = useAction(load);
  useEffect(() => void load().catch((e: unknown) => setError(errorText(t, e))), [load, setError, t]);
  const lastAlertSeq = recent.find((e) => e.type.startsWith('alerts.'))?.seq;
  useEffect(() => {
    if (lastAlertSeq) void load().catch(() => {});
  }, [lastAlertSeq, load]);

  const applyTemplate = (id: string): void => {
    const tpl = templates.find((x) => x.id === id);
    if (!tpl || !form) return;
    setForm({
      ...form,
      category: tpl.category,
      responseType: tpl.responseType,
      urgency: tpl.urgency,
      severity: tpl.severity,
      certainty: tpl.certainty,
      expiresHours: String(tpl.expiresHours),
      texts: { ...emptyTexts(), ...tpl.texts },
    });
  };

  const info = useMemo(() => (form ? infoBlocks(form) : []), [form]);
  const submitForm = (): Promise<boolean> =>
    run(async () => {
      if (!form) return;
      const body = {
        status: form.status,
        scope: form.scope,
        ...(form.scope === 'Restricted' ? { restriction: form.restriction } : {}),
        channels: form.channels,
        info,
      };
      const { alert } = await api<{ alert: AlertRecord }>('/api/alerts', { method: 'POST', body });
      const sent = await api<{ alert: AlertRecord }>(`/api/alerts/${alert.alertId}/submit`, { method: 'POST' });
      setSelected(sent.alert.alertId);
      setForm(null);
    });

  const current = alerts.find((a) => a.alertId === selected) ?? null;
  // Delivery progress of the selected alert, refreshed with every alerts event on the live feed.
  useEffect(() => {
    if (!selected) return setDelivery([]);
    api<{ delivery: ChannelProgress[]; answers: NonNullable<typeof answers> }>(`/api/alerts/${selected}`).then(
      (r) => {
        setDelivery(r.delivery);
        setAnswers(r.answers);
      },
      () => setDelivery([]),
    );
    api<{ report: AlertReport }>(`/api/alerts/${selected}/report`).then(
      (r) => setReport(r.report),
      () => setReport(null),
    );
  }, [selected, lastAlertSeq]);
  const mine = (a: AlertRecord): boolean => a.author === me.actor;

  return (
    <div className="alerts-page">
      <div className="queue">
        <h2>{t('Alerts')}</h2>
        <div className="queue-actions">
          {isOfficer && !form && (
            <button
              onClick={() => {
                setShowRules(false);
                setForm(blank());
              }}
            >
              {t('New alert')}
            </button>
          )}
          <button
            onClick={() => {
              setForm(null);
              setShowRules(true);
            }}
          >
            {t('Early-warning rules')}
          </button>
          {(isOfficer || me.roles.includes('admin')) && (
            <button onClick={() => setShowWebhooks(!showWebhooks)} aria-pressed={showWebhooks}>
              {t('Webhooks')}
            </button>
          )}
        </div>
        <ul className="alert-list" data-testid="alert-list">
          {alerts.map((a) => (
            <li
              key={a.alertId}
              className={`${a.alertId === selected ? 'selected' : ''} ${a.origin === 'sensor-rule' ? 'sensor-drafted' : ''}`}
              onClick={() => {
                setShowRules(false);
                setSelected(a.alertId);
              }}
            >
              {a.origin === 'sensor-rule' && (
                <span className="badge sensor" data-testid="sensor-marker" title={a.trigger?.ruleName}>
                  {t('sensor')}
                </span>
              )}{' '}
              <span className={`badge ${STATE_CLASS[a.state] ?? ''}`}>{t(ALERT_STATE_LABELS[a.state] ?? a.state)}</span>{' '}
              {a.cap.status !== 'Actual' && (
                <strong>
                  [<CapWord field="status" code={a.cap.status} upper />]{' '}
                </strong>
              )}
              {a.cap.msgType !== 'Alert' && (
                <em>
                  <CapWord field="msgType" code={a.cap.msgType} />:{' '}
                </em>
              )}
              {readerInfo(a)?.headline ?? readerInfo(a)?.event ?? a.cap.identifier}
              <div className="muted small">
                <CapWord field="severity" code={a.cap.info?.[0]?.severity} /> · <CapWord field="scope" code={a.cap.scope} /> · {time(a.createdAt)}
                {a.origin === 'imported' ? ` · ${a.cap.sender}` : ''}
                {a.trigger ? ` · ${a.trigger.ruleName}` : ''}
              </div>
            </li>
          ))}
        </ul>
      </div>
      <div className="detail">
        {showWebhooks && <WebhooksScreen myRoles={me.roles} />}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {showRules && !form ? (
          <EarlyWarningRules
            isOfficer={isOfficer}
            recent={recent}
            onOpenAlert={(id) => {
              setShowRules(false);
              setSelected(id);
            }}
          />
        ) : form ? (
          <form
            className="alert-form"
            aria-label={t('New alert')}
            onSubmit={(e) => {
              e.preventDefault();
              void submitForm();
            }}
          >
            <h2>{t('New alert')}</h2>
            <div className="row">
              <select aria-label={t('Template')} value="" onChange={(e) => applyTemplate(e.target.value)}>
                <option value="">{t('Start from a template…')}</option>
                {templates.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
              <select aria-label={t('Status')} value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value as Form['status'] })}>
                {(['Actual', 'Exercise', 'Test'] as const).map((x) => (
                  <option key={x} value={x} title={t('CAP status: {code}').replace('{code}', x)}>
                    {capWord(t, 'status', x)}
                  </option>
                ))}
              </select>
              <select aria-label={t('Scope')} value={form.scope} onChange={(e) => setForm({ ...form, scope: e.target.value as Form['scope'] })}>
                {(['Public', 'Restricted'] as const).map((x) => (
                  <option key={x} value={x} title={t('CAP scope: {code}').replace('{code}', x)}>
                    {capWord(t, 'scope', x)}
                  </option>
                ))}
              </select>
              {form.scope === 'Restricted' && (
                <input
                  aria-label={t('Restriction')}
                  placeholder={t('Who may see it')}
                  value={form.restriction}
                  onChange={(e) => setForm({ ...form, restriction: e.target.value })}
                  required
                />
              )}
            </div>
            <div className="row">
              <select aria-label={t('Urgency')} value={form.urgency} onChange={(e) => setForm({ ...form, urgency: e.target.value })}>
                {URGENCIES.map((x) => (
                  <option key={x} value={x} title={t('CAP urgency: {code}').replace('{code}', x)}>
                    {capWord(t, 'urgency', x)}
                  </option>
                ))}
              </select>
              <select aria-label={t('Severity')} value={form.severity} onChange={(e) => setForm({ ...form, severity: e.target.value })}>
                {SEVERITIES.map((x) => (
                  <option key={x} value={x} title={t('CAP severity: {code}').replace('{code}', x)}>
                    {capWord(t, 'severity', x)}
                  </option>
                ))}
              </select>
              <select aria-label={t('Certainty')} value={form.certainty} onChange={(e) => setForm({ ...form, certainty: e.target.value })}>
                {CERTAINTIES.map((x) => (
                  <option key={x} value={x} title={t('CAP certainty: {code}').replace('{code}', x)}>
                    {capWord(t, 'certainty', x)}
                  </option>
                ))}
              </select>
              <label className="small">
                {t('Expires in (h)')}{' '}
                <input
                  aria-label={t('Expires in hours')}
                  type="number"
                  min={1}
                  max={720}
                  value={form.expiresHours}
                  onChange={(e) => setForm({ ...form, expiresHours: e.target.value })}
                />
              </label>
            </div>
            <fieldset className="kinds">
              <legend>{t('Category')}</legend>
              {CATEGORIES.map((c) => (
                <label key={c}>
                  <input
                    type="checkbox"
                    checked={form.category.includes(c)}
                    onChange={(e) => setForm({ ...form, category: e.target.checked ? [...form.category, c] : form.category.filter((x) => x !== c) })}
                  />{' '}
                  <span title={c}>{wordFor(t, CAP_CATEGORY_LABELS, c)}</span>
                </label>
              ))}
            </fieldset>
            <fieldset className="kinds">
              <legend>{t('What people should do')}</legend>
              {RESPONSE_TYPES.map((c) => (
                <label key={c}>
                  <input
                    type="checkbox"
                    checked={form.responseType.includes(c)}
                    onChange={(e) =>
                      setForm({ ...form, responseType: e.target.checked ? [...form.responseType, c] : form.responseType.filter((x) => x !== c) })
                    }
                  />{' '}
                  <span title={c}>{wordFor(t, CAP_RESPONSE_LABELS, c)}</span>
                </label>
              ))}
            </fieldset>
            <h3>{t('Target area')}</h3>
            <input
              aria-label={t('Area description')}
              placeholder={t('Area name (e.g. Fontvieille harbour)')}
              value={form.areaDesc}
              onChange={(e) => setForm({ ...form, areaDesc: e.target.value })}
            />
            <AreaDrawMap ring={form.ring} onChange={(ring, name) => setForm((f) => (f ? { ...f, ring, areaDesc: name ?? f.areaDesc } : f))} />
            <h3>{t('Message, language by language')}</h3>
            <div className="languages">
              {LANGS.map((l) => {
                const x = form.texts[l]!;
                const set = (patch: Partial<typeof x>): void => setForm({ ...form, texts: { ...form.texts, [l]: { ...x, ...patch } } });
                const block = info.find((i) => i.language === l);
                const preview = block ? channelTexts({ status: form.status, msgType: 'Alert' }, block) : null;
                return (
                  <div key={l} className="language" data-lang={l}>
                    <h4>{l}</h4>
                    <input
                      aria-label={t('Event ({language})').replace('{language}', l)}
                      placeholder={t('Event')}
                      value={x.event}
                      onChange={(e) => set({ event: e.target.value })}
                    />
                    <input
                      aria-label={t('Headline ({language})').replace('{language}', l)}
                      placeholder={t('Headline')}
                      value={x.headline}
                      onChange={(e) => set({ headline: e.target.value })}
                    />
                    <textarea
                      aria-label={t('Description ({language})').replace('{language}', l)}
                      placeholder={t('What is happening')}
                      value={x.description}
                      onChange={(e) => set({ description: e.target.value })}
                      rows={3}
                    />
                    <textarea
                      aria-label={t('Instruction ({language})').replace('{language}', l)}
                      placeholder={t('What to do')}
                      value={x.instruction}
                      onChange={(e) => set({ instruction: e.target.value })}
                      rows={3}
                    />
                    {preview && (
                      <div className="preview small" data-testid={`preview-${l}`}>
                        <div>
                          <strong>SMS</strong> · {preview.smsSizing.encoding} · {preview.smsSizing.units} / {preview.smsSizing.perSegment} ·{' '}
                          {preview.smsSizing.segments} {t('part(s)')}
                        </div>
                        <div className="sms-text">{preview.sms}</div>
                        <div>
                          <strong>{t('Cell broadcast')}</strong> · {preview.cellBroadcast.pages.length} {t('page(s)')}
                          {preview.cellBroadcast.fits ? '' : ` — ${t('too long (15 pages at most)')}`}
                        </div>
                        <div>
                          <strong>{t('Voice')}</strong> · {preview.voice.length} {t('characters')}
                        </div>
                      </div>
                    )}
                  </div>
                );
              })}
            </div>
            <fieldset className="kinds">
              <legend>{t('Channels')}</legend>
              {CHANNELS.map((c) => (
                <label key={c}>
                  <input
                    type="checkbox"
                    checked={form.channels.includes(c)}
                    onChange={(e) => setForm({ ...form, channels: e.target.checked ? [...form.channels, c] : form.channels.filter((x) => x !== c) })}
                  />{' '}
                  {c}
                </label>
              ))}
            </fieldset>
            <p className="muted small">
              {info.length > 0 && needsApproval({ identifier: '', sender: '', sent: '', status: form.status, msgType: 'Alert', scope: form.scope, info })
                ? t('Severe, Extreme or Public: a second alert officer must approve it before it goes out.')
                : t('It goes out as soon as you send it.')}
            </p>
            <div className="row">
              <button type="submit" disabled={busy || info.length === 0 || form.category.length === 0}>
                {t('Send for approval / issue')}
              </button>
              <button type="button" onClick={() => setForm(null)}>
                {t('Cancel')}
              </button>
            </div>
          </form>
        ) : current ? (
          <div data-testid="alert-detail">
            <h2>
              {current.cap.status !== 'Actual' ? `[${capWord(t, 'status', current.cap.status).toUpperCase()}] ` : ''}
              {readerInfo(current)?.headline ?? current.cap.identifier}
            </h2>
            <p className="muted small">
              <span className={`badge ${STATE_CLASS[current.state] ?? ''}`} data-testid="alert-state" data-state={current.state}>
                {t(ALERT_STATE_LABELS[current.state] ?? current.state)}
              </span>{' '}
              · <CapWord field="msgType" code={current.cap.msgType} /> · <CapPair field="scope" code={current.cap.scope} /> · {t('by')}{' '}
              <span data-testid="alert-author" title={current.author}>
                {name(current.author)}
              </span>
              {current.approvedBy ? (
                <span data-testid="alert-approver" title={current.approvedBy}>
                  {' '}
                  · {t('approved by')} {name(current.approvedBy)}
                </span>
              ) : (
                ''
              )}
              {current.issuedAt ? ` · ${t('issued')} ${time(current.issuedAt)}` : ''}
              {' · '}
              <a href={`/api/alerts/${current.alertId}/cap.xml`} target="_blank" rel="noreferrer">
                CAP XML
              </a>
            </p>
            {current.rejected && (
              <p className="error">
                {t('Rejected')} ({t('by')} {name(current.rejected.by)}): {current.rejected.reason}
              </p>
            )}
            {current.trigger && (
              <div className="trigger" data-testid="alert-trigger">
                <strong>
                  {t('Drafted by the early-warning rule')} “{current.trigger.ruleName}”
                </strong>{' '}
                — {t('triggering readings')}:
                <ul className="small">
                  {current.trigger.readings.map((r) => (
                    <li key={r.signalId}>
                      {r.deviceId}: <strong>{r.value !== null ? `${r.value}${r.unit ? ` ${r.unit}` : ''}` : r.state}</strong> · {time(r.at)}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {(current.state === 'pending-approval' || current.state === 'draft' || current.state === 'rejected') && <AlertReview alert={current} />}
            {isOfficer && current.state === 'pending-approval' && !mine(current) && (
              <div className="row actions">
                <button onClick={() => void run(() => api(`/api/alerts/${current.alertId}/approve`, { method: 'POST' }))} disabled={busy}>
                  {t('Approve and issue')}
                </button>
                <button
                  onClick={() => {
                    const reason = window.prompt(t('Why is it rejected?'));
                    if (reason) void run(() => api(`/api/alerts/${current.alertId}/reject`, { method: 'POST', body: { reason } }));
                  }}
                  disabled={busy}
                >
                  {t('Reject')}
                </button>
              </div>
            )}
            {isOfficer && current.state === 'pending-approval' && mine(current) && (
              <p className="muted">{t('Waiting for a second alert officer to approve it.')}</p>
            )}
            {isOfficer && (current.state === 'draft' || current.state === 'rejected') && mine(current) && (
              <button onClick={() => void run(() => api(`/api/alerts/${current.alertId}/submit`, { method: 'POST' }))} disabled={busy}>
                {t('Submit')}
              </button>
            )}
            {isOfficer && current.state === 'issued' && current.origin !== 'imported' && (
              <div className="row actions">
                <button
                  onClick={() =>
                    void run(async () =>
                      setSelected((await api<{ alert: AlertRecord }>(`/api/alerts/${current.alertId}/update`, { method: 'POST' })).alert.alertId),
                    )
                  }
                  disabled={busy}
                >
                  {t('Draft an update')}
                </button>
                <button
                  onClick={() =>
                    void run(async () => {
                      const { alert } = await api<{ alert: AlertRecord }>(`/api/alerts/${current.alertId}/cancel`, { method: 'POST' });
                      await api(`/api/alerts/${alert.alertId}/submit`, { method: 'POST' });
                      setSelected(alert.alertId);
                    })
                  }
                  disabled={busy}
                >
                  {t('Cancel the alert (all clear)')}
                </button>
              </div>
            )}
            {delivery.length > 0 && (
              <div className="delivery" data-testid="delivery">
                <h3>{t('Delivery')}</h3>
                {delivery.map((d) => {
                  const share = d.queued ? d.sent / d.queued : d.status === 'done' ? 1 : 0;
                  const delivered = d.queued ? (d.delivered ?? 0) / d.queued : 0;
                  // Only SMS has delivery receipts; elsewhere "sent" is as far as Vigil can know.
                  const receipts = d.channel === 'sms';
                  return (
                    <div key={d.channel} className={`delivery-row ${d.status}`} data-channel={d.channel}>
                      <span className="channel">{d.channel}</span>
                      <span className="bar">
                        <span style={{ width: `${Math.round(share * 100)}%` }} />
                        {receipts && <span className="delivered" style={{ width: `${Math.round(delivered * 100)}%` }} />}
                      </span>
                      <span className="small">
                        {d.status === 'unavailable'
                          ? `${t('unavailable')}: ${d.note ?? ''}`
                          : d.queued
                            ? `${d.sent} / ${d.queued} ${t('sent')}${receipts ? `, ${d.delivered ?? 0} ${t('delivered')}` : ''}${d.failed ? `, ${d.failed} ${t('failed')}` : ''} · ${wordFor(t, DELIVERY_STATUS_LABELS, d.status)}`
                            : `${wordFor(t, DELIVERY_STATUS_LABELS, d.status)}${d.note ? ` — ${d.note}` : ''}`}
                      </span>
                    </div>
                  );
                })}
              </div>
            )}
            {current.state !== 'draft' && (
              <RecipientsTable
                alertId={current.alertId}
                channels={delivery.filter((d) => d.queued > 0 && d.channel !== 'sirens').map((d) => d.channel)}
                refresh={lastAlertSeq}
              />
            )}
            <ChannelDetails alertId={current.alertId} refresh={lastAlertSeq} />
            {report && report.channels.some((c) => c.queued > 0) && (
              <table className="table small" data-testid="alert-report">
                <thead>
                  <tr>
                    <th>{t('Channel')}</th>
                    <th>{t('Reach')}</th>
                    <th>{t('Delivered')}</th>
                    <th>50 %</th>
                    <th>90 %</th>
                    <th>99 %</th>
                    <th>{t('Languages')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.channels
                    .filter((c) => c.queued > 0)
                    .map((c) => (
                      <tr key={c.channel}>
                        <td>{c.channel}</td>
                        <td>{c.reach === null ? '–' : `${Math.round(c.reach * 100)} %`}</td>
                        <td>{c.deliveredReach === null ? '–' : `${Math.round(c.deliveredReach * 100)} %`}</td>
                        {(['p50', 'p90', 'p99'] as const).map((k) => (
                          <td key={k}>{c.secondsTo[k] === null ? '–' : `${c.secondsTo[k]} s`}</td>
                        ))}
                        <td>
                          {Object.entries(c.byLanguage)
                            .map(([l, n]) => `${l} ${n}`)
                            .join(', ')}
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
            )}
            {report && report.channels.some((c) => c.byArea.length > 0) && (
              <table className="table small" data-testid="reach-by-area">
                <thead>
                  <tr>
                    <th>{t('Neighbourhood')}</th>
                    {report.channels
                      .filter((c) => c.byArea.length > 0)
                      .map((c) => (
                        <th key={c.channel}>{c.channel}</th>
                      ))}
                  </tr>
                </thead>
                <tbody>
                  {[...new Set(report.channels.flatMap((c) => c.byArea.map((a) => a.name)))].map((name) => (
                    <tr key={name}>
                      <td>{name === 'outside the neighbourhoods' ? t(name) : name}</td>
                      {report.channels
                        .filter((c) => c.byArea.length > 0)
                        .map((c) => {
                          const a = c.byArea.find((x) => x.name === name);
                          // Reached: handed over (and, for SMS, confirmed) out of the recipients there.
                          return (
                            <td key={c.channel}>
                              {a ? `${a.sent + a.delivered} / ${a.recipients}${c.channel === 'sms' ? ` (${a.delivered} ${t('delivered')})` : ''}` : '–'}
                            </td>
                          );
                        })}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {answers && (answers.safe > 0 || answers.needHelp.length > 0) && (
              <div data-testid="answers">
                <h3>{t('Answers')}</h3>
                <p>
                  {answers.safe} {t('safe')} ·{' '}
                  <strong className="bad">
                    {answers.needHelp.length} {t('need help')}
                  </strong>
                </p>
                <ul className="small">
                  {answers.needHelp.map((h) => (
                    <li key={h.recipientId}>
                      {time(h.at)} —{' '}
                      {h.locations
                        .map(
                          (l) =>
                            `${t(l.kind === 'home' ? 'Home' : l.kind === 'work' ? 'Work' : 'Last known position')} ${l.position[1].toFixed(5)}, ${l.position[0].toFixed(5)}`,
                        )
                        .join('; ')}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {(current.cap.info ?? []).map((i) => {
              const p = channelTexts(current.cap, i);
              return (
                <div key={i.language ?? 'en-US'} className="plan-card">
                  <strong>{i.language ?? 'en-US'}</strong> · {i.event} · <CapPair field="severity" code={i.severity} /> ·{' '}
                  <CapPair field="urgency" code={i.urgency} /> · <CapPair field="certainty" code={i.certainty} />
                  {i.expires ? ` · ${t('expires')} ${time(i.expires)}` : ''}
                  <p>{i.description}</p>
                  {i.instruction && (
                    <p>
                      <strong>{i.instruction}</strong>
                    </p>
                  )}
                  <p className="muted small">
                    {(i.area ?? []).map((a) => a.areaDesc).join(', ')} · SMS {p.smsSizing.encoding} × {p.smsSizing.segments} · CB {p.cellBroadcast.pages.length}{' '}
                    {t('page(s)')}
                  </p>
                </div>
              );
            })}
          </div>
        ) : (
          <p className="muted">
            {isOfficer
              ? alerts.length > 0
                ? t('Select an alert, or write a new one.')
                : t('No public alert yet. Write one with “New alert”: a second alert officer approves it before it goes out.')
              : alerts.length > 0
                ? t('Select an alert to read it.')
                : t('No public alert has been written yet. Alert officers write them here; you will see each one, its approval and its delivery.')}
          </p>
        )}
      </div>
    </div>
  );
}
