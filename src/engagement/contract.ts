/**
 * The public face of engagement for other capabilities and the web UI: the registry's
 * vocabulary (Table I.1 of ITU-T Y Suppl. 34), the consultation and grievance types, the
 * pure rules and the event map. Cheap to import (no `node:` module, no npm package).
 */
export * from './model.js';
export type { EngagementEvents } from './events.js';
