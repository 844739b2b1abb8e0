import type { NewEvent } from '../platform/event-log.js';
import type { Sealed } from '../platform/personal-data.js';
import type { Assignment, AttachmentRef, CasualtyCounts, CommsChannel, Incident, IncidentResolution, IncidentStatus } from './model.js';

/** Event payloads of the incidents capability (type → data). */
export interface IncidentEvents {
  /** Since retention the caller is sealed under the key `caller:<incidentId>` (older logs: in clear). */
  'incidents.incident.opened': { incident: Omit<Incident, 'caller'> & { caller: Incident['caller'] | Sealed } };
  'incidents.incident.status-changed': {
    incidentId: string;
    from: IncidentStatus;
    to: IncidentStatus;
    resolution: IncidentResolution | null;
    note: string | null;
  };
  /** Ownership: who has the incident now (and, handed over, which organisation). */
  'incidents.incident.taken': { incidentId: string; orgId: string; ownerUserId: string | null; ownerName: string | null; fromOrgId: string };
  'incidents.incident.linked': { incidentId: string; alarmIds: string[]; alertIds: string[] };
  'incidents.incident.updated': { incidentId: string; priority?: number; title?: string; description?: string };
  /** The casualty counts as they stand now (a full count each time, not a difference). */
  'incidents.casualties.recorded': { incidentId: string; counts: CasualtyCounts; byName: string | null };
  /** A dispatch decision: the unit, what was recommended, and why the dispatcher chose otherwise. */
  'incidents.unit.dispatched': { incidentId: string; assignment: Assignment; ranked: { unitId: string; etaSeconds: number | null }[] };
  'incidents.unit.rerouted': { incidentId: string; unitId: string; route: Assignment['route']; etaSeconds: number | null; routeSource: string };
  'incidents.unit.released': { incidentId: string; unitId: string; note: string | null };
  'incidents.message.posted': {
    incidentId: string;
    messageId: string;
    channel: CommsChannel;
    text: string;
    author: string;
    attachments: AttachmentRef[];
    alertIds: string[];
  };
  /**
   * A small file kept in the log itself (base64), so every node serves it and the hash chain covers it.
   * Since retention its bytes are `sealed` under the key `attachment:<attachmentId>` instead of `base64`.
   */
  'incidents.attachment.stored': AttachmentRef & { incidentId: string } & ({ base64: string } | { sealed: Sealed });
}

export function incidentEvent<K extends keyof IncidentEvents>(
  type: K,
  incidentId: string,
  orgId: string,
  actor: string,
  data: IncidentEvents[K],
  reason?: string | null,
): NewEvent {
  return { type, subject: `incident:${incidentId}`, orgId, actor, data, reason: reason ?? null };
}
