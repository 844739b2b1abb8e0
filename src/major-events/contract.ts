/**
 * The public face of major events for other capabilities and the web UI: the model
 * (clearance levels, features, messages, uploads, guidance), the event map and the
 * clearance rule. Pure types, constants and functions only.
 */
import type { Principal } from '../platform/access.js';
import type { Standing } from './clearance.js';

export * from './model.js';
export type { MajorEventEvents, MajorEventType } from './events.js';
export { standingIn, canSeeItem, canSeeGuidance, type Standing } from './clearance.js';

/** What other capabilities may ask of major events. */
export interface MajorEventsReadPort {
  /** How a principal stands in an event (level 0: not a participant); null when there is no such event. */
  standing(eventId: string, principal: Principal): Standing | null;
}
