import type { StoredEvent } from '../platform/event-log.js';
import type { KeyVault } from '../platform/key-vault.js';
import { ERASED_EVENT, SealedReader, erasedBy, erasedText, isSealed, type ErasedWhy, type Sealed } from '../platform/personal-data.js';
import type { Projection } from '../platform/projection.js';
import type { UnitEvents } from '../units/contract.js';
import type { IncidentEvents } from './events.js';
import type { AttachmentRef, Incident, LogEntry } from './model.js';

/** Incidents, their communications logs and attachment index, rebuilt from `incidents.*` (and units' status) events. */
export class IncidentsState implements Projection {
  readonly name = 'incidents';
  readonly typePrefixes = ['incidents.', 'units.unit.status-changed', ERASED_EVENT];
  private readonly sealed: SealedReader;
  readonly incidents = new Map<string, Incident>();
  readonly logs = new Map<string, LogEntry[]>();
  /** Attachment metadata and the seq of the event holding its bytes (the bytes stay in the log). */
  readonly attachments = new Map<string, AttachmentRef & { incidentId: string; seq: number; erased?: ErasedWhy }>();
  /** Open incidents that an alarm was escalated into. */
  readonly incidentOfAlarm = new Map<string, string>();
  count = 0;

  /** `vault`: where the callers' keys are (null: sealed callers read as erased). */
  constructor(vault: Pick<KeyVault, 'get'> | null = null) {
    this.sealed = new SealedReader(vault);
  }

  async prepare(events: readonly StoredEvent[]): Promise<void> {
    const keys: string[] = [];
    for (const e of events) {
      const caller = e.type === 'incidents.incident.opened' ? (e.data as IncidentEvents['incidents.incident.opened']).incident.caller : null;
      if (isSealed(caller)) keys.push(caller.key);
    }
    await this.sealed.prepare(keys);
  }

  apply(e: StoredEvent): void {
    const erased = erasedBy(e);
    if (erased) return this.erase(erased.subjects, erased.why);
    switch (e.type as keyof IncidentEvents | 'units.unit.status-changed') {
      case 'incidents.incident.opened': {
        const { incident: stored } = e.data as IncidentEvents['incidents.incident.opened'];
        const incident: Incident = { ...structuredClone(stored), caller: isSealed(stored.caller) ? this.callerOf(stored.caller) : stored.caller };
        this.count++;
        this.incidents.set(incident.incidentId, incident);
        for (const a of incident.alarmIds) this.incidentOfAlarm.set(a, incident.incidentId);
        this.log(incident.incidentId, e, 'status', `Opened (${incident.source}): ${incident.title} — priority ${incident.priority}`);
        // The opening as the reader's language says it (the title from its parts).
        this.logs.get(incident.incidentId)!.at(-1)!.said = {
          opened: { source: incident.source, priority: incident.priority, title: incident.title, titleParts: incident.titleParts ?? null },
        };
        break;
      }
      case 'incidents.incident.status-changed': {
        const d = e.data as IncidentEvents['incidents.incident.status-changed'];
        const i = this.incidents.get(d.incidentId);
        if (!i) break;
        i.status = d.to;
        i.statusHistory.push({ status: d.to, at: e.at, by: e.actor });
        if (d.to === 'closed') {
          i.resolution = d.resolution;
          i.closedAt = e.at;
          for (const a of i.alarmIds) if (this.incidentOfAlarm.get(a) === i.incidentId) this.incidentOfAlarm.delete(a);
          for (const a of i.assignments) a.releasedAt ??= e.at;
        }
        this.log(d.incidentId, e, 'status', `Status ${d.from} → ${d.to}${d.resolution ? ` (${d.resolution})` : ''}${d.note ? `: ${d.note}` : ''}`);
        break;
      }
      case 'incidents.incident.taken': {
        const d = e.data as IncidentEvents['incidents.incident.taken'];
        const i = this.incidents.get(d.incidentId);
        if (!i) break;
        Object.assign(i, { orgId: d.orgId, ownerUserId: d.ownerUserId, ownerName: d.ownerName });
        this.log(
          d.incidentId,
          e,
          'ownership',
          `Taken by ${d.ownerName ?? d.ownerUserId ?? 'organisation'}${d.orgId !== d.fromOrgId ? ' (handed over to another organisation)' : ''}`,
        );
        break;
      }
      case 'incidents.incident.linked': {
        const d = e.data as IncidentEvents['incidents.incident.linked'];
        const i = this.incidents.get(d.incidentId);
        if (!i) break;
        i.alarmIds = [...new Set([...i.alarmIds, ...d.alarmIds])];
        i.alertIds = [...new Set([...i.alertIds, ...d.alertIds])];
        if (i.status !== 'closed') for (const a of d.alarmIds) this.incidentOfAlarm.set(a, i.incidentId);
        this.log(
          d.incidentId,
          e,
          'link',
          `Linked ${[...d.alarmIds.map((a) => `alarm ${a}`), ...d.alertIds.map((a) => `alert ${a}`)].join(', ')}`,
          d.alertIds.length > 0 && d.alarmIds.length === 0 ? 'public' : 'internal',
          d.alertIds,
        );
        break;
      }
      case 'incidents.incident.updated': {
        const d = e.data as IncidentEvents['incidents.incident.updated'];
        const i = this.incidents.get(d.incidentId);
        if (!i) break;
        if (d.priority !== undefined) i.priority = d.priority;
        if (d.title !== undefined) {
          // A title a person rewrote: no longer the one Vigil wrote, nor its parts.
          i.title = d.title;
          i.titleParts = null;
        }
        if (d.description !== undefined) i.description = d.description;
        this.log(d.incidentId, e, 'status', `Updated${d.priority !== undefined ? `: priority ${d.priority}` : ''}`);
        break;
      }
      case 'incidents.casualties.recorded': {
        const d = e.data as IncidentEvents['incidents.casualties.recorded'];
        const i = this.incidents.get(d.incidentId);
        if (!i) break;
        i.casualties = { counts: { ...d.counts }, at: e.at, by: e.actor, byName: d.byName ?? null };
        const c = d.counts;
        this.log(
          d.incidentId,
          e,
          'status',
          `Casualties: ${c.immediate} immediate, ${c.delayed} delayed, ${c.minor} minor, ${c.deceased} deceased, ${c.unknown} unknown`,
        );
        break;
      }
      case 'incidents.unit.dispatched': {
        const d = e.data as IncidentEvents['incidents.unit.dispatched'];
        const i = this.incidents.get(d.incidentId);
        if (!i) break;
        i.assignments.push(structuredClone(d.assignment));
        const a = d.assignment;
        const eta = a.etaSeconds === null ? 'ETA unknown' : `ETA ${Math.round(a.etaSeconds / 60)} min`;
        this.log(
          d.incidentId,
          e,
          'dispatch',
          `Dispatched ${a.callSign} (${eta}${a.distanceM !== null ? `, ${(a.distanceM / 1000).toFixed(1)} km` : ''})${a.overrideReason ? ` instead of the recommended unit: ${a.overrideReason}` : ' as recommended'}`,
        );
        break;
      }
      case 'incidents.unit.rerouted': {
        const d = e.data as IncidentEvents['incidents.unit.rerouted'];
        const a = this.incidents.get(d.incidentId)?.assignments.find((x) => x.unitId === d.unitId && !x.releasedAt);
        if (!a) break;
        Object.assign(a, { route: d.route, etaSeconds: d.etaSeconds, routeSource: d.routeSource });
        this.log(d.incidentId, e, 'dispatch', `Re-routed ${a.callSign}${d.etaSeconds !== null ? ` (ETA ${Math.round(d.etaSeconds / 60)} min)` : ''}`);
        break;
      }
      case 'incidents.unit.released': {
        const d = e.data as IncidentEvents['incidents.unit.released'];
        const a = this.incidents.get(d.incidentId)?.assignments.find((x) => x.unitId === d.unitId && !x.releasedAt);
        if (!a) break;
        a.releasedAt = e.at;
        this.log(d.incidentId, e, 'dispatch', `Released ${a.callSign}${d.note ? `: ${d.note}` : ''}`);
        break;
      }
      case 'incidents.message.posted': {
        const d = e.data as IncidentEvents['incidents.message.posted'];
        if (!this.incidents.has(d.incidentId)) break;
        this.logs.get(d.incidentId)!.push({
          entryId: d.messageId,
          channel: d.channel,
          kind: 'message',
          at: e.at,
          actor: e.actor,
          author: d.author,
          text: d.text,
          attachments: d.attachments,
          alertIds: d.alertIds,
        });
        break;
      }
      case 'incidents.attachment.stored': {
        const { attachmentId, name, contentType, bytes, sha256, incidentId } = e.data as IncidentEvents['incidents.attachment.stored'];
        this.attachments.set(attachmentId, { attachmentId, name, contentType, bytes, sha256, incidentId, seq: e.seq });
        break;
      }
      case 'units.unit.status-changed': {
        const d = e.data as UnitEvents['units.unit.status-changed'];
        if (d.incidentId && this.incidents.has(d.incidentId)) {
          const callSign = this.incidents.get(d.incidentId)!.assignments.find((a) => a.unitId === d.unitId)?.callSign ?? d.unitId;
          this.log(d.incidentId, e, 'unit-status', `${callSign}: ${d.from} → ${d.to}${d.note ? ` (${d.note})` : ''}`);
        }
        break;
      }
    }
  }

  /** A sealed caller opened; its key shredded, the caller reads as erased. */
  private callerOf(sealed: Sealed): Incident['caller'] {
    const caller = this.sealed.open<NonNullable<Incident['caller']>>(sealed);
    return caller ?? { name: erasedText('retention'), phone: erasedText('retention') };
  }

  private erase(subjects: readonly string[], why: ErasedWhy): void {
    for (const subject of subjects) {
      if (subject.startsWith('caller:')) {
        const i = this.incidents.get(subject.slice('caller:'.length));
        if (i?.caller) i.caller = { name: erasedText(why), phone: erasedText(why) };
      } else if (subject.startsWith('attachment:')) {
        const a = this.attachments.get(subject.slice('attachment:'.length));
        if (a) a.erased = why;
      }
    }
  }

  private log(
    incidentId: string,
    e: StoredEvent,
    kind: LogEntry['kind'],
    text: string,
    channel: LogEntry['channel'] = 'internal',
    alertIds: string[] = [],
  ): void {
    let list = this.logs.get(incidentId);
    if (!list) {
      list = [];
      this.logs.set(incidentId, list);
    }
    list.push({ entryId: `ev-${e.seq}`, channel, kind, at: e.at, actor: e.actor, author: null, text, attachments: [], alertIds });
  }
}
