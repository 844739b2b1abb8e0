import type { Principal, Role } from '../platform/access.js';
import type { StoredEvent } from '../platform/event-log.js';
import { canSeeGuidance, canSeeItem, standingIn } from './clearance.js';
import type { MajorEventEvents, MajorEventType } from './events.js';
import type { MajorEventsState } from './events-state.js';
import type { MajorEventsService } from './events-service.js';

/** The roles of GET /api/events/:id: nobody else follows an event live. */
const VIEWERS: readonly Role[] = ['commander', 'responder', 'supervisor', 'operator', 'admin'];

type EventsViews = Pick<MajorEventsService, 'eventAs' | 'guidanceAs'>;

/**
 * What a live client receives of a `majorevents.*` event, instead of the
 * organisation rule the hub applies to everything else (which would show an
 * event's every item to the owner's partners and nothing to a steward): the
 * event as the principal may see it, or null. Called after the projections
 * applied the batch, so the state holds the item as the event left it.
 */
export function majorEventLiveView(state: MajorEventsState, views: EventsViews) {
  return (p: Principal, e: StoredEvent): StoredEvent | null => {
    if (!VIEWERS.some((r) => p.roles.includes(r))) return null;
    const eventId = (e.data as { eventId?: string }).eventId;
    const ev = eventId ? state.events.get(eventId) : undefined;
    const items = eventId ? state.items.get(eventId) : undefined;
    if (!ev || !items) return null;
    const me = standingIn(ev, p);
    if (me.level === 0) return null;
    const type = e.type as MajorEventType;
    const as = (data: unknown): StoredEvent => ({ ...e, data });
    switch (type) {
      case 'majorevents.event.created':
      case 'majorevents.event.participants-set':
        return as({ eventId, event: views.eventAs(ev, me) });
      case 'majorevents.event.updated':
      case 'majorevents.event.started':
      case 'majorevents.event.stood-down':
        return e;
      case 'majorevents.feature.drawn':
      case 'majorevents.feature.updated': {
        const f = items.features.get((e.data as MajorEventEvents[typeof type]).feature.featureId);
        return f && canSeeItem(me, f) ? e : null;
      }
      case 'majorevents.feature.removed': {
        // The feature is gone from the state: whoever takes part may learn an id disappeared, nothing more.
        return as({ eventId, featureId: (e.data as MajorEventEvents[typeof type]).featureId });
      }
      case 'majorevents.message.posted': {
        const m = (e.data as MajorEventEvents[typeof type]).message;
        return canSeeItem(me, m) ? e : null;
      }
      case 'majorevents.upload.stored': {
        const { upload } = e.data as MajorEventEvents[typeof type];
        // The bytes stay off the feed: clients fetch them by id over HTTP.
        return canSeeItem(me, upload) ? as({ eventId, upload, base64: null }) : null;
      }
      case 'majorevents.guidance.pushed':
      case 'majorevents.guidance.acknowledged': {
        const g = items.guidance.get(
          type === 'majorevents.guidance.pushed'
            ? (e.data as MajorEventEvents['majorevents.guidance.pushed']).guidance.guidanceId
            : (e.data as MajorEventEvents['majorevents.guidance.acknowledged']).guidanceId,
        );
        if (!g || !canSeeGuidance(me, g)) return null;
        if (type === 'majorevents.guidance.pushed') return as({ eventId, guidance: views.guidanceAs(g, me) });
        const ack = (e.data as MajorEventEvents['majorevents.guidance.acknowledged']).ack;
        // Who acknowledged is for the sender's officers and the one who did.
        return views.guidanceAs(g, me).acks.some((a) => a.userId === ack.userId) ? e : null;
      }
      default:
        return null;
    }
  };
}
