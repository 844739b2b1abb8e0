import type { CityReadPort } from '../city/contract.js';
import { VigilError, badRequest, conflict, notFound } from '../kernel/errors.js';
import { isValidPosition, type Position } from '../kernel/geo.js';
import { newId } from '../kernel/ids.js';
import type { Principal } from '../platform/access.js';
import { assertCan, can, filterVisible } from '../platform/policy.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import { AvlBatcher } from './avl-batcher.js';
import { parseAvlMessage } from './avl-message.js';
import { unitEvent, type StoredFix, type UnitEvents } from './events.js';
import {
  CAPABILITIES,
  UNIT_KINDS,
  UNIT_TRANSITIONS,
  type Capability,
  type CrewMember,
  type Fix,
  type Unit,
  type UnitDefinition,
  type UnitKind,
  type UnitStatus,
} from './model.js';
import type { UnitsPort } from './contract.js';
import type { UnitsState } from './units-state.js';

export interface UnitInput {
  unitId?: string;
  callSign: string;
  kind: UnitKind;
  capabilities: Capability[];
  homeSiteId?: string | null;
  homePosition?: Position | null;
  crew?: CrewMember[];
  demo?: boolean;
}

type Actor = Principal | { orgId: string; actor: string };

/** Largest window of history one track query returns. */
export const MAX_TRACK_FIXES = 20_000;

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Units: registration, status (with its transitions), AVL positions and their history. */
export class UnitsService implements UnitsPort {
  readonly avl: AvlBatcher;
  /** AVL messages refused, by reason (a figure for operators). */
  refused = 0;

  constructor(
    private readonly ctx: AppContext,
    readonly state: UnitsState,
    private readonly city: CityReadPort,
    avlWindowMs = 2000,
  ) {
    this.avl = new AvlBatcher((batch) => this.writeFixes(batch), avlWindowMs);
  }

  visible(by: Principal): Unit[] {
    return filterVisible(by, this.state.units.values(), (u) => u.orgId).sort((a, b) => a.callSign.localeCompare(b.callSign));
  }

  unit(unitId: string): Unit | undefined {
    return this.state.units.get(unitId);
  }

  unitOfUser(userId: string | null): Unit | undefined {
    return this.state.unitOfUser(userId);
  }

  unitFor(unitId: string, by: Principal): Unit {
    const u = this.state.units.get(unitId);
    if (!u || !(can(by, 'read', { orgId: u.orgId }) || this.state.unitOfUser(by.userId)?.unitId === unitId)) throw notFound('unit', unitId);
    return u;
  }

  async register(input: UnitInput, by: Actor): Promise<Unit> {
    if (!by.orgId) throw badRequest('a unit belongs to an organisation');
    if (!UNIT_KINDS.includes(input.kind)) throw badRequest(`unknown unit kind ${input.kind}`);
    const unknown = input.capabilities.filter((c) => !CAPABILITIES.includes(c));
    if (unknown.length) throw badRequest(`unknown capabilities: ${unknown.join(', ')}`);
    const callSign = input.callSign.trim();
    if (!callSign) throw badRequest('a unit has a call sign');
    const site = input.homeSiteId ? this.city.sites.get(input.homeSiteId) : undefined;
    if (input.homeSiteId && !site) throw notFound('site', input.homeSiteId);
    const homePosition = input.homePosition ?? site?.position;
    if (!homePosition || !isValidPosition(homePosition)) throw badRequest('a unit has a home station (a site) or a home position');
    const old = input.unitId ? this.state.units.get(input.unitId) : undefined;
    if (old && 'kind' in by) assertCan(by, 'manage', { orgId: old.orgId }, 'unit', old.unitId);
    else if (old && old.orgId !== by.orgId) throw new VigilError('forbidden', 'that unit belongs to another organisation');
    const unit: UnitDefinition = {
      unitId: input.unitId ?? newId('unt'),
      callSign,
      kind: input.kind,
      capabilities: [...new Set(input.capabilities)],
      homeSiteId: site?.id ?? null,
      homePosition: [homePosition[0], homePosition[1]],
      crew: (input.crew ?? []).map((c) => ({ name: c.name.trim(), role: c.role.trim(), userId: c.userId ?? null })),
      orgId: by.orgId,
      demo: input.demo ?? false,
    };
    await this.ctx.record([unitEvent('units.unit.registered', unit.unitId, unit.orgId, by.actor, { unit })]);
    return this.state.units.get(unit.unitId)!;
  }

  /** The event that moves a unit to a status (validated); callers record it, alone or with their own events. */
  statusEvent(unit: Unit, to: UnitStatus, actor: string, incidentId: string | null, note: string | null = null): NewEvent {
    if (unit.status === to) throw conflict(`${unit.callSign} is already ${to}`);
    if (!UNIT_TRANSITIONS[unit.status].includes(to))
      throw conflict(`${unit.callSign} cannot go from ${unit.status} to ${to}`, { from: unit.status, to, allowed: UNIT_TRANSITIONS[unit.status] });
    return unitEvent('units.unit.status-changed', unit.unitId, unit.orgId, actor, { unitId: unit.unitId, from: unit.status, to, incidentId, note }, note);
  }

  /**
   * Whether a principal may act for a unit (status, position): its crew, its organisation,
   * or the dispatch (non-responder roles) of an organisation it shared with to act.
   */
  mayActFor(unit: Unit, by: Principal): boolean {
    if (unit.crew.some((c) => c.userId !== null && c.userId === by.userId)) return true;
    if (!can(by, 'act', { orgId: unit.orgId })) return false;
    return by.orgId === unit.orgId || by.roles.some((r) => r !== 'responder');
  }

  async setStatus(unitId: string, to: UnitStatus, by: Principal, note: string | null = null): Promise<Unit> {
    const unit = this.unitFor(unitId, by);
    if (!this.mayActFor(unit, by)) throw new VigilError('forbidden', `only ${unit.callSign}'s crew or its dispatch changes its status`);
    await this.ctx.record([this.statusEvent(unit, to, by.actor, unit.incidentId, note)]);
    return this.state.units.get(unitId)!;
  }

  /**
   * An AVL message from MQTT (`…/units/<unitId>/position`). Resolves once the fix is
   * durable; an invalid payload or unknown unit is dropped with the reason
   * (redelivery would not make it valid).
   */
  async handleMqttPosition(unitId: string, payload: Buffer): Promise<'recorded' | 'invalid' | 'unknown-unit'> {
    const parsed = parseAvlMessage(payload, this.ctx.clock.now());
    if (!parsed.ok) {
      this.refused++;
      this.ctx.logger.warn({ unitId, problem: parsed.problem }, 'AVL message refused');
      return 'invalid';
    }
    if (!this.state.units.has(unitId)) {
      this.refused++;
      this.ctx.logger.warn({ unitId }, 'AVL message for an unknown unit refused');
      return 'unknown-unit';
    }
    await this.avl.add(unitId, [parsed.fix]);
    return 'recorded';
  }

  /** Fixes over HTTP (an AVL gateway with an API key, or the responder's phone). */
  async addFixes(unitId: string, fixes: Fix[], by: Principal): Promise<Unit> {
    const unit = this.unitFor(unitId, by);
    if (!this.mayActFor(unit, by)) throw new VigilError('forbidden', `only ${unit.callSign}'s crew or organisation reports its position`);
    await this.avl.add(unitId, fixes);
    return this.state.units.get(unitId)!;
  }

  private async writeFixes(batch: Map<string, Fix[]>): Promise<void> {
    const events: NewEvent[] = [];
    for (const [unitId, fixes] of batch) {
      const unit = this.state.units.get(unitId);
      if (!unit) continue;
      const stored: StoredFix[] = fixes.map((f) => [
        f.at,
        round6(f.position[0]),
        round6(f.position[1]),
        f.speed === null ? null : Math.round(f.speed * 10) / 10,
        f.heading === null ? null : Math.round(f.heading),
      ]);
      events.push(unitEvent('units.positions.recorded', unitId, unit.orgId, `device:avl:${unitId}`, { unitId, fixes: stored }));
    }
    if (events.length > 0) await this.ctx.record(events);
  }

  /** A unit's track between two times, oldest first, from the log (the history is kept there). */
  async track(unitId: string, from: number, to: number, by: Principal): Promise<Fix[]> {
    this.unitFor(unitId, by);
    const out: Fix[] = [];
    let afterSeq = 0;
    for (;;) {
      const batch = await this.ctx.log.read({ subject: `unit:${unitId}`, typePrefixes: ['units.positions.recorded'], afterSeq, limit: 1000 });
      if (batch.length === 0) break;
      for (const e of batch) {
        for (const [at, lon, lat, speed, heading] of (e.data as UnitEvents['units.positions.recorded']).fixes) {
          if (at >= from && at <= to) out.push({ at, position: [lon, lat], speed, heading });
        }
      }
      afterSeq = batch.at(-1)!.seq;
    }
    out.sort((a, b) => a.at - b.at);
    return out.length > MAX_TRACK_FIXES ? out.slice(out.length - MAX_TRACK_FIXES) : out;
  }

  /** Where a unit is now: its latest fix, else its home station. */
  positionOf(unit: Unit): Position {
    return unit.position?.position ?? unit.homePosition;
  }
}
