import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { CrowdEvents } from './events.js';
import type { CrowdZone, Gate } from './model.js';

/** Recent windows kept per zone (trend) and crossings per gate (net inflow). */
const HISTORY_MS = 10 * 60_000;

export interface ActiveReroute {
  suggestionId: string;
  targetZoneId: string | null;
  targetGateId: string | null;
  route: [number, number][] | null;
  flowPerMin: number;
  at: string;
}

/** Crowd zones, gates, counts, density levels and applied measures, rebuilt from `crowd.*` events. */
export class CrowdState implements Projection {
  readonly name = 'crowd';
  readonly typePrefixes = ['crowd.'];
  readonly zones = new Map<string, CrowdZone>();
  readonly gates = new Map<string, Gate>();
  /** counter id → what it counts. */
  readonly counters = new Map<string, { kind: 'occupancy'; zoneId: string } | { kind: 'line'; gateId: string }>();
  /** zone id → its gates (as inside or outside). */
  readonly gatesOfZone = new Map<string, Set<string>>();
  /** zone id → suggestion ids dismissed during the current level episode (by levelSeq). */
  readonly dismissed = new Map<string, { levelSeq: number; ids: Set<string> }>();
  readonly reroutes = new Map<string, ActiveReroute>();
  /** Level changes applied (a figure for the benchmark). */
  levelChanges = 0;

  apply(e: StoredEvent): void {
    switch (e.type as keyof CrowdEvents) {
      case 'crowd.zone.defined': {
        const { zone } = e.data as CrowdEvents['crowd.zone.defined'];
        const old = this.zones.get(zone.zoneId);
        if (old) for (const c of old.occupancyCounters) this.counters.delete(c);
        this.zones.set(zone.zoneId, {
          ...zone,
          counts: old?.counts ?? {},
          flowOccupancy: old?.flowOccupancy ?? 0,
          occupancy: old?.occupancy ?? 0,
          density: old ? old.occupancy / zone.areaM2 : 0,
          level: old?.level ?? 'normal',
          levelSince: old?.levelSince ?? null,
          levelSeq: old?.levelSeq ?? 0,
          history: old?.history ?? [],
          countedAt: old?.countedAt ?? null,
        });
        for (const c of zone.occupancyCounters) this.counters.set(c, { kind: 'occupancy', zoneId: zone.zoneId });
        break;
      }
      case 'crowd.gate.defined': {
        const { gate } = e.data as CrowdEvents['crowd.gate.defined'];
        const old = this.gates.get(gate.gateId);
        if (old) {
          for (const c of old.lineCounters) this.counters.delete(c);
          this.gatesOfZone.get(old.inside)?.delete(old.gateId);
          if (old.outside) this.gatesOfZone.get(old.outside)?.delete(old.gateId);
        }
        this.gates.set(gate.gateId, { ...gate, state: old?.state ?? 'open', closureId: old?.closureId ?? null, flows: old?.flows ?? [] });
        for (const c of gate.lineCounters) this.counters.set(c, { kind: 'line', gateId: gate.gateId });
        for (const z of [gate.inside, gate.outside]) if (z) (this.gatesOfZone.get(z) ?? this.gatesOfZone.set(z, new Set()).get(z)!).add(gate.gateId);
        break;
      }
      case 'crowd.zone.counted': {
        const d = e.data as CrowdEvents['crowd.zone.counted'];
        const z = this.zones.get(d.zoneId);
        if (!z) break;
        for (const [id, [count, at]] of Object.entries(d.counts)) if (!z.counts[id] || at >= z.counts[id].at) z.counts[id] = { count, at };
        z.flowOccupancy = Math.max(0, z.flowOccupancy + d.netInflow);
        z.occupancy = d.occupancy;
        z.density = d.density;
        z.countedAt = d.at;
        z.history.push([d.at, d.density]);
        while (z.history.length > 0 && z.history[0]![0] < d.at - HISTORY_MS) z.history.shift();
        for (const [gateId, [i, o]] of Object.entries(d.flows)) {
          const g = this.gates.get(gateId);
          if (!g) continue;
          g.flows.push([d.at, i, o]);
          while (g.flows.length > 0 && g.flows[0]![0] < d.at - HISTORY_MS) g.flows.shift();
        }
        break;
      }
      case 'crowd.level.changed': {
        const d = e.data as CrowdEvents['crowd.level.changed'];
        const z = this.zones.get(d.zoneId);
        if (!z) break;
        z.level = d.to;
        z.levelSince = e.at;
        z.levelSeq = e.seq;
        this.levelChanges++;
        this.dismissed.delete(d.zoneId);
        if (d.to === 'normal') this.reroutes.delete(d.zoneId);
        break;
      }
      case 'crowd.gate.closed':
      case 'crowd.gate.opened': {
        const d = e.data as CrowdEvents['crowd.gate.closed'];
        const g = this.gates.get(d.gateId);
        if (!g) break;
        g.state = e.type === 'crowd.gate.closed' ? 'closed' : 'open';
        g.closureId = e.type === 'crowd.gate.closed' ? (d.closureId ?? null) : null;
        break;
      }
      case 'crowd.reroute.applied': {
        const d = e.data as CrowdEvents['crowd.reroute.applied'];
        this.reroutes.set(d.zoneId, {
          suggestionId: d.suggestionId,
          targetZoneId: d.targetZoneId,
          targetGateId: d.targetGateId,
          route: d.route,
          flowPerMin: d.flowPerMin,
          at: e.at,
        });
        break;
      }
      case 'crowd.suggestion.dismissed': {
        const d = e.data as CrowdEvents['crowd.suggestion.dismissed'];
        const z = this.zones.get(d.zoneId);
        if (!z || z.levelSeq !== d.levelSeq) break;
        const set = this.dismissed.get(d.zoneId);
        if (set && set.levelSeq === d.levelSeq) set.ids.add(d.suggestionId);
        else this.dismissed.set(d.zoneId, { levelSeq: d.levelSeq, ids: new Set([d.suggestionId]) });
        break;
      }
    }
  }

  /** People per minute entering a zone through a gate, over the last `spanMs` of recorded crossings. */
  netInflowPerMin(gate: Gate, zoneId: string, now: number, spanMs = 5 * 60_000): number {
    let net = 0;
    let first = now;
    for (const [at, i, o] of gate.flows) {
      if (at < now - spanMs) continue;
      first = Math.min(first, at);
      net += i - o;
    }
    if (gate.outside === zoneId && gate.inside !== zoneId) net = -net;
    // At least one minute: a single burst is not extrapolated into a huge rate.
    const minutes = Math.max(1, (now - first) / 60_000);
    return net / minutes;
  }
}
