import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { UnitEvents } from './events.js';
import type { Unit } from './model.js';

/** Units, their status and latest position, rebuilt from `units.*` events. */
export class UnitsState implements Projection {
  readonly name = 'units';
  readonly typePrefixes = ['units.'];
  readonly units = new Map<string, Unit>();
  /** Fixes applied since start (a figure for /metrics and benchmarks). */
  fixCount = 0;

  apply(e: StoredEvent): void {
    switch (e.type as keyof UnitEvents) {
      case 'units.unit.registered': {
        const { unit } = e.data as UnitEvents['units.unit.registered'];
        const old = this.units.get(unit.unitId);
        this.units.set(unit.unitId, {
          ...unit,
          status: old?.status ?? 'available',
          incidentId: old?.incidentId ?? null,
          statusAt: old?.statusAt ?? e.at,
          position: old?.position ?? null,
        });
        break;
      }
      case 'units.unit.status-changed': {
        const d = e.data as UnitEvents['units.unit.status-changed'];
        const u = this.units.get(d.unitId);
        if (!u) break;
        u.status = d.to;
        u.incidentId = d.to === 'available' || d.to === 'out-of-service' ? null : (d.incidentId ?? u.incidentId);
        u.statusAt = e.at;
        break;
      }
      case 'units.positions.recorded': {
        const d = e.data as UnitEvents['units.positions.recorded'];
        const u = this.units.get(d.unitId);
        if (!u) break;
        this.fixCount += d.fixes.length;
        // Late fixes (buffered by the device) go to the history but never move the unit back.
        for (const [at, lon, lat, speed, heading] of d.fixes) {
          if (!u.position || at >= u.position.at) u.position = { at, position: [lon, lat], speed, heading };
        }
        break;
      }
    }
  }

  /** The unit a user rides with (crew member by user id), if any. */
  unitOfUser(userId: string | null): Unit | undefined {
    if (!userId) return undefined;
    for (const u of this.units.values()) if (u.crew.some((c) => c.userId === userId)) return u;
    return undefined;
  }
}
