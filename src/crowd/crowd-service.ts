import { VigilError, badRequest, conflict, notFound } from '../kernel/errors.js';
import { centroid, isValidPosition, type Position } from '../kernel/geo.js';
import { newId } from '../kernel/ids.js';
import type { Principal } from '../platform/access.js';
import { assertCan, can } from '../platform/policy.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import type { AlarmSignalsPort, Signal } from '../alarms/contract.js';
import { CountBatcher, type ZoneWindow } from './count-batcher.js';
import type { CrowdState } from './crowd-state.js';
import { densityOf, nextLevel, trendPerMin } from './density.js';
import { crowdEvent } from './events.js';
import { DEFAULT_CRITICAL_DENSITY, DEFAULT_WARNING_DENSITY, type CrowdZone, type Gate, type Level, type PeopleCount, type Suggestion } from './model.js';
import { suggestionsFor, type FootRouter } from './suggestions.js';
import { COUNTER_ID, checkThresholds, checkZonePolygon } from './validate.js';

export interface ZoneInput {
  zoneId?: string;
  name: string;
  eventId?: string | null;
  polygon: unknown;
  warningDensity?: number;
  criticalDensity?: number;
  occupancyCounters?: string[];
  demo?: boolean;
}

export interface GateInput {
  gateId?: string;
  name: string;
  position: Position;
  inside: string;
  outside?: string | null;
  lineCounters?: string[];
}

type Actor = Principal | { orgId: string; actor: string };

/** What crowd needs from the rest of Vigil: the alarm queue and the foot graph. */
export interface CrowdDeps {
  /** The alarm queue: crowd events and the alarm signals of level changes are recorded there in one commit. */
  alarms: AlarmSignalsPort;
  footRoute: FootRouter;
  /** Closes the foot graph at a gate (returns the closure id, null when no path crosses it). */
  closeFootAt(position: Position, reason: string, by: Principal): Promise<string | null>;
  reopenFoot(closureId: string, by: Principal): Promise<void>;
  /** Whether a principal takes part, at staff level or above, in the major event a zone belongs to (its participants see the zone). */
  eventSees?(eventId: string, by: Principal): boolean;
}

export type ZoneView = Omit<CrowdZone, 'history' | 'counts'> & {
  trendPerMin: number;
  counters: { counterId: string; count: number | null; at: string | null }[];
  gates: string[];
  suggestions: Suggestion[];
};

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

/** Crowd density: zones, gates, counters; counts aggregated per window; levels, alarms and suggestions. */
export class CrowdService {
  readonly counts: CountBatcher;
  /** Readings refused (invalid, unknown counter), a figure for operators. */
  refused = 0;
  readings = 0;

  constructor(
    private readonly ctx: AppContext,
    readonly state: CrowdState,
    private readonly deps: CrowdDeps,
    windowMs = 1000,
  ) {
    this.counts = new CountBatcher((batch) => this.writeWindow(batch), windowMs);
  }

  /** The owning organisation and those it shares with; and, for a zone of a major event, that event's participants (staff and above). */
  private seesZone(by: Principal, z: CrowdZone): boolean {
    return can(by, 'read', { orgId: z.orgId }) || (z.eventId !== null && this.deps.eventSees?.(z.eventId, by) === true);
  }

  private seesGate(by: Principal, g: Gate): boolean {
    if (can(by, 'read', { orgId: g.orgId })) return true;
    return [g.inside, g.outside].some((id) => {
      const z = id ? this.state.zones.get(id) : undefined;
      return z !== undefined && this.seesZone(by, z);
    });
  }

  private zoneFor(zoneId: string, by: Principal): CrowdZone {
    const z = this.state.zones.get(zoneId);
    if (!z || !this.seesZone(by, z)) throw notFound('crowd zone', zoneId);
    return z;
  }

  private gateFor(gateId: string, by: Principal): Gate {
    const g = this.state.gates.get(gateId);
    if (!g || !this.seesGate(by, g)) throw notFound('gate', gateId);
    return g;
  }

  visibleZones(by: Principal): ZoneView[] {
    return [...this.state.zones.values()]
      .filter((z) => this.seesZone(by, z))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((z) => this.view(z));
  }

  visibleGates(by: Principal): Omit<Gate, 'flows'>[] {
    const now = this.ctx.clock.now();
    return [...this.state.gates.values()]
      .filter((g) => this.seesGate(by, g))
      .map(({ flows: _f, ...g }) => ({ ...g, inflowPerMin: round(this.state.netInflowPerMin(this.state.gates.get(g.gateId)!, g.inside, now), 1) }));
  }

  zone(zoneId: string, by: Principal): ZoneView {
    return this.view(this.zoneFor(zoneId, by));
  }

  private view(z: CrowdZone): ZoneView {
    const now = this.ctx.clock.now();
    const { history, counts, ...rest } = z;
    return {
      ...rest,
      density: round(z.density),
      trendPerMin: round(trendPerMin(history, z.countedAt ?? now)),
      counters: z.occupancyCounters.map((c) => ({
        counterId: c,
        count: counts[c]?.count ?? null,
        at: counts[c] ? new Date(counts[c].at).toISOString() : null,
      })),
      gates: [...(this.state.gatesOfZone.get(z.zoneId) ?? [])],
      suggestions: suggestionsFor(this.state, z, now, this.deps.footRoute),
    };
  }

  /** The organisation owning the zone or gate a counter feeds (undefined: no such counter). */
  private counterOrg(counterId: string): string | undefined {
    const target = this.state.counters.get(counterId);
    if (!target) return undefined;
    return target.kind === 'occupancy' ? this.state.zones.get(target.zoneId)?.orgId : this.state.gates.get(target.gateId)?.orgId;
  }

  private checkCounters(ids: string[], owner: string, by: Actor): string[] {
    const unique = [...new Set(ids)];
    for (const c of unique) {
      if (!COUNTER_ID.test(c)) throw badRequest(`counter id ${JSON.stringify(c)}: letters, digits and : _ . - only`);
      const used = this.state.counters.get(c);
      if (used && (used.kind === 'occupancy' ? used.zoneId : used.gateId) !== owner) {
        // Which zone or gate of another organisation it feeds is that organisation's to know.
        const orgId = this.counterOrg(c);
        const named = orgId !== undefined && ('roles' in by ? can(by, 'read', { orgId }) : orgId === by.orgId);
        throw conflict(
          `counter ${c} already feeds ${named ? (used.kind === 'occupancy' ? used.zoneId : used.gateId) : 'a zone or gate of another organisation'}`,
        );
      }
    }
    return unique;
  }

  async defineZone(input: ZoneInput, by: Actor): Promise<ZoneView | CrowdZone> {
    if (!by.orgId) throw badRequest('a crowd zone belongs to an organisation');
    const name = input.name.trim();
    if (!name) throw badRequest('a crowd zone has a name');
    const { polygon, areaM2 } = checkZonePolygon(input.polygon);
    const warningDensity = input.warningDensity ?? DEFAULT_WARNING_DENSITY,
      criticalDensity = input.criticalDensity ?? DEFAULT_CRITICAL_DENSITY;
    checkThresholds(warningDensity, criticalDensity);
    const old = input.zoneId ? this.state.zones.get(input.zoneId) : undefined;
    if (old && 'roles' in by) assertCan(by, 'manage', { orgId: old.orgId }, 'crowd zone', old.zoneId);
    else if (old && old.orgId !== by.orgId) throw new VigilError('forbidden', 'that crowd zone belongs to another organisation');
    // Drawn for a major event: only by someone taking part in it at staff level or above (who sees its zones). Its
    // participants then see and operate the zone: an event one does not take part in is not named (nor its existence told).
    const eventId = input.eventId ?? null;
    if (eventId !== null && eventId !== old?.eventId && 'roles' in by && this.deps.eventSees?.(eventId, by) !== true) throw notFound('major event', eventId);
    const zoneId = input.zoneId ?? newId('czn');
    const zone = {
      zoneId,
      name,
      orgId: by.orgId,
      eventId,
      polygon,
      areaM2,
      warningDensity,
      criticalDensity,
      occupancyCounters: this.checkCounters(input.occupancyCounters ?? [], zoneId, by),
    };
    await this.ctx.record([crowdEvent('crowd.zone.defined', `crowd-zone:${zoneId}`, by.orgId, by.actor, { zone })]);
    return 'roles' in by ? this.zone(zoneId, by) : this.state.zones.get(zoneId)!;
  }

  async defineGate(input: GateInput, by: Actor): Promise<Omit<Gate, 'flows'>> {
    if (!by.orgId) throw badRequest('a gate belongs to an organisation');
    const name = input.name.trim();
    if (!name) throw badRequest('a gate has a name');
    if (!isValidPosition(input.position)) throw badRequest('a gate has a [lon, lat] position');
    const inside = this.state.zones.get(input.inside);
    const outside = input.outside ? this.state.zones.get(input.outside) : null;
    if (!inside || inside.orgId !== by.orgId) throw notFound('crowd zone', input.inside);
    if (input.outside && (!outside || outside.orgId !== by.orgId)) throw notFound('crowd zone', input.outside);
    if (input.outside === input.inside) throw badRequest('a gate connects two different zones (or a zone and the outside)');
    const old = input.gateId ? this.state.gates.get(input.gateId) : undefined;
    if (old && 'roles' in by) assertCan(by, 'manage', { orgId: old.orgId }, 'gate', old.gateId);
    else if (old && old.orgId !== by.orgId) throw new VigilError('forbidden', 'that gate belongs to another organisation');
    const gateId = input.gateId ?? newId('gte');
    const gate = {
      gateId,
      name,
      orgId: by.orgId,
      position: [input.position[0], input.position[1]] as Position,
      inside: inside.zoneId,
      outside: outside?.zoneId ?? null,
      lineCounters: this.checkCounters(input.lineCounters ?? [], gateId, by),
    };
    await this.ctx.record([crowdEvent('crowd.gate.defined', `gate:${gateId}`, by.orgId, by.actor, { gate })]);
    const { flows: _f, ...rest } = this.state.gates.get(gateId)!;
    return rest;
  }

  /**
   * Whether a counter exists for this principal: one feeding a zone or gate of an organisation it may act on (a count
   * operates the counter). Another organisation's counter is unknown, as one that does not exist: no existence told.
   */
  isCounter(counterId: string, by: Principal | null = null): boolean {
    const orgId = this.counterOrg(counterId);
    return orgId !== undefined && (by === null || can(by, 'act', { orgId }));
  }

  /**
   * One people count (MQTT, camera webhook or HTTP), checked already. Resolves once
   * its window is durable; a reading of an unknown counter is refused.
   */
  async reading(r: PeopleCount, by: Principal | null = null): Promise<'recorded' | 'unknown-counter' | 'wrong-kind'> {
    const target = this.state.counters.get(r.counterId);
    const owner = target ? (target.kind === 'occupancy' ? this.state.zones.get(target.zoneId)?.orgId : this.state.gates.get(target.gateId)?.orgId) : undefined;
    // A count over HTTP operates the counter: its organisation, or one it shared with to act.
    if (!target || owner === undefined || (by && !can(by, 'act', { orgId: owner }))) {
      this.refused++;
      return 'unknown-counter';
    }
    if ((target.kind === 'occupancy') !== (r.count !== undefined)) {
      this.refused++;
      return 'wrong-kind';
    }
    this.readings++;
    if (target.kind === 'occupancy') await this.counts.addCount(target.zoneId, r.counterId, r.count!, r.at);
    else await this.counts.addFlow(this.state.gates.get(target.gateId)!.inside, target.gateId, r.in ?? 0, r.out ?? 0);
    return 'recorded';
  }

  /** One window: per zone, its counts, occupancy, density — and a level change with its alarm signal. */
  private async writeWindow(batch: Map<string, ZoneWindow>): Promise<void> {
    const now = this.ctx.clock.now();
    const net = new Map<string, number>();
    for (const [zoneId, w] of batch) {
      net.set(zoneId, net.get(zoneId) ?? 0);
      for (const [gateId, [i, o]] of w.flows) {
        const g = this.state.gates.get(gateId);
        if (!g) continue;
        net.set(g.inside, (net.get(g.inside) ?? 0) + i - o);
        if (g.outside) net.set(g.outside, (net.get(g.outside) ?? 0) - (i - o));
      }
    }
    const events: NewEvent[] = [];
    const signals: { signal: Signal; orgId: string }[] = [];
    for (const [zoneId, netInflow] of net) {
      const z = this.state.zones.get(zoneId);
      if (!z) continue;
      const w = batch.get(zoneId);
      const counts: Record<string, [number, number]> = {};
      for (const [c, v] of w?.counts ?? []) counts[c] = [v.count, v.at];
      const flows: Record<string, [number, number]> = {};
      for (const [g, f] of w?.flows ?? []) flows[g] = f;
      // Occupancy counters, where the zone has them, are the truth; else the net flow through its gates.
      let occupancy: number;
      if (z.occupancyCounters.length > 0) {
        occupancy = 0;
        for (const c of z.occupancyCounters) {
          const fresh = counts[c],
            known = z.counts[c];
          occupancy += fresh && (!known || fresh[1] >= known.at) ? fresh[0] : (known?.count ?? 0);
        }
      } else occupancy = Math.max(0, z.flowOccupancy + netInflow);
      const density = round(densityOf(occupancy, z.areaM2), 4);
      events.push(
        crowdEvent('crowd.zone.counted', `crowd-zone:${zoneId}`, z.orgId, 'system:crowd', { zoneId, at: now, counts, flows, netInflow, occupancy, density }),
      );
      const to = nextLevel(z.level, density, z);
      if (to === z.level) continue;
      events.push(crowdEvent('crowd.level.changed', `crowd-zone:${zoneId}`, z.orgId, 'system:crowd', { zoneId, from: z.level, to, density, occupancy }));
      const signal = this.levelSignal(z, z.level, to, density, now);
      if (signal) signals.push({ signal, orgId: z.orgId });
    }
    if (events.length > 0) {
      const orgOf = new Map(signals.map((s) => [s.signal, s.orgId]));
      await this.deps.alarms.recordSignals(
        signals.map((s) => s.signal),
        events,
        (sg) => orgOf.get(sg) ?? null,
      );
    }
  }

  /** A rise from normal raises an alarm, a rise to critical joins (or raises) one, falling back to normal restores it. */
  private levelSignal(z: CrowdZone, from: Level, to: Level, density: number, now: number): Signal | null {
    const rising = to === 'critical' || (to === 'warning' && from === 'normal');
    if (!rising && to !== 'normal') return null;
    return {
      signalId: newId('sig'),
      account: null,
      protocol: 'crowd',
      code: `crowd:${to}`,
      kind: 'crowd',
      phase: rising ? 'alarm' : 'restore',
      description: rising
        ? `Crowd density ${to}: ${density.toFixed(2)} persons/m² in ${z.name}`
        : `Crowd density back to normal in ${z.name} (${density.toFixed(2)} persons/m²)`,
      zone: null,
      user: null,
      area: z.name,
      occurredAt: null,
      receivedAt: new Date(now).toISOString(),
      text: null,
      position: centroid(z.polygon),
      siteId: null,
      deviceId: `crowd-zone:${z.zoneId}`,
      flags: [],
      reading: { value: density, unit: 'persons/m²' },
    };
  }

  /** Closes a gate (by hand or applying a suggestion); also closes the foot graph there so evacuation routes avoid it. */
  async closeGate(gateId: string, by: Principal, suggestionId: string | null = null): Promise<Omit<Gate, 'flows'>> {
    const g = this.gateFor(gateId, by);
    this.assertActsOnGate(g, by);
    if (g.state === 'closed') throw conflict(`${g.name} is already closed`);
    const closureId = await this.deps.closeFootAt(g.position, `Gate closed: ${g.name}`, by);
    await this.ctx.record([crowdEvent('crowd.gate.closed', `gate:${gateId}`, g.orgId, by.actor, { gateId, suggestionId, closureId })]);
    const { flows: _f, ...rest } = this.state.gates.get(gateId)!;
    return rest;
  }

  async openGate(gateId: string, by: Principal, suggestionId: string | null = null): Promise<Omit<Gate, 'flows'>> {
    const g = this.gateFor(gateId, by);
    this.assertActsOnGate(g, by);
    if (g.state === 'open') throw conflict(`${g.name} is already open`);
    const closureId = g.closureId; // the projection forgets it once the gate is open
    await this.ctx.record([crowdEvent('crowd.gate.opened', `gate:${gateId}`, g.orgId, by.actor, { gateId, suggestionId })]);
    if (closureId) await this.deps.reopenFoot(closureId, by);
    const { flows: _f, ...rest } = this.state.gates.get(gateId)!;
    return rest;
  }

  /** Opening and closing a gate is acting: its organisation, one it shares with to act, or the staff of the major event its zone belongs to. */
  private assertActsOnGate(g: Gate, by: Principal): void {
    if (can(by, 'act', { orgId: g.orgId })) return;
    const viaEvent = [g.inside, g.outside].some((id) => {
      const z = id ? this.state.zones.get(id) : undefined;
      return z !== undefined && z.eventId !== null && this.deps.eventSees?.(z.eventId, by) === true;
    });
    if (!viaEvent) throw new VigilError('forbidden', `gate ${g.gateId}: shared with your organisation for reading only`);
  }

  private suggestion(zoneId: string, suggestionId: string, by: Principal): { zone: CrowdZone; suggestion: Suggestion } {
    const zone = this.zoneFor(zoneId, by);
    const suggestion = suggestionsFor(this.state, zone, this.ctx.clock.now(), this.deps.footRoute).find((s) => s.suggestionId === suggestionId);
    if (!suggestion) throw notFound('suggestion', suggestionId);
    return { zone, suggestion };
  }

  async applySuggestion(zoneId: string, suggestionId: string, by: Principal): Promise<ZoneView> {
    const { zone, suggestion: s } = this.suggestion(zoneId, suggestionId, by);
    if (s.kind === 'close-gate') await this.closeGate(s.gateId!, by, s.suggestionId);
    else if (s.kind === 'open-gate') await this.openGate(s.gateId!, by, s.suggestionId);
    else {
      await this.ctx.record([
        crowdEvent('crowd.reroute.applied', `crowd-zone:${zoneId}`, zone.orgId, by.actor, {
          zoneId,
          suggestionId: s.suggestionId,
          targetZoneId: s.targetZoneId,
          targetGateId: s.gateId,
          route: s.route?.geometry.coordinates ?? null,
          flowPerMin: s.flowPerMin,
        }),
      ]);
    }
    return this.zone(zoneId, by);
  }

  async dismissSuggestion(zoneId: string, suggestionId: string, by: Principal): Promise<ZoneView> {
    const { zone } = this.suggestion(zoneId, suggestionId, by);
    await this.ctx.record([
      crowdEvent('crowd.suggestion.dismissed', `crowd-zone:${zoneId}`, zone.orgId, by.actor, { zoneId, suggestionId, levelSeq: zone.levelSeq }),
    ]);
    return this.zone(zoneId, by);
  }
}
