import type { AlarmsState } from '../alarms/alarms-state.js';
import type { EventLog, StoredEvent } from '../platform/event-log.js';
import type { Incident, LogEntry } from './model.js';

/** Incidents use the first eight; major events (src/events) add their own on the same axis. */
export type TimelineCategory = 'signal' | 'alarm' | 'incident' | 'decision' | 'dispatch' | 'unit' | 'message' | 'alert' | 'event' | 'feature' | 'upload' | 'guidance';

export interface TimelineEntry {
  at: string;
  seq: number;
  category: TimelineCategory;
  type: string;
  actor: string;
  text: string;
  channel: 'internal' | 'public' | null;
}

export interface Timeline {
  incident: Pick<Incident, 'incidentId' | 'reference' | 'type' | 'priority' | 'title' | 'status' | 'location' | 'createdAt' | 'closedAt' | 'resolution' | 'orgId'>;
  generatedAt: string;
  entries: TimelineEntry[];
}

const ALERT_TYPES = ['alerts.alert.drafted', 'alerts.alert.submitted', 'alerts.alert.issued', 'alerts.alert.rejected', 'alerts.alert.ended', 'alerts.alert.imported'];

/** Every event of a subject (optionally of some types), in log order. */
export async function readAll(log: EventLog, subject: string, typePrefixes?: string[]): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let afterSeq = 0;
  for (;;) {
    const batch = await log.read({ subject, afterSeq, limit: 1000, ...(typePrefixes ? { typePrefixes } : {}) });
    if (batch.length === 0) return out;
    out.push(...batch);
    afterSeq = batch.at(-1)!.seq;
  }
}

/**
 * Everything about an incident on one time axis, from the log: its own events and
 * communications, its units' status changes while assigned, its linked alarms with
 * the signals behind them, and its linked public alerts.
 */
export async function buildTimeline(incident: Incident, log: EventLog, alarms: AlarmsState, logEntries: LogEntry[], now: number): Promise<Timeline> {
  const entries: TimelineEntry[] = [];
  const textOf = new Map(logEntries.map((e) => [e.entryId, e]));
  for (const e of await readAll(log, `incident:${incident.incidentId}`)) {
    if (e.type === 'incidents.attachment.stored') {
      const d = e.data as { name: string; bytes: number; sha256: string };
      entries.push({ at: e.at, seq: e.seq, category: 'message', type: e.type, actor: e.actor, text: `Attachment ${d.name} (${d.bytes} bytes, sha256 ${d.sha256.slice(0, 16)}…)`, channel: 'internal' });
      continue;
    }
    if (e.type === 'incidents.message.posted') {
      const d = e.data as { messageId: string; channel: 'internal' | 'public'; text: string; author: string };
      entries.push({ at: e.at, seq: e.seq, category: 'message', type: e.type, actor: e.actor, text: `${d.author}: ${d.text}`, channel: d.channel });
      continue;
    }
    const entry = textOf.get(`ev-${e.seq}`);
    const category: TimelineCategory = e.type.startsWith('incidents.unit.') ? 'dispatch' : e.type === 'incidents.incident.taken' || e.type === 'incidents.incident.linked' || e.type === 'incidents.incident.updated' ? 'decision' : 'incident';
    entries.push({ at: e.at, seq: e.seq, category, type: e.type, actor: e.actor, text: entry?.text ?? e.type, channel: entry?.channel ?? 'internal' });
  }
  for (const unitId of new Set(incident.assignments.map((a) => a.unitId))) {
    for (const e of await readAll(log, `unit:${unitId}`, ['units.unit.status-changed'])) {
      const d = e.data as { incidentId: string | null; from: string; to: string; note: string | null };
      if (d.incidentId !== incident.incidentId) continue;
      const callSign = incident.assignments.find((a) => a.unitId === unitId)?.callSign ?? unitId;
      entries.push({ at: e.at, seq: e.seq, category: 'unit', type: e.type, actor: e.actor, text: `${callSign}: ${d.from} → ${d.to}${d.note ? ` (${d.note})` : ''}`, channel: 'internal' });
    }
  }
  for (const alarmId of incident.alarmIds) {
    const alarmEvents = await readAll(log, `alarm:${alarmId}`);
    for (const e of alarmEvents) entries.push({ at: e.at, seq: e.seq, category: 'alarm', type: e.type, actor: e.actor, text: alarmText(e), channel: 'internal' });
    const alarm = alarms.alarms.get(alarmId);
    if (!alarm) continue;
    const wanted = new Set(alarm.signalIds);
    const subject = alarm.account ? `account:${alarm.account}` : (alarm.correlationKey?.startsWith('device:') ? alarm.correlationKey : null);
    if (!subject) continue;
    for (const e of await readAll(log, subject, ['alarms.signal.received'])) {
      const s = (e.data as { signal: { signalId: string; description: string; zone: string | null; protocol: string; code: string } }).signal;
      if (!wanted.has(s.signalId)) continue;
      entries.push({ at: e.at, seq: e.seq, category: 'signal', type: e.type, actor: e.actor, text: `${s.description}${s.zone ? ` — zone ${s.zone}` : ''} (${s.protocol} ${s.code})`, channel: 'internal' });
    }
  }
  for (const alertId of incident.alertIds) {
    for (const e of await readAll(log, `alert:${alertId}`, ALERT_TYPES)) {
      const headline = (e.data as { alert?: { cap?: { info?: { headline?: string }[] } } }).alert?.cap?.info?.[0]?.headline;
      entries.push({ at: e.at, seq: e.seq, category: 'alert', type: e.type, actor: e.actor, text: `Public alert ${alertId} ${e.type.split('.').at(-1)}${headline ? `: ${headline}` : ''}`, channel: 'public' });
    }
  }
  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
  const { incidentId, reference, type, priority, title, status, location, createdAt, closedAt, resolution, orgId } = incident;
  return { incident: { incidentId, reference, type, priority, title, status, location, createdAt, closedAt, resolution, orgId }, generatedAt: new Date(now).toISOString(), entries };
}

function alarmText(e: StoredEvent): string {
  const d = e.data as { alarm?: { title: string; priority: number }; resolution?: string; note?: string | null };
  switch (e.type) {
    case 'alarms.alarm.raised': return `Alarm raised: ${d.alarm?.title ?? ''} (priority ${d.alarm?.priority ?? '?'})`;
    case 'alarms.alarm.closed': return `Alarm closed: ${d.resolution ?? ''}${d.note ? ` — ${d.note}` : ''}`;
    default: return `Alarm ${e.type.split('.').at(-1)}`;
  }
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A printable, self-contained HTML page (no scripts, no outside resources). */
export function timelineHtml(t: Timeline, timeZone: string): string {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'short', timeStyle: 'medium' });
  const i = t.incident;
  return timelinePage({
    title: `${i.reference} — after-action timeline`, heading: `${i.reference} — ${i.title}`,
    summary: `Type ${i.type} · priority ${i.priority} · status ${i.status}${i.resolution ? ` (${i.resolution})` : ''} · opened ${fmt.format(new Date(i.createdAt))}${i.closedAt ? ` · closed ${fmt.format(new Date(i.closedAt))}` : ''} · ${i.location.siteName ?? i.location.address ?? i.location.position.join(', ')}`,
    generatedAt: t.generatedAt, entries: t.entries,
  }, timeZone);
}

/** The page of any after-action timeline (an incident's, a major event's): heading, summary line, one row per entry. */
export function timelinePage(page: { title: string; heading: string; summary: string; generatedAt: string; entries: TimelineEntry[] }, timeZone: string): string {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'short', timeStyle: 'medium' });
  const rows = page.entries.map((e) => `<tr class="${e.category}"><td>${escapeHtml(fmt.format(new Date(e.at)))}</td><td>${e.category}</td><td>${escapeHtml(e.text)}</td><td>${e.channel ?? ''}</td><td>${escapeHtml(e.actor)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>
body{font:12px/1.4 system-ui,sans-serif;margin:24px;color:#111}h1{font-size:18px;margin:0 0 4px}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f0f0f0}
tr.signal td:nth-child(2),tr.alarm td:nth-child(2){color:#b42318}tr.dispatch td:nth-child(2){color:#175cd3}tr.alert td:nth-child(2){color:#7a2e0e}
@media print{body{margin:0}tr{page-break-inside:avoid}}
</style></head><body>
<h1>${escapeHtml(page.heading)}</h1>
<p>${escapeHtml(page.summary)}</p>
<p>Generated ${escapeHtml(fmt.format(new Date(page.generatedAt)))} (${escapeHtml(timeZone)}) from the hash-chained event log; ${page.entries.length} entries.</p>
<table><thead><tr><th>time</th><th>what</th><th>entry</th><th>channel</th><th>by</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}
