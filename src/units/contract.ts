/**
 * The public face of the units capability for other capabilities and the web UI:
 * its events, what incidents use of units, DTOs and constants. Cheap to import.
 */
import type { Position } from '../kernel/geo.js';
import type { Principal } from '../platform/access.js';
import type { NewEvent } from '../platform/event-log.js';
import type { Unit, UnitStatus } from './model.js';

export { unitEvent, type StoredFix, type UnitEvents } from './events.js';
export {
  CAPABILITIES,
  DISPATCHABLE,
  UNIT_KINDS,
  UNIT_STATUSES,
  UNIT_TRANSITIONS,
  type Capability,
  type CrewMember,
  type Fix,
  type Unit,
  type UnitDefinition,
  type UnitKind,
  type UnitStatus,
} from './model.js';

/** What incidents use of units: the units a principal sees, where they are, and the event that moves one to a status. */
export interface UnitsPort {
  visible(by: Principal): Unit[];
  unit(unitId: string): Unit | undefined;
  /** The unit a user rides with (crew member), if any. */
  unitOfUser(userId: string | null): Unit | undefined;
  /** Where a unit is now: its latest fix, else its home station. */
  positionOf(unit: Unit): Position;
  /** Whether a principal may act for a unit: its crew, or its organisation's dispatch. */
  mayActFor(unit: Unit, by: Principal): boolean;
  /** The event that moves a unit to a status (validated, throws 409 otherwise); the caller records it with its own events. */
  statusEvent(unit: Unit, to: UnitStatus, actor: string, incidentId: string | null, note?: string | null): NewEvent;
}
