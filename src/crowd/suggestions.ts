import { centroid, type Position } from '../kernel/geo.js';
import type { CrowdState } from './crowd-state.js';
import type { CrowdZone, Suggestion } from './model.js';

/** A foot route between two points, or null when there is none (or no foot graph). */
export type FootRouter = (from: Position, to: Position) => Suggestion['route'];

/**
 * What to do for a zone at warning or critical: close the open gates that feed it
 * (net inflow), open closed gates toward the least dense neighbours, and send the
 * inflow on foot to the least dense neighbouring zone below warning, or to an exit.
 * Derived from the read model (nothing to store until an operator applies one);
 * suggestions dismissed during the current level episode are left out.
 */
export function suggestionsFor(state: CrowdState, zone: CrowdZone, now: number, route: FootRouter): Suggestion[] {
  if (zone.level === 'normal') return [];
  const out: Suggestion[] = [];
  const gates = [...(state.gatesOfZone.get(zone.zoneId) ?? [])].map((id) => state.gates.get(id)!).filter(Boolean);
  const neighbourOf = (g: (typeof gates)[number]): CrowdZone | null => {
    const other = g.inside === zone.zoneId ? g.outside : g.inside;
    return other ? (state.zones.get(other) ?? null) : null;
  };
  let feeding = 0;
  const feeders = new Set<string>();
  for (const g of gates) {
    const inflow = state.netInflowPerMin(g, zone.zoneId, now);
    if (g.state !== 'open' || inflow <= 0) continue;
    feeding += inflow;
    feeders.add(g.gateId);
    out.push({
      suggestionId: `close:${g.gateId}`,
      zoneId: zone.zoneId,
      kind: 'close-gate',
      gateId: g.gateId,
      targetZoneId: null,
      text: `Close ${g.name}: ${Math.round(inflow)} people/min are entering ${zone.name}`,
      flowPerMin: round1(inflow),
      route: null,
    });
  }
  const ways = gates
    .map((g) => ({ gate: g, neighbour: neighbourOf(g) }))
    // Not back through a gate people are coming in by; only toward zones still below warning. Exits first, then the emptiest.
    .filter((w) => !feeders.has(w.gate.gateId) && (w.neighbour === null || w.neighbour.level === 'normal'))
    .sort((a, b) => (a.neighbour?.density ?? -1) - (b.neighbour?.density ?? -1));
  for (const w of ways) {
    if (w.gate.state !== 'closed') continue;
    const where = w.neighbour ? `${w.neighbour.name} (${w.neighbour.density.toFixed(2)} /m²)` : 'the exit';
    out.push({
      suggestionId: `open:${w.gate.gateId}`,
      zoneId: zone.zoneId,
      kind: 'open-gate',
      gateId: w.gate.gateId,
      targetZoneId: w.neighbour?.zoneId ?? null,
      text: `Open ${w.gate.name} toward ${where}`,
      flowPerMin: 0,
      route: null,
    });
  }
  const best = ways.find((w) => w.gate.state === 'open') ?? ways[0];
  if (best) {
    const to = best.neighbour ? centroid(best.neighbour.polygon) : best.gate.position;
    const target = best.neighbour ? `${best.neighbour.name} via ${best.gate.name}` : `the exit ${best.gate.name}`;
    out.push({
      suggestionId: `reroute:${best.neighbour?.zoneId ?? best.gate.gateId}`,
      zoneId: zone.zoneId,
      kind: 'reroute',
      gateId: best.gate.gateId,
      targetZoneId: best.neighbour?.zoneId ?? null,
      text: `Re-route ${feeding > 0 ? `${Math.round(feeding)} people/min ` : 'the crowd '}on foot from ${zone.name} to ${target}`,
      flowPerMin: round1(feeding),
      route: route(centroid(zone.polygon), to),
    });
  }
  const dismissed = state.dismissed.get(zone.zoneId);
  return dismissed && dismissed.levelSeq === zone.levelSeq ? out.filter((s) => !dismissed.ids.has(s.suggestionId)) : out;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
