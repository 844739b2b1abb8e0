import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { KeyVault } from '../platform/key-vault.js';
import { ERASED_EVENT, SealedReader, erasedBy, type Sealed } from '../platform/personal-data.js';
import type { StoredFix, UnitEvents } from './events.js';
import type { Unit } from './model.js';

/** Units, their status and latest position, rebuilt from `units.*` events. */
export class UnitsState implements Projection {
  readonly name = 'units';
  readonly typePrefixes = ['units.', ERASED_EVENT];
  readonly units = new Map<string, Unit>();
  /** Fixes applied since start (a figure for /metrics and benchmarks). */
  fixCount = 0;
  /** The AVL key each unit's latest position was sealed under: shredding it forgets the position. */
  private readonly positionKey = new Map<string, string>();
  private readonly sealed: SealedReader;

  /** `vault`: where the AVL keys are (null: sealed fixes read as erased). */
  constructor(vault: Pick<KeyVault, 'get'> | null = null) {
    this.sealed = new SealedReader(vault);
  }

  async prepare(events: readonly StoredEvent[]): Promise<void> {
    await this.sealed.prepare(
      events.flatMap((e) => (e.type === 'units.positions.recorded' && 'sealed' in (e.data as object) ? [(e.data as { sealed: Sealed }).sealed.key] : [])),
    );
  }

  apply(e: StoredEvent): void {
    const erased = erasedBy(e);
    if (erased) {
      for (const subject of erased.subjects) {
        const unitId = subject.startsWith('avl:') ? subject.split(':')[1]! : null;
        const u = unitId ? this.units.get(unitId) : undefined;
        if (u && this.positionKey.get(u.unitId) === subject) u.position = null;
      }
      return;
    }
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
        // A shredded day's fixes are gone: they move nobody.
        const fixes = 'sealed' in d ? (this.sealed.open<StoredFix[]>(d.sealed) ?? []) : d.fixes;
        this.fixCount += fixes.length;
        // Late fixes (buffered by the device) go to the history but never move the unit back.
        for (const [at, lon, lat, speed, heading] of fixes) {
          if (!u.position || at >= u.position.at) {
            u.position = { at, position: [lon, lat], speed, heading };
            if ('sealed' in d) this.positionKey.set(u.unitId, d.sealed.key);
            else this.positionKey.delete(u.unitId);
          }
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
