import type { NewEvent, StoredEvent } from '../platform/event-log.js';
import type { Site } from '../city/contract.js';
import { alarmEvent, type AlarmEvents, type SignalDecision } from './events.js';
import { CONFIRMATION_WINDOW_SECONDS, KIND_PRIORITY, RESTORE_DELAY_SECONDS, type Alarm, type Signal } from './model.js';

/** A new alarm-phase signal joins the account's open alarm if it was raised this recently. */
export const CORRELATION_WINDOW_MS = CONFIRMATION_WINDOW_SECONDS * 1000;

const ACTOR = 'system:alarm-rules';

/** Signals of one panel account, or of one sensor, belong to the same burst. */
export const correlationKey = (s: Signal): string => s.account ?? (s.deviceId ? `device:${s.deviceId}` : `signal:${s.signalId}`);

/** What the rules read of the alarms read model (AlarmsState is one). */
export interface RulesView {
  readonly openByKey: ReadonlyMap<string, string>;
  readonly alarms: ReadonlyMap<string, Alarm>;
  readonly held: ReadonlyMap<string, { until: number; correlationKey: string }>;
  readonly signals: ReadonlyMap<string, Signal>;
  /** Burglary zones seen per open alarm. */
  readonly intrusionZones: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Everything the rules decide on besides the signals: the read model, the sites (for titles), new alarm ids. */
export interface RulesInput {
  view: RulesView;
  sites: ReadonlyMap<string, Pick<Site, 'name' | 'address'>>;
  newAlarmId(): string;
}

/**
 * The events one batch of signals makes, in order: one `alarms.signal.received` per signal,
 * carrying what the rules decided of it. Pure: no I/O; it reads `input` and returns events.
 * A signal may join an alarm raised by an earlier signal of the same batch.
 */
export function decideSignals(signals: readonly Signal[], orgIdOf: (signal: Signal) => string | null, input: RulesInput): NewEvent[] {
  const events: NewEvent[] = [];
  const openNow = new Map<string, Alarm>(); // alarms raised within this batch
  const batch = signals.length > 1 ? new Map(signals.map((sg) => [sg.signalId, sg])) : null;
  for (const signal of signals) {
    const orgId = orgIdOf(signal);
    const decision = decide(signal, openNow, batch, input);
    // Keys in sorted order; `decision` only when there is one (canonical JSON drops nothing, so absent is absent).
    events.push({
      type: 'alarms.signal.received',
      subject: signal.account ? `account:${signal.account}` : `device:${signal.deviceId ?? '-'}`,
      orgId,
      actor: signal.account ? `device:${signal.account}` : `device:${signal.deviceId ?? 'unknown'}`,
      data: decision ? { decision, signal } : { signal },
      reason: null,
    });
  }
  return events;
}

/**
 * Signal → alarm rules: status and test signals raise nothing; a restore releases
 * a held signal or marks the open alarm restored; kinds with a restore delay are
 * held first; a burst of one premise joins its open alarm, where a second zone
 * confirms an intrusion and the same zone again is a two-trip.
 */
function decide(
  signal: Signal,
  openNow: Map<string, Alarm>,
  batch: Map<string, Signal> | null,
  { view, sites, newAlarmId }: RulesInput,
): SignalDecision | null {
  const key = correlationKey(signal);
  const openId = view.openByKey.get(key);
  const open = openNow.get(key) ?? (openId ? view.alarms.get(openId) : undefined);
  if (signal.phase === 'restore') {
    for (const [heldId, h] of view.held) {
      const held = view.signals.get(heldId);
      if (h.correlationKey === key && held?.kind === signal.kind) return { rule: 'released', signalId: heldId };
    }
    if (open && open.kind === signal.kind) return { alarmId: open.alarmId, rule: 'restored' };
    return null;
  }
  if (signal.phase === 'status') return null;
  const priority = KIND_PRIORITY[signal.kind];
  const now = Date.parse(signal.receivedAt);
  const site = signal.siteId ? sites.get(signal.siteId) : undefined;
  // A signal with neither site nor account (a crowd level, a sensor outside any site) is titled by its description alone, which names its place.
  const where = site?.name ?? site?.address ?? (signal.account ? `account ${signal.account}` : null);
  const title = `${signal.description}${signal.zone ? ` — zone ${signal.zone}` : ''}${where ? ` — ${where}` : ''}`;
  if (open && open.status !== 'closed' && now - Date.parse(open.raisedAt) <= CORRELATION_WINDOW_MS) {
    const moreUrgent = priority < open.priority;
    let confirmation: 'confirmed' | 'two-trip' | undefined;
    if (signal.kind === 'burglary' && signal.zone) {
      // Zones already in the alarm: recorded ones from the read model, this batch's from the batch.
      const recorded = view.intrusionZones.get(open.alarmId);
      let seen = recorded?.size ?? 0;
      let other = recorded ? recorded.size > 1 || (recorded.size === 1 && !recorded.has(signal.zone)) : false;
      if (openNow.get(key) === open)
        for (const id of open.signalIds) {
          const sg = batch?.get(id);
          if (sg?.kind !== 'burglary' || !sg.zone) continue;
          seen++;
          if (sg.zone !== signal.zone) other = true;
        }
      if (seen > 0) confirmation = other ? 'confirmed' : 'two-trip';
    }
    // Only a not-yet-recorded alarm of this batch is changed here; the projection changes by events.
    if (openNow.get(key) === open) {
      if (moreUrgent) Object.assign(open, { priority, kind: signal.kind, title });
      open.signalIds.push(signal.signalId);
      if (confirmation && open.confirmation !== 'confirmed') open.confirmation = confirmation;
    }
    // Each form written out (no spread of optional keys: V8 reshapes such an object on every call).
    const alarmId = open.alarmId;
    if (moreUrgent)
      return confirmation
        ? { alarmId, confirmation, kind: signal.kind, priority, rule: 'correlated', title }
        : { alarmId, kind: signal.kind, priority, rule: 'correlated', title };
    return confirmation ? { alarmId, confirmation, priority, rule: 'correlated' } : { alarmId, priority, rule: 'correlated' };
  }
  const delay = RESTORE_DELAY_SECONDS[signal.kind];
  if (delay) return { rule: 'held', until: new Date(now + delay * 1000).toISOString() };
  const alarmId = newAlarmId();
  // The batch's own copy, which later signals of the batch may join; the decision names only what the signal does not say.
  if (batch) openNow.set(key, newAlarm(signal, { alarmId, correlationKey: key, orgId: null, priority, title, raisedAt: signal.receivedAt }));
  return { alarmId, priority, rule: 'raised', title };
}

/** The alarm a `raised` decision makes of its signal (the event's organisation owns it). */
export function raisedAlarm(signal: Signal, orgId: string | null, d: { alarmId: string; priority: number; title: string }): Alarm {
  return newAlarm(signal, {
    alarmId: d.alarmId,
    correlationKey: correlationKey(signal),
    orgId,
    priority: d.priority,
    title: d.title,
    raisedAt: signal.receivedAt,
  });
}

/**
 * A signal event's decision as the separate event older logs have after it (`alarms.alarm.raised`,
 * `…correlated`, `…restored`, `alarms.signal.held`, `alarms.hold.released`: same subject, actor and
 * data as the rules wrote them then), with the signal event's seq, id, time and organisation; null
 * for any other event. For readers that follow decisions by type or by alarm (webhooks, timelines).
 */
export function frameDecisionEvent(e: StoredEvent): StoredEvent | null {
  if (e.type !== 'alarms.signal.received') return null;
  const { decision, signal } = e.data as AlarmEvents['alarms.signal.received'];
  if (!decision) return null;
  const as = (type: keyof AlarmEvents, subject: string, data: unknown): StoredEvent => ({ ...e, type, subject, actor: ACTOR, data });
  switch (decision.rule) {
    case 'raised':
      return as('alarms.alarm.raised', `alarm:${decision.alarmId}`, { alarm: raisedAlarm(signal, e.orgId, decision) });
    case 'correlated': {
      const { rule: _rule, ...rest } = decision;
      return as('alarms.alarm.correlated', `alarm:${decision.alarmId}`, { ...rest, signalId: signal.signalId });
    }
    case 'restored':
      return as('alarms.alarm.restored', `alarm:${decision.alarmId}`, { alarmId: decision.alarmId, signalId: signal.signalId });
    case 'held':
      return as('alarms.signal.held', `signal:${signal.signalId}`, {
        signalId: signal.signalId,
        until: decision.until,
        correlationKey: correlationKey(signal),
      });
    case 'released':
      return as('alarms.hold.released', `signal:${decision.signalId}`, { signalId: decision.signalId, restoreSignalId: signal.signalId });
  }
}

/** A held signal whose restore did not come in time: the alarm it raises. */
export function notRestoredAlarm(
  signal: Signal,
  correlationKey: string,
  orgId: string | null,
  site: Pick<Site, 'name' | 'address'> | undefined,
  now: number,
  alarmId: string,
): NewEvent {
  const alarm = newAlarm(signal, {
    alarmId,
    correlationKey,
    orgId,
    priority: KIND_PRIORITY[signal.kind],
    title: `${signal.description} (not restored) — ${site?.name ?? site?.address ?? signal.account ?? 'unknown'}`,
    raisedAt: new Date(now).toISOString(),
  });
  return alarmEvent('alarms.alarm.raised', `alarm:${alarm.alarmId}`, alarm.orgId, ACTOR, { alarm });
}

/** A new alarm raised by one signal: nobody has claimed, acknowledged or closed it yet. */
function newAlarm(signal: Signal, fields: Pick<Alarm, 'alarmId' | 'correlationKey' | 'orgId' | 'priority' | 'title' | 'raisedAt'>): Alarm {
  // Written out, not `{ ...fields, … }`: V8 (Node 20) makes new hidden classes for a spread object
  // that then gains properties, on every call (kilobytes and tens of µs per alarm raised).
  return {
    alarmId: fields.alarmId,
    correlationKey: fields.correlationKey,
    orgId: fields.orgId,
    priority: fields.priority,
    title: fields.title,
    raisedAt: fields.raisedAt,
    account: signal.account,
    siteId: signal.siteId,
    kind: signal.kind,
    status: 'new',
    signalIds: [signal.signalId],
    restored: false,
    confirmation: null,
    claimedBy: null,
    acknowledgedAt: null,
    closedAt: null,
    resolution: null,
    note: null,
  };
}
