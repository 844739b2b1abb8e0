import { frameDecisionEvent, type AlarmsReadPort } from '../alarms/contract.js';
import type { Principal } from '../platform/access.js';
import type { EventLog, StoredEvent } from '../platform/event-log.js';
import { can } from '../platform/policy.js';
import { readAll, timelinePage, type TimelineCategory, type TimelineEntry } from '../platform/timeline.js';

export type { TimelineCategory, TimelineEntry } from '../platform/timeline.js';
import type { Incident, LogEntry } from './model.js';

export interface Timeline {
  incident: Pick<
    Incident,
    'incidentId' | 'reference' | 'type' | 'priority' | 'title' | 'titleParts' | 'status' | 'location' | 'createdAt' | 'closedAt' | 'resolution' | 'orgId'
  >;
  generatedAt: string;
  entries: TimelineEntry[];
}

const ALERT_TYPES = [
  'alerts.alert.drafted',
  'alerts.alert.submitted',
  'alerts.alert.issued',
  'alerts.alert.rejected',
  'alerts.alert.ended',
  'alerts.alert.imported',
];

/**
 * Everything about an incident on one time axis, from the log: its own events and
 * communications, its units' status changes while assigned, its linked alarms with
 * the signals behind them, and its linked public alerts. Every row asks the policy for
 * `reader` (the same answers as HTTP and the live feed): messages only as the
 * communications log `logEntries` shows them to the reader, attachments only where it
 * may read them, linked alarms and alerts only of organisations it may read.
 */
export async function buildTimeline(
  incident: Incident,
  log: EventLog,
  alarms: AlarmsReadPort,
  logEntries: LogEntry[],
  now: number,
  reader: Principal,
): Promise<Timeline> {
  const entries: TimelineEntry[] = [];
  const textOf = new Map(logEntries.map((e) => [e.entryId, e]));
  const readsAttachments = can(reader, 'personal', {
    orgId: incident.orgId,
    participantOrgIds: [incident.originOrgId, ...incident.assignments.map((a) => a.orgId)],
    personal: 'attachments',
  });
  for (const e of await readAll(log, `incident:${incident.incidentId}`)) {
    if (e.type === 'incidents.attachment.stored') {
      if (!readsAttachments) continue;
      const d = e.data as { name: string; bytes: number; sha256: string };
      entries.push({
        at: e.at,
        seq: e.seq,
        category: 'message',
        type: e.type,
        actor: e.actor,
        text: `Attachment ${d.name} (${d.bytes} bytes, sha256 ${d.sha256.slice(0, 16)}…)`,
        channel: 'internal',
      });
      continue;
    }
    if (e.type === 'incidents.message.posted') {
      const d = e.data as { messageId: string; channel: 'internal' | 'public'; text: string; author: string };
      if (!textOf.has(d.messageId)) continue;
      entries.push({ at: e.at, seq: e.seq, category: 'message', type: e.type, actor: e.actor, text: `${d.author}: ${d.text}`, channel: d.channel });
      continue;
    }
    const entry = textOf.get(`ev-${e.seq}`);
    const category: TimelineCategory = e.type.startsWith('incidents.unit.')
      ? 'dispatch'
      : e.type === 'incidents.incident.taken' ||
          e.type === 'incidents.incident.linked' ||
          e.type === 'incidents.incident.updated' ||
          e.type === 'incidents.casualties.recorded'
        ? 'decision'
        : 'incident';
    entries.push({ at: e.at, seq: e.seq, category, type: e.type, actor: e.actor, text: entry?.text ?? e.type, channel: entry?.channel ?? 'internal' });
  }
  for (const unitId of new Set(incident.assignments.map((a) => a.unitId))) {
    for (const e of await readAll(log, `unit:${unitId}`, ['units.unit.status-changed'])) {
      const d = e.data as { incidentId: string | null; from: string; to: string; note: string | null };
      if (d.incidentId !== incident.incidentId) continue;
      const callSign = incident.assignments.find((a) => a.unitId === unitId)?.callSign ?? unitId;
      entries.push({
        at: e.at,
        seq: e.seq,
        category: 'unit',
        type: e.type,
        actor: e.actor,
        text: `${callSign}: ${d.from} → ${d.to}${d.note ? ` (${d.note})` : ''}`,
        channel: 'internal',
      });
    }
  }
  for (const alarmId of incident.alarmIds) {
    const alarm = alarms.alarm(alarmId);
    if (!alarm || !can(reader, 'read', { orgId: alarm.orgId })) continue;
    const alarmEvents = await readAll(log, `alarm:${alarmId}`);
    for (const e of alarmEvents)
      entries.push({ at: e.at, seq: e.seq, category: 'alarm', type: e.type, actor: e.actor, text: alarmText(e), channel: 'internal' });
    const wanted = new Set(alarm.signalIds);
    const subject = alarm.account ? `account:${alarm.account}` : alarm.correlationKey?.startsWith('device:') ? alarm.correlationKey : null;
    if (!subject) continue;
    for (const e of await readAll(log, subject, ['alarms.signal.received'])) {
      const s = (e.data as { signal: { signalId: string; description: string; zone: string | null; protocol: string; code: string } }).signal;
      if (!wanted.has(s.signalId)) continue;
      entries.push({
        at: e.at,
        seq: e.seq,
        category: 'signal',
        type: e.type,
        actor: e.actor,
        text: `${s.description}${s.zone ? ` — zone ${s.zone}` : ''} (${s.protocol} ${s.code})`,
        channel: 'internal',
      });
      // What the rules decided of the signal for this alarm, in the signal's event (older logs: an event of the alarm, read above).
      const decided = frameDecisionEvent(e);
      if (decided && decided.subject === `alarm:${alarmId}`)
        entries.push({ at: e.at, seq: e.seq, category: 'alarm', type: decided.type, actor: decided.actor, text: alarmText(decided), channel: 'internal' });
    }
  }
  for (const alertId of incident.alertIds) {
    for (const e of await readAll(log, `alert:${alertId}`, ALERT_TYPES)) {
      if (!can(reader, 'read', { orgId: e.orgId })) continue;
      const headline = (e.data as { alert?: { cap?: { info?: { headline?: string }[] } } }).alert?.cap?.info?.[0]?.headline;
      entries.push({
        at: e.at,
        seq: e.seq,
        category: 'alert',
        type: e.type,
        actor: e.actor,
        text: `Public alert ${alertId} ${e.type.split('.').at(-1)}${headline ? `: ${headline}` : ''}`,
        channel: 'public',
      });
    }
  }
  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
  const { incidentId, reference, type, priority, title, titleParts, status, location, createdAt, closedAt, resolution, orgId } = incident;
  return {
    // The title's parts beside it (a reader of another language words them); the printable page keeps the English title.
    incident: { incidentId, reference, type, priority, title, titleParts: titleParts ?? null, status, location, createdAt, closedAt, resolution, orgId },
    generatedAt: new Date(now).toISOString(),
    entries,
  };
}

function alarmText(e: StoredEvent): string {
  const d = e.data as { alarm?: { title: string; priority: number }; resolution?: string; note?: string | null };
  switch (e.type) {
    case 'alarms.alarm.raised':
      return `Alarm raised: ${d.alarm?.title ?? ''} (priority ${d.alarm?.priority ?? '?'})`;
    case 'alarms.alarm.closed':
      return `Alarm closed: ${d.resolution ?? ''}${d.note ? ` — ${d.note}` : ''}`;
    default:
      return `Alarm ${e.type.split('.').at(-1)}`;
  }
}

/** A printable, self-contained HTML page (no scripts, no outside resources). */
export function timelineHtml(t: Timeline, timeZone: string): string {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'short', timeStyle: 'medium' });
  const i = t.incident;
  return timelinePage(
    {
      title: `${i.reference} — after-action timeline`,
      heading: `${i.reference} — ${i.title}`,
      summary: `Type ${i.type} · priority ${i.priority} · status ${i.status}${i.resolution ? ` (${i.resolution})` : ''} · opened ${fmt.format(new Date(i.createdAt))}${i.closedAt ? ` · closed ${fmt.format(new Date(i.closedAt))}` : ''} · ${i.location.siteName ?? i.location.address ?? i.location.position.join(', ')}`,
      generatedAt: t.generatedAt,
      entries: t.entries,
    },
    timeZone,
  );
}
