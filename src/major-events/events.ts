import type { Sealed } from '../platform/personal-data.js';
import type { NewEvent } from '../platform/event-log.js';
import type { Acknowledgement, EventFeature, EventMessage, EventUpload, Guidance, MajorEvent, Member, Participant } from './model.js';

/** Event payloads of the major-events capability (type → data). Every one names its eventId. */
export interface MajorEventEvents {
  'majorevents.event.created': { eventId: string; event: MajorEvent };
  'majorevents.event.updated': { eventId: string; name?: string; description?: string; startsAt?: string; endsAt?: string };
  'majorevents.event.participants-set': { eventId: string; participants: Participant[]; members: Member[] };
  'majorevents.event.started': { eventId: string };
  'majorevents.event.stood-down': { eventId: string; note: string | null };
  'majorevents.feature.drawn': { eventId: string; feature: EventFeature };
  'majorevents.feature.updated': { eventId: string; feature: EventFeature };
  'majorevents.feature.removed': { eventId: string; featureId: string };
  'majorevents.message.posted': { eventId: string; message: EventMessage };
  /**
   * Photos and layers keep their bytes in the log (base64), like incident attachments; notes carry their text.
   * Photos since retention are sealed under the key `attachment:<uploadId>` (older logs: plain base64).
   */
  'majorevents.upload.stored': { eventId: string; upload: EventUpload; base64: string | Sealed | null };
  'majorevents.guidance.pushed': { eventId: string; guidance: Guidance };
  'majorevents.guidance.acknowledged': { eventId: string; guidanceId: string; ack: Acknowledgement };
}
export type MajorEventType = keyof MajorEventEvents;

export function majorEvent<K extends MajorEventType>(type: K, ownerOrgId: string, actor: string, data: MajorEventEvents[K], reason?: string | null): NewEvent {
  return { type, subject: `majorevent:${data.eventId}`, orgId: ownerOrgId, actor, data, reason: reason ?? null };
}
