import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, type Me, type StoredEvent } from '../api.js';
import { useCount, useT, useTime, withColon } from '../i18n.js';
import { useNames } from '../directory.js';
import {
  alarmTitleParts,
  codeText,
  frameDecisionEvent,
  localTitle,
  RESOLUTIONS,
  type Signal as CodedSignal,
  type TitleParts,
} from '../../../src/alarms/contract.js';
import { useCodeTexts } from '../alarm-titles.js';
import { ALARM_KIND_LABELS, ALARM_STATUS_LABELS, RESOLUTION_LABELS, STEP_KIND_LABELS } from '../labels.js';
import { SiteMap } from '../components/SiteMap.js';
import { AccountsPanel } from './AccountsPanel.js';
import { errorText } from '../errors.js';

interface Alarm {
  alarmId: string;
  account: string | null;
  siteId: string | null;
  kind: string;
  priority: number;
  status: string;
  title: string;
  /** What the title is made of (the queue sends it): the title in the reader's language is rebuilt from it. */
  titleParts?: TitleParts | null;
  raisedAt: string;
  signalIds: string[];
  restored: boolean;
  claimedBy: string | null;
  acknowledgedAt: string | null;
  confirmation?: string | null;
}
interface Signal {
  signalId: string;
  code: string;
  kind: string;
  phase: string;
  description: string;
  zone: string | null;
  user: string | null;
  account: string | null;
  receivedAt: string;
  occurredAt: string | null;
  protocol: CodedSignal['protocol'];
  flags: string[];
  text: string | null;
}
interface Step {
  stepId: string;
  kind: string;
  text: string;
  mandatory: boolean;
  timerSeconds: number | null;
  notifyUrl?: string | null;
}
interface Keyholder {
  name: string;
  phone: string;
  note: string | null;
}
interface FailedNotification {
  stepId: string;
  url: string;
  attempts: number;
  error: string;
}
interface StepDone {
  stepId: string;
  by: string;
  at: string;
  outcome: string;
}
interface Device {
  id: string;
  kind: string;
  label: string;
  position: [number, number];
  distanceM?: number;
  lastSignal?: Signal | null;
}
interface Detail {
  alarm: Alarm;
  signals: Signal[];
  pathFaulted: boolean;
  escalated: boolean;
  plan: { name: string; steps: Step[] } | null;
  stepsDone: StepDone[];
  keyholders: Keyholder[];
  failedNotifications: FailedNotification[];
  verification: { cameras: Device[]; siteDevices: Device[] };
}
interface Stats {
  open: number;
  acknowledged: number;
  within30s: number | null;
  within60s: number | null;
  medianAckSeconds: number | null;
  medianCloseSeconds: number | null;
  falseAlarmRate: number | null;
}

const pct = (x: number | null): string => (x === null ? '–' : `${Math.round(x * 100)} %`);
const MUTE_KEY = 'vigil.alarm-sound';

/** A short two-tone cue for a new alarm (Web Audio; nothing to download). Urgent alarms (priority 1–2) sound three times. */
function chime(urgent: boolean): void {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    const repeats = urgent ? 3 : 1;
    for (let i = 0; i < repeats; i++) {
      for (const [k, freq] of [880, 660].entries()) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = freq;
        gain.gain.value = 0.15;
        osc.connect(gain).connect(ctx.destination);
        const at = ctx.currentTime + i * 0.5 + k * 0.18;
        osc.start(at);
        osc.stop(at + 0.16);
      }
    }
    setTimeout(() => void ctx.close(), 2000);
  } catch {
    // No audio device: the flash still shows.
  }
}

/**
 * The operator console: the live queue (most urgent first) and the selected alarm
 * with its signals. Keyboard: j/k move, c claim, a acknowledge, x close.
 */
export function AlarmsPage({ me, recent }: { me: Me; recent: StoredEvent[] }) {
  const t = useT();
  const count = useCount();
  const time = useTime();
  // Titles and signal texts in the reader's language (en: as stored; fr: the code's French text, zone and place).
  const codeTexts = useCodeTexts();
  const [alarms, setAlarms] = useState<Alarm[]>([]);
  const [stats, setStats] = useState<Stats | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [outcomes, setOutcomes] = useState<Record<string, string>>({});
  const [resolution, setResolution] = useState('');
  const name = useNames();
  const [muted, setMuted] = useState(() => localStorage.getItem(MUTE_KEY) === 'muted');
  const [flash, setFlash] = useState(false);
  // New alarms since this page opened: a sound (unless muted) and a flash of the queue.
  const [openedAt] = useState(() => new Date().toISOString());
  // Raised by a signal: told in the signal's event (frameDecisionEvent reads it as the alarm raised).
  const lastRaised = recent.map((e) => frameDecisionEvent(e) ?? e).find((e) => e.type === 'alarms.alarm.raised' && e.at >= openedAt);
  useEffect(() => {
    if (!lastRaised) return;
    const priority = (lastRaised.data as { alarm?: { priority?: number } }).alarm?.priority ?? 9;
    if (!muted) chime(priority <= 2);
    setFlash(true);
    const timer = setTimeout(() => setFlash(false), 3000);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastRaised?.id]);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const noteRef = useRef<HTMLInputElement>(null);
  const canHandle = me.roles.includes('operator') || me.roles.includes('supervisor');
  const canSetUp = me.roles.includes('supervisor') || me.roles.includes('admin');
  const [view, setView] = useState<'queue' | 'accounts'>('queue');

  const load = useCallback(async () => {
    const [q, s] = await Promise.all([api<{ alarms: Alarm[] }>('/api/alarms'), api<Stats>('/api/alarms/stats')]);
    setAlarms(q.alarms);
    setStats(s);
    setSelected((cur) => cur ?? q.alarms[0]?.alarmId ?? null);
  }, []);
  useEffect(() => void load().catch((e: unknown) => setError(errorText(t, e))), [load, t]);
  // Any alarms event on the live feed refreshes the queue.
  const lastAlarmSeq = recent.find((e) => e.type.startsWith('alarms.'))?.seq;
  useEffect(() => {
    if (lastAlarmSeq) void load().catch(() => {});
  }, [lastAlarmSeq, load]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (!selected) return setDetail(null);
    api<Detail>(`/api/alarms/${selected}`).then(setDetail, () => setDetail(null));
  }, [selected, alarms]);

  const act = useCallback(
    async (action: 'take' | 'close') => {
      if (!selected) return;
      setError(null);
      try {
        if (action === 'take') {
          // Take and acknowledge in one action: claim it if nobody has, then acknowledge.
          const current = alarms.find((a) => a.alarmId === selected);
          if (current?.status === 'new') await api(`/api/alarms/${selected}/claim`, { method: 'POST' });
          await api(`/api/alarms/${selected}/acknowledge`, { method: 'POST' });
        } else {
          if (!resolution) return setError(t('Choose what happened before closing.'));
          await api(`/api/alarms/${selected}/close`, { method: 'POST', body: { resolution, ...(note ? { note } : {}) } });
          setSelected(null);
          setNote('');
          setResolution('');
        }
        await load();
      } catch (e) {
        setError(errorText(t, e));
      }
    },
    [selected, resolution, note, load, alarms, t],
  );

  const doStep = async (stepId: string): Promise<void> => {
    if (!selected) return;
    setError(null);
    try {
      await api(`/api/alarms/${selected}/steps/${stepId}`, { body: { outcome: outcomes[stepId] || 'done' } });
      setDetail(await api<Detail>(`/api/alarms/${selected}`));
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  const index = useMemo(() => alarms.findIndex((a) => a.alarmId === selected), [alarms, selected]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.target as HTMLElement).tagName === 'INPUT' || (e.target as HTMLElement).tagName === 'SELECT') return;
      if (e.key === 'j') setSelected(alarms[Math.min(alarms.length - 1, index + 1)]?.alarmId ?? null);
      else if (e.key === 'k') setSelected(alarms[Math.max(0, index - 1)]?.alarmId ?? null);
      else if ((e.key === 'a' || e.key === 'c') && canHandle) void act('take');
      else if (e.key === 'x' && canHandle) noteRef.current?.focus();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [alarms, index, act, canHandle]);

  const age = (iso: string): string => {
    const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 3600)} h`;
  };

  // Why an action is not available, in words (shown beside the button and as its tooltip).
  const missingSteps = detail?.plan?.steps.filter((st) => st.mandatory && !detail.stepsDone.some((d) => d.stepId === st.stepId)) ?? [];
  const a = detail?.alarm;
  const detailTitle = detail ? (localTitle(alarmTitleParts(detail.alarm.title, detail.signals), codeTexts, t('account')) ?? detail.alarm.title) : '';
  const takeBlocked = !a
    ? null
    : a.status === 'acknowledged'
      ? t('Already acknowledged')
      : a.claimedBy && a.claimedBy !== me.actor && !me.roles.includes('supervisor')
        ? `${t('Taken by')} ${name(a.claimedBy)}`
        : null;
  const closeBlocked = !a
    ? null
    : a.status !== 'acknowledged'
      ? t('take and acknowledge the alarm first')
      : missingSteps.length > 0
        ? `${t('mandatory steps not done')}: ${missingSteps.map((m) => m.text).join('; ')}`
        : !resolution
          ? t('choose what happened')
          : resolution === 'genuine' && !note.trim()
            ? t('say what happened (a genuine alarm needs a note)')
            : null;

  if (view === 'accounts') {
    return (
      <div>
        <div className="row tabs">
          <button onClick={() => setView('queue')}>{t('Alarm queue')}</button>
        </div>
        <AccountsPanel />
      </div>
    );
  }
  return (
    <div className={`console ${flash ? 'flash' : ''}`} data-testid="alarm-console">
      <div className="queue">
        <div className="row stats" data-testid="alarm-stats">
          <strong>{count(alarms.length, 'open alarm', 'open alarms')}</strong>
          {canSetUp && (
            <button className="small" onClick={() => setView('accounts')}>
              {t('Accounts and plans')}
            </button>
          )}
          <button
            className="small"
            aria-pressed={!muted}
            data-testid="alarm-sound"
            onClick={() => {
              localStorage.setItem(MUTE_KEY, muted ? 'on' : 'muted');
              setMuted(!muted);
            }}
            title={t('A sound plays when a new alarm arrives')}
          >
            {muted ? `♪ ${t('Sound off')}` : `♪ ${t('Sound on')}`}
          </button>
          {stats && (
            <span className="muted small" title={t('EN 50518 asks a monitoring centre to acknowledge most alarms within 30 seconds and nearly all within 60.')}>
              {stats.acknowledged === 0
                ? t('No alarm acknowledged yet: response figures appear after the first.')
                : `${t('Acknowledged within 30 s')}: ${pct(stats.within30s)} · ${t('within 60 s')}: ${pct(stats.within60s)} · ${t('median time to close')}: ${
                    stats.medianCloseSeconds === null ? '–' : duration(stats.medianCloseSeconds)
                  } · ${t('false alarms')}: ${pct(stats.falseAlarmRate)}`}
            </span>
          )}
        </div>
        {alarms.length === 0 && (
          <div className="queue-empty muted">
            <p>{t('No open alarms.')}</p>
            <p className="small">
              {t('Alarms from the panels and sensors your centre monitors appear here, the most urgent first, with a sound and a flash.')}
            </p>
          </div>
        )}
        <ul data-testid="alarm-queue">
          {alarms.map((a) => (
            <li
              key={a.alarmId}
              className={`alarm p${Math.min(a.priority, 5)} ${a.alarmId === selected ? 'selected' : ''}`}
              onClick={() => setSelected(a.alarmId)}
            >
              <div className="row">
                <span className={`badge ${a.kind}`}>{t(ALARM_KIND_LABELS[a.kind as keyof typeof ALARM_KIND_LABELS] ?? a.kind)}</span>
                <span className="status">
                  {t(ALARM_STATUS_LABELS[a.status] ?? a.status)}
                  {a.claimedBy ? ` · ${name(a.claimedBy)}` : ''}
                  {a.restored ? ` · ${t('restored')}` : ''}
                </span>
                {a.confirmation && <span className={`badge ${a.confirmation === 'confirmed' ? 'fire' : ''}`}>{a.confirmation}</span>}
                <span className="spacer" />
                <span className={`age ${a.status === 'new' && now - Date.parse(a.raisedAt) > 30_000 ? 'late' : ''}`}>{age(a.raisedAt)}</span>
              </div>
              <div className="title">{localTitle(a.titleParts, codeTexts, t('account')) ?? a.title}</div>
            </li>
          ))}
        </ul>
      </div>
      <div className="detail" data-testid="alarm-detail">
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {detail ? (
          <>
            <h2>{detailTitle}</h2>
            <p className="muted small">
              {t('Raised')} <time dateTime={detail.alarm.raisedAt}>{time(detail.alarm.raisedAt)}</time> · {t('priority')} {detail.alarm.priority} ·{' '}
              {t('account')} {detail.alarm.account ?? '–'} · {t(ALARM_STATUS_LABELS[detail.alarm.status] ?? detail.alarm.status)}
              {detail.alarm.claimedBy ? (
                <span data-testid="claimed-by" title={detail.alarm.claimedBy}>
                  {' '}
                  · {t('taken by')} {name(detail.alarm.claimedBy)}
                </span>
              ) : (
                ''
              )}
              {detail.pathFaulted ? ` · ${t('transmission path FAULTED')}` : ''}
              {detail.escalated ? ` · ${t('ESCALATED (unclaimed > 30 s)')}` : ''}
            </p>
            {canHandle && (
              <div className="row actions">
                <button
                  className="primary"
                  data-testid="take"
                  onClick={() => void act('take')}
                  disabled={takeBlocked !== null}
                  title={takeBlocked ?? t('Take the alarm and acknowledge it')}
                >
                  {t('Take and acknowledge')} <kbd>a</kbd>
                </button>
                <EscalateButton alarmId={detail.alarm.alarmId} />
                <select aria-label={t('What happened')} data-testid="resolution" value={resolution} onChange={(e) => setResolution(e.target.value)}>
                  <option value="" disabled>
                    {t('What happened? (choose)')}
                  </option>
                  {RESOLUTIONS.map((r) => (
                    <option key={r} value={r}>
                      {t(RESOLUTION_LABELS[r])}
                    </option>
                  ))}
                </select>
                <input
                  ref={noteRef}
                  aria-label={t('Closing note')}
                  placeholder={t('What happened')}
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') void act('close');
                  }}
                />
                <button onClick={() => void act('close')} disabled={closeBlocked !== null} title={closeBlocked ?? undefined} data-testid="close">
                  {t('Close')} <kbd>x</kbd>
                </button>
              </div>
            )}
            {canHandle && closeBlocked && (
              <p className="muted small" data-testid="close-why">
                {withColon(t, t('Close is not available yet'))}
                {closeBlocked}
              </p>
            )}
            {detail.plan && (
              <>
                <h3>
                  {withColon(t, t('Action plan'))}
                  {detail.plan.name}
                </h3>
                <ol className="plan" data-testid="plan">
                  {detail.plan.steps.map((st) => {
                    const done = detail.stepsDone.find((d) => d.stepId === st.stepId);
                    const dueAt = st.timerSeconds ? Date.parse(detail.alarm.raisedAt) + st.timerSeconds * 1000 : null;
                    const overdue = !done && dueAt !== null && now > dueAt;
                    const failed = detail.failedNotifications.find((f) => f.stepId === st.stepId);
                    return (
                      <li key={st.stepId} className={done ? 'done' : overdue ? 'overdue' : ''} data-step={st.stepId}>
                        <span className="badge">{t(STEP_KIND_LABELS[st.kind as keyof typeof STEP_KIND_LABELS] ?? st.kind)}</span> {st.text}
                        {st.mandatory ? <strong className="mandatory"> *</strong> : null}
                        {st.timerSeconds ? (
                          <span className={overdue ? 'bad small' : 'muted small'}>
                            {' '}
                            · {overdue ? `${t('overdue by')} ${Math.round((now - dueAt!) / 1000)} s` : `${t('within')} ${st.timerSeconds} s`}
                          </span>
                        ) : null}
                        {st.notifyUrl && !done && !failed ? <span className="muted small"> · {t('automatic notification in progress')}</span> : null}
                        {failed && !done ? (
                          <div className="error small" role="alert">
                            {t('Automatic notification failed')} ({failed.attempts}×, {failed.error}) — {t('do it by hand')}
                          </div>
                        ) : null}
                        {st.kind === 'call' && detail.keyholders.length > 0 && (
                          <ol className="keyholders small" data-testid="keyholders">
                            {detail.keyholders.map((k, i) => (
                              <li key={i}>
                                <strong>{k.name}</strong> <a href={`tel:${k.phone.replace(/[^+\d]/g, '')}`}>{k.phone}</a>
                                {k.note ? <span className="muted"> — {k.note}</span> : null}
                              </li>
                            ))}
                          </ol>
                        )}
                        {done ? (
                          <div className="muted small">
                            ✓ {done.outcome} — <span title={done.by}>{name(done.by)}</span>, <time dateTime={done.at}>{time(done.at, 'time')}</time>
                          </div>
                        ) : canHandle ? (
                          <div className="row">
                            <input
                              aria-label={t('Outcome of {step}').replace('{step}', st.stepId)}
                              placeholder={t('Outcome')}
                              value={outcomes[st.stepId] ?? ''}
                              onChange={(e) => setOutcomes({ ...outcomes, [st.stepId]: e.target.value })}
                            />
                            <button onClick={() => void doStep(st.stepId)}>{t('Done')}</button>
                          </div>
                        ) : null}
                      </li>
                    );
                  })}
                </ol>
                <p className="muted small">* {t('mandatory before closing')}</p>
              </>
            )}
            <h3>{t('Verification')}</h3>
            {detail.verification.siteDevices[0] && (
              <SiteMap
                center={detail.verification.siteDevices[0].position}
                markers={[
                  { position: detail.verification.siteDevices[0].position, kind: 'site', label: detailTitle },
                  ...detail.verification.cameras.map((c) => ({ position: c.position, kind: 'camera' as const, label: c.label })),
                ]}
              />
            )}
            <div className="verification" data-testid="verification">
              <div>
                <strong className="small">{t('Nearest cameras')}</strong>
                <ul className="list">
                  {detail.verification.cameras.map((c) => (
                    <li key={c.id} className="small">
                      {c.label} <span className="muted">· {c.distanceM} m</span>
                    </li>
                  ))}
                </ul>
              </div>
              <div>
                <strong className="small">{t('Other detectors on the site')}</strong>
                <ul className="list">
                  {detail.verification.siteDevices.map((d) => (
                    <li key={d.id} className="small">
                      {t(d.kind.replace(/-/g, ' '))}{' '}
                      <span className="muted">
                        ·{' '}
                        {d.lastSignal
                          ? `${codeText(d.lastSignal, codeTexts) ?? d.lastSignal.description}, ${time(d.lastSignal.receivedAt, 'time')}`
                          : t('quiet')}
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            </div>
            <h3>{t('Signals')}</h3>
            <table className="table" data-testid="alarm-signals">
              <thead>
                <tr>
                  <th>{t('Received')}</th>
                  <th>{t('Code')}</th>
                  <th>{t('Meaning')}</th>
                  <th>{t('Zone / user')}</th>
                  <th>{t('Flags')}</th>
                </tr>
              </thead>
              <tbody>
                {detail.signals.map((s) => (
                  <tr key={s.signalId}>
                    <td className="nowrap">
                      <time dateTime={s.receivedAt}>{time(s.receivedAt, 'time')}</time>
                    </td>
                    <td className="mono">{s.protocol === 'contact-id' ? `CID ${s.code}` : s.code}</td>
                    <td>
                      {codeText(s, codeTexts) ?? s.description}{' '}
                      <span className="muted small">
                        ({t(ALARM_KIND_LABELS[s.kind as keyof typeof ALARM_KIND_LABELS] ?? s.kind)}, {t(`signal-phase:${s.phase}`)})
                      </span>
                    </td>
                    <td>{s.zone ?? s.user ?? ''}</td>
                    <td className="small">{s.flags.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          <p className="muted">{t('Select an alarm.')}</p>
        )}
      </div>
    </div>
  );
}

/** Escalates the alarm into an incident (its site, kind, position and link go with it). */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

function EscalateButton({ alarmId }: { alarmId: string }) {
  const t = useT();
  const [done, setDone] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setDone(null);
    setProblem(null);
  }, [alarmId]);
  const escalate = async (): Promise<void> => {
    try {
      const r = await api<{ incident: { reference: string } }>(`/api/incidents/from-alarm/${alarmId}`, { method: 'POST', body: {} });
      setDone(r.incident.reference);
    } catch (e) {
      setProblem(errorText(t, e));
    }
  };
  return (
    <>
      <button onClick={() => void escalate()} disabled={done !== null} data-testid="escalate">
        {t('Escalate to incident')}
      </button>
      {done && (
        <span className="ok small" data-testid="escalated">
          {t('Incident')} {done}
        </span>
      )}
      {problem && <span className="bad small">{problem}</span>}
    </>
  );
}
