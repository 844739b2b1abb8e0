import { frameDecisionEvent, localTitle, titlePartsOf, type AlarmEvents, type CodeTexts } from '../../src/alarms/contract.js';
import type { TitledIncident } from './incident-titles.js';
import type { StoredEvent } from './api.js';

/**
 * The live feed in sentences: each event type a sentence template (English key, translated by
 * the locale files) with {who} (the actor's name), {what} (the alarm, alert or incident the
 * event is about, by its title) and {unit}/{status} where they apply. Runs of events about the
 * same thing of a chatty kind (delivery progress, positions, signals) collapse into one line.
 */
export interface FeedLine {
  key: string;
  at: string;
  type: string;
  /** Sentence template (English; the key in the locale files). */
  template: string;
  vars: Record<string, string>;
  /** How many events this line stands for. */
  count: number;
  /** For a tooltip: the subject and the actor as the API names them. */
  ids: string;
  tone: 'alarm' | 'alert' | 'incident' | 'unit' | 'info';
}

export const TEMPLATES: Record<string, string> = {
  'alarms.alarm.raised': 'New alarm: {what}',
  'alarms.alarm.claimed': '{who} took the alarm {what}',
  'alarms.alarm.acknowledged': '{who} acknowledged the alarm {what}',
  'alarms.alarm.closed': '{who} closed the alarm {what}',
  'alarms.alarm.escalated': 'The alarm {what} is waiting for an operator',
  'alarms.alarm.restored': 'The alarm {what}: the detector is back to normal',
  'alarms.alarm.correlated': 'Another signal for the alarm {what}',
  'alarms.signal.received': 'Signals received',
  'alarms.signal.held': 'A signal is held for confirmation',
  'alarms.hold.released': 'A held signal was released',
  'alarms.step.done': '{who} completed a step of the action plan for {what}',
  'alarms.path.failed': 'A transmission path was lost',
  'alarms.path.restored': 'A transmission path is back',
  'alarms.receiver.failed': 'The alarm receiver stopped: it is being restarted',
  'alarms.receiver.restored': 'The alarm receiver is receiving again',
  'alarms.notification.failed': 'An automatic notification failed: do it by hand',
  'alerts.alert.drafted': '{who} drafted the alert {what}',
  'alerts.alert.edited': '{who} edited the alert {what}',
  'alerts.alert.submitted': '{who} submitted the alert {what} for approval',
  'alerts.alert.issued': '{who} issued the alert {what}',
  'alerts.alert.rejected': '{who} sent back the alert {what}',
  'alerts.alert.ended': 'The alert {what} ended',
  'alerts.alert.imported': 'Alert {what} received from a partner',
  'alerts.delivery.queued': 'Delivery of the alert {what} is under way',
  'alerts.delivery.updated': 'Delivery of the alert {what} is under way',
  'alerts.delivery.progressed': 'Delivery of the alert {what} is under way',
  'alerts.delivery.acknowledged': 'People confirm they received the alert {what}',
  'incidents.incident.opened': '{who} opened the incident {what}',
  'incidents.incident.updated': '{who} updated the incident {what}',
  'incidents.casualties.recorded': '{who} recorded the casualties of the incident {what}',
  'incidents.incident.status-changed': 'The incident {what} is now {status}',
  'incidents.incident.taken': '{who} took over the incident {what}',
  'incidents.unit.dispatched': '{who} dispatched {unit} to {what}',
  'incidents.unit.released': '{unit} released from {what}',
  'incidents.message.posted': '{who} wrote on the incident {what}',
  'units.unit.status-changed': '{unit} is now {status}',
  'units.positions.recorded': 'Units reported their positions',
  'units.unit.registered': '{who} registered the unit {unit}',
  'identity.session.started': '{who} signed in',
  'identity.session.ended': '{who} signed out',
  'identity.login.failed': 'A sign-in failed',
  'crowd.level.changed': 'The crowd level changed in a zone',
  'crowd.zone.counted': 'Crowd counts updated',
  'crowd.gate.closed': '{who} closed a gate',
  'crowd.gate.opened': '{who} opened a gate',
  'majorevents.message.posted': '{who} posted a message on an event',
  'majorevents.guidance.pushed': '{who} pushed guidance to the stewards',
  'majorevents.feature.drawn': '{who} drew on an event map',
  'routing.closure.created': '{who} closed a road',
  'routing.closure.removed': '{who} reopened a road',
};

/** Types that come in bursts: consecutive ones about the same subject make one line. */
const CHATTY = /^(alerts\.delivery\.|units\.positions\.|alarms\.signal\.|crowd\.zone\.counted|alerts\.ambient\.|alarms\.(noise|camera))/;

const TONE = (type: string): FeedLine['tone'] =>
  type.startsWith('alarms.')
    ? 'alarm'
    : type.startsWith('alerts.')
      ? 'alert'
      : type.startsWith('incidents.')
        ? 'incident'
        : type.startsWith('units.')
          ? 'unit'
          : 'info';

/** A readable fallback for a type without a sentence: "signal held", "agreement defined". */
export function humanType(type: string): string {
  const parts = type.split('.');
  const words = parts.slice(-2).join(' ').replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type Data = Record<string, unknown>;
const str = (x: unknown): string | null => (typeof x === 'string' && x ? x : null);

/** What an event tells of the thing it is about (to name it in later events). */
export function learnLabel(e: StoredEvent, labels: Map<string, string>, incidentTitle: (i: TitledIncident) => string = (i) => i.title): void {
  const d = (e.data ?? {}) as Data;
  const alarm = d.alarm as { alarmId?: string; title?: string } | undefined;
  if (alarm?.title && alarm.alarmId) labels.set(`alarm:${alarm.alarmId}`, alarm.title);
  const alert = d.alert as { alertId?: string; cap?: { info?: { headline?: string }[] } } | undefined;
  const headline = alert?.cap?.info?.[0]?.headline;
  if (alert?.alertId && headline) labels.set(`alert:${alert.alertId}`, headline);
  const cap = d.cap as { info?: { headline?: string }[] } | undefined;
  if (str(d.alertId) && cap?.info?.[0]?.headline) labels.set(`alert:${str(d.alertId)}`, cap.info[0].headline);
  const incident = d.incident as ({ incidentId?: string; reference?: string } & Partial<TitledIncident>) | undefined;
  if (incident?.incidentId && (incident.reference || incident.title))
    labels.set(
      `incident:${incident.incidentId}`,
      [incident.reference, incident.title !== undefined ? incidentTitle({ title: incident.title, titleParts: incident.titleParts }) : '']
        .filter(Boolean)
        .join(' — '),
    );
  const assignment = d.assignment as { unitId?: string; callSign?: string } | undefined;
  if (assignment?.unitId && assignment.callSign) labels.set(`unit:${assignment.unitId}`, assignment.callSign);
}

/** An alarm raised by a coded signal: its title in the language of `texts` (null when it cannot be rebuilt). */
function localRaisedTitle(e: StoredEvent, texts: CodeTexts, accountWord: string): [string, string] | null {
  if (e.type !== 'alarms.signal.received') return null;
  const { decision, signal } = e.data as AlarmEvents['alarms.signal.received'];
  if (decision?.rule !== 'raised' || !signal) return null;
  const title = localTitle(titlePartsOf(signal, decision.title), texts, accountWord);
  return title ? [`alarm:${decision.alarmId}`, title] : null;
}

/** The subject an event is about, as `kind:id`. */
function subjectOf(e: StoredEvent): string {
  const d = (e.data ?? {}) as Data;
  if (str(d.alarmId)) return `alarm:${str(d.alarmId)}`;
  if (str(d.alertId)) return `alert:${str(d.alertId)}`;
  if (str(d.incidentId)) return `incident:${str(d.incidentId)}`;
  const alarm = d.alarm as { alarmId?: string } | undefined;
  if (alarm?.alarmId) return `alarm:${alarm.alarmId}`;
  const alert = d.alert as { alertId?: string } | undefined;
  if (alert?.alertId) return `alert:${alert.alertId}`;
  const incident = d.incident as { incidentId?: string } | undefined;
  if (incident?.incidentId) return `incident:${incident.incidentId}`;
  return e.subject;
}

/**
 * Lines for the feed, newest first. `events` is newest first; `labels` names subjects
 * (filled from events seen); `name` resolves actors and units through the directory.
 * `codeTexts` (the reader's language's alarm code texts, null in English) retitles alarms raised by coded signals.
 */
export function feedLines(
  stored: readonly StoredEvent[],
  labels: Map<string, string>,
  name: (ref: string) => string,
  words: { thing: string; account?: string; quote?: string; incident?: (i: TitledIncident) => string },
  codeTexts: CodeTexts | null = null,
): FeedLine[] {
  // A signal that raised, joined or restored an alarm carries that decision: it reads as the decision.
  const events = stored.map((e) => frameDecisionEvent(e) ?? e);
  for (let i = events.length - 1; i >= 0; i--) {
    learnLabel(events[i]!, labels, words.incident);
    const local = codeTexts ? localRaisedTitle(stored[i]!, codeTexts, words.account ?? 'account') : null;
    if (local) labels.set(local[0], local[1]);
  }
  const lines: FeedLine[] = [];
  for (const e of events) {
    const subject = subjectOf(e);
    const prev = lines.at(-1);
    const family = e.type.replace(/\.[^.]+$/, '');
    if (prev && CHATTY.test(e.type) && prev.key.startsWith(`${family}|${subject}|`)) {
      prev.count++;
      continue;
    }
    const d = (e.data ?? {}) as Data;
    const unitId = str(d.unitId) ?? (d.assignment as { unitId?: string } | undefined)?.unitId ?? null;
    const unit = unitId ? (labels.get(`unit:${unitId}`) ?? name(`unit:${unitId}`)) : '';
    const status = str(d.to) ?? str(d.status) ?? '';
    const what = labels.get(subject) ?? words.thing;
    lines.push({
      key: `${family}|${subject}|${e.id}`,
      at: e.at,
      type: e.type,
      template: TEMPLATES[e.type] ?? humanType(e.type),
      vars: { who: name(e.actor), what: (words.quote ?? '“{what}”').replace('{what}', what), unit, status: status.replace(/-/g, ' ') },
      count: 1,
      ids: `${e.type} · ${e.subject} · ${e.actor}`,
      tone: TONE(e.type),
    });
  }
  return lines;
}

/** Fills {placeholders} of a template. */
export function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
}
