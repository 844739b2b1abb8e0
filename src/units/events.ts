import type { NewEvent } from '../platform/event-log.js';
import type { Sealed } from '../platform/personal-data.js';
import type { UnitDefinition, UnitStatus } from './model.js';

/** A fix as stored: [epoch ms, lon, lat, speed m/s | null, heading ° | null] — compact, positions are frequent. */
export type StoredFix = [number, number, number, number | null, number | null];

/** Event payloads of the units capability (type → data). */
export interface UnitEvents {
  'units.unit.registered': { unit: UnitDefinition };
  'units.unit.status-changed': { unitId: string; from: UnitStatus; to: UnitStatus; incidentId: string | null; note: string | null };
  /**
   * The fixes of one unit gathered over one batching window (AVL). Since retention the fixes are
   * `sealed` under the unit's key of that day, `avl:<unitId>:<YYYY-MM-DD>` (older logs: `fixes` in clear).
   */
  'units.positions.recorded': { unitId: string; fixes: StoredFix[] } | { unitId: string; sealed: Sealed };
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
