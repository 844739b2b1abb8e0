import type { NewEvent } from '../platform/event-log.js';
import type { UnitDefinition, UnitStatus } from './model.js';

/** A fix as stored: [epoch ms, lon, lat, speed m/s | null, heading ° | null] — compact, positions are frequent. */
export type StoredFix = [number, number, number, number | null, number | null];

/** Event payloads of the units capability (type → data). */
export interface UnitEvents {
  'units.unit.registered': { unit: UnitDefinition };
  'units.unit.status-changed': { unitId: string; from: UnitStatus; to: UnitStatus; incidentId: string | null; note: string | null };
  /** The fixes of one unit gathered over one batching window (AVL). */
  'units.positions.recorded': { unitId: string; fixes: StoredFix[] };
}

export function unitEvent<K extends keyof UnitEvents>(
  type: K,
  unitId: string,
  orgId: string,
  actor: string,
  data: UnitEvents[K],
  reason?: string | null,
): NewEvent {
  return { type, subject: `unit:${unitId}`, orgId, actor, data, reason: reason ?? null };
}
