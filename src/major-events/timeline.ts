import { readAll, timelinePage, type TimelineEntry } from '../platform/timeline.js';
import type { EventLog } from '../platform/event-log.js';
import { canSeeGuidance, canSeeItem, type Standing } from './clearance.js';
import type { MajorEventEvents, MajorEventType } from './events.js';
import { levelName, type EventFeature, type EventMessage, type EventUpload, type Guidance, type MajorEvent } from './model.js';

export interface EventTimeline {
  event: Pick<MajorEvent, 'eventId' | 'name' | 'ownerOrgId' | 'startsAt' | 'endsAt' | 'startedAt' | 'stoodDownAt'>;
  generatedAt: string;
  entries: TimelineEntry[];
}

const scope = (v: { minClearance: number; sharedWith: string[] | null }): string =>
  `${levelName(v.minClearance)}+${v.sharedWith ? `, shared with ${v.sharedWith.length} org(s)` : ''}`;

/**
 * An event's after-action timeline from the log, on the incidents' time axis and
 * page (src/incidents/timeline.ts). Each entry is shown only when the reader may
 * see the item as it was recorded: a timeline never tells more than the map did.
 */
export async function buildEventTimeline(event: MajorEvent, me: Standing, log: EventLog, now: number): Promise<EventTimeline> {
  const entries: TimelineEntry[] = [];
  const guidance = new Map<string, Guidance>();
  for (const e of await readAll(log, `majorevent:${event.eventId}`)) {
    const base = { at: e.at, seq: e.seq, type: e.type, actor: e.actor, channel: 'internal' as const };
    const type = e.type as MajorEventType;
    switch (type) {
      case 'majorevents.event.created':
        entries.push({ ...base, category: 'event', text: `Event created: ${event.name} (${event.startsAt} – ${event.endsAt})` });
        break;
      case 'majorevents.event.updated':
        entries.push({ ...base, category: 'event', text: 'Event details changed' });
        break;
      case 'majorevents.event.participants-set': {
        const d = e.data as MajorEventEvents[typeof type];
        entries.push({
          ...base,
          category: 'decision',
          text: `Participants: ${d.participants.map((p) => `${p.orgName} (≤ ${levelName(p.maxClearance)})`).join(', ')}`,
        });
        break;
      }
      case 'majorevents.event.started':
        entries.push({ ...base, category: 'event', text: 'Event started' });
        break;
      case 'majorevents.event.stood-down':
        entries.push({
          ...base,
          category: 'event',
          text: `Stood down${(e.data as MajorEventEvents[typeof type]).note ? `: ${(e.data as MajorEventEvents[typeof type]).note}` : ''}`,
        });
        break;
      case 'majorevents.feature.drawn':
      case 'majorevents.feature.updated': {
        const f: EventFeature = (e.data as MajorEventEvents[typeof type]).feature;
        if (canSeeItem(me, f))
          entries.push({ ...base, category: 'feature', text: `${type.endsWith('drawn') ? 'Drawn' : 'Changed'} ${f.kind} "${f.name}" (${scope(f)})` });
        break;
      }
      case 'majorevents.feature.removed':
        break; // what was removed may have been above the reader's level
      case 'majorevents.message.posted': {
        const m: EventMessage = (e.data as MajorEventEvents[typeof type]).message;
        if (canSeeItem(me, m))
          entries.push({
            ...base,
            category: 'message',
            text: `${m.author}: ${m.text}${m.links.length ? ` [links: ${m.links.map((l) => `${l.kind} ${l.id}`).join(', ')}]` : ''} (${scope(m)})`,
          });
        break;
      }
      case 'majorevents.upload.stored': {
        const u: EventUpload = (e.data as MajorEventEvents[typeof type]).upload;
        if (canSeeItem(me, u))
          entries.push({
            ...base,
            category: 'upload',
            text: `${u.kind} "${u.name}" by ${u.author} (${u.bytes} bytes, sha256 ${u.sha256.slice(0, 16)}…; ${scope(u)})`,
          });
        break;
      }
      case 'majorevents.guidance.pushed': {
        const g = (e.data as MajorEventEvents[typeof type]).guidance;
        guidance.set(g.guidanceId, g);
        if (canSeeGuidance(me, g))
          entries.push({
            ...base,
            category: 'guidance',
            text: `Guidance from ${g.sender}: ${g.instruction} (${g.source}${g.distanceM !== null ? `, ${g.distanceM} m` : ''})`,
          });
        break;
      }
      case 'majorevents.guidance.acknowledged': {
        const d = e.data as MajorEventEvents[typeof type];
        const g = guidance.get(d.guidanceId);
        if (g && canSeeGuidance(me, g) && (me.orgId === g.senderOrgId || d.ack.userId === me.userId))
          entries.push({ ...base, category: 'guidance', text: `${d.ack.displayName} acknowledged: ${g.instruction}` });
        break;
      }
    }
  }
  const { eventId, name, ownerOrgId, startsAt, endsAt, startedAt, stoodDownAt } = event;
  return { event: { eventId, name, ownerOrgId, startsAt, endsAt, startedAt, stoodDownAt }, generatedAt: new Date(now).toISOString(), entries };
}

export function eventTimelineHtml(t: EventTimeline, timeZone: string): string {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'short', timeStyle: 'short' });
  const e = t.event;
  return timelinePage(
    {
      title: `${e.name} — after-action timeline`,
      heading: e.name,
      summary: `Window ${fmt.format(new Date(e.startsAt))} – ${fmt.format(new Date(e.endsAt))}${e.startedAt ? ` · started ${fmt.format(new Date(e.startedAt))}` : ''}${e.stoodDownAt ? ` · stood down ${fmt.format(new Date(e.stoodDownAt))}` : ''}`,
      generatedAt: t.generatedAt,
      entries: t.entries,
    },
    timeZone,
  );
}
