/**
 * The public face of citizen reports for other capabilities and the web UI: the
 * safety services, the report DTOs, the event map and the port onto incidents it is
 * given. Cheap to import (no `node:` module, no npm package).
 */
import type { Position } from '../kernel/geo.js';
import type { Principal } from '../platform/access.js';

export * from './model.js';
export type { CitizenReportsEvents } from './events.js';

/** Incidents as citizen reports need them: open one from a report (source `citizen`), as the triaging principal. */
export interface IncidentOpenerPort {
  open(
    input: { type: string; title: string; description: string; position: Position; address: string | null; source: 'citizen' },
    by: Principal,
  ): Promise<{ incidentId: string; reference: string }>;
}

/** The incident type a report of each service becomes by default. */
export const INCIDENT_TYPE_OF_SERVICE: Readonly<Record<string, string>> = {
  'street-light-out': 'other',
  'blocked-emergency-exit': 'other',
  'damaged-fire-hydrant': 'other',
  flooding: 'flood',
  'suspicious-unattended-object': 'suspicious-object',
  noise: 'public-disorder',
  graffiti: 'other',
};
