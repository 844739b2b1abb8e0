import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { MajorEventEvents, MajorEventType } from './events.js';
import type { EventFeature, EventMessage, EventUpload, Guidance, MajorEvent } from './model.js';

/** One event's items, by id (insertion order = time order). */
export interface EventItems {
  features: Map<string, EventFeature>;
  messages: Map<string, EventMessage>;
  uploads: Map<string, EventUpload & { seq: number }>;
  guidance: Map<string, Guidance>;
}

/** Major events and everything drawn, said, uploaded and pushed in them, from `majorevents.*`. */
export class MajorEventsState implements Projection {
  readonly name = 'majorevents';
  readonly typePrefixes = ['majorevents.'];
  readonly events = new Map<string, MajorEvent>();
  readonly items = new Map<string, EventItems>();
  /** Upload id → event id (uploads are fetched by id alone). */
  readonly uploadEvent = new Map<string, string>();

  apply(e: StoredEvent): void {
    const type = e.type as MajorEventType;
    if (type === 'majorevents.event.created') {
      const { event } = e.data as MajorEventEvents[typeof type];
      this.events.set(event.eventId, structuredClone(event));
      this.items.set(event.eventId, { features: new Map(), messages: new Map(), uploads: new Map(), guidance: new Map() });
      return;
    }
    const eventId = (e.data as { eventId: string }).eventId;
    const ev = this.events.get(eventId);
    const items = this.items.get(eventId);
    if (!ev || !items) return;
    switch (type) {
      case 'majorevents.event.updated': {
        const { eventId: _id, ...changes } = e.data as MajorEventEvents[typeof type];
        Object.assign(ev, changes);
        break;
      }
      case 'majorevents.event.participants-set': {
        const d = e.data as MajorEventEvents[typeof type];
        ev.participants = structuredClone(d.participants);
        ev.members = structuredClone(d.members);
        break;
      }
      case 'majorevents.event.started':
        ev.phase = 'started';
        ev.startedAt = e.at;
        break;
      case 'majorevents.event.stood-down':
        ev.phase = 'stood-down';
        ev.stoodDownAt = e.at;
        break;
      case 'majorevents.feature.drawn':
      case 'majorevents.feature.updated': {
        const { feature } = e.data as MajorEventEvents[typeof type];
        items.features.set(feature.featureId, structuredClone(feature));
        break;
      }
      case 'majorevents.feature.removed':
        items.features.delete((e.data as MajorEventEvents[typeof type]).featureId);
        break;
      case 'majorevents.message.posted': {
        const { message } = e.data as MajorEventEvents[typeof type];
        items.messages.set(message.messageId, structuredClone(message));
        break;
      }
      case 'majorevents.upload.stored': {
        const { upload } = e.data as MajorEventEvents[typeof type];
        items.uploads.set(upload.uploadId, { ...structuredClone(upload), seq: e.seq });
        this.uploadEvent.set(upload.uploadId, eventId);
        break;
      }
      case 'majorevents.guidance.pushed': {
        const { guidance } = e.data as MajorEventEvents[typeof type];
        items.guidance.set(guidance.guidanceId, structuredClone(guidance));
        break;
      }
      case 'majorevents.guidance.acknowledged': {
        const d = e.data as MajorEventEvents[typeof type];
        const g = items.guidance.get(d.guidanceId);
        if (g && !g.acks.some((a) => a.userId === d.ack.userId)) g.acks.push({ ...d.ack });
        break;
      }
    }
  }
}
