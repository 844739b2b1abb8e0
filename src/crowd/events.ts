import type { NewEvent } from '../platform/event-log.js';
import type { Position } from '../kernel/geo.js';
import type { CrowdZoneDefinition, GateDefinition, Level } from './model.js';

/** Event payloads of the crowd capability (type → data). */
export interface CrowdEvents {
  'crowd.zone.defined': { zone: CrowdZoneDefinition };
  'crowd.gate.defined': { gate: GateDefinition };
  /**
   * One zone's window of counts: the latest count of each occupancy counter that
   * reported, the crossings at gates whose inside is this zone, the zone's net
   * inflow through all its gates, and the occupancy and density they give.
   */
  'crowd.zone.counted': {
    zoneId: string;
    at: number;
    counts: Record<string, [number, number]>;
    flows: Record<string, [number, number]>;
    netInflow: number;
    occupancy: number;
    density: number;
  };
  'crowd.level.changed': { zoneId: string; from: Level; to: Level; density: number; occupancy: number };
  'crowd.gate.closed': { gateId: string; suggestionId: string | null; closureId: string | null };
  'crowd.gate.opened': { gateId: string; suggestionId: string | null };
  'crowd.reroute.applied': {
    zoneId: string;
    suggestionId: string;
    targetZoneId: string | null;
    targetGateId: string | null;
    route: Position[] | null;
    flowPerMin: number;
  };
  'crowd.suggestion.dismissed': { zoneId: string; suggestionId: string; levelSeq: number };
}

export function crowdEvent<K extends keyof CrowdEvents>(
  type: K,
  subject: string,
  orgId: string,
  actor: string,
  data: CrowdEvents[K],
  reason?: string | null,
): NewEvent {
  return { type, subject, orgId, actor, data, reason: reason ?? null };
}
