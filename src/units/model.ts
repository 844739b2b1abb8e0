import type { Position } from '../kernel/geo.js';

/** What kinds of unit Vigil dispatches. */
export const UNIT_KINDS = ['fire-engine', 'ambulance', 'police-car', 'private-guard', 'drone'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/** What a unit can do; incident types require some of these (incidents/incident-types.ts). */
export const CAPABILITIES = [
  'fire-suppression',
  'rescue',
  'ladder',
  'hazmat',
  'water-rescue',
  'advanced-life-support',
  'basic-life-support',
  'patient-transport',
  'law-enforcement',
  'traffic-control',
  'alarm-response',
  'keyholding',
  'aerial-view',
  'thermal-camera',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const UNIT_STATUSES = ['available', 'dispatched', 'en-route', 'on-scene', 'returning', 'out-of-service'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

/**
 * Which status may follow which. A returning unit may be dispatched again; any unit
 * may go out of service; 'available' ends an assignment from any active status.
 */
export const UNIT_TRANSITIONS: Record<UnitStatus, readonly UnitStatus[]> = {
  available: ['dispatched', 'out-of-service'],
  dispatched: ['en-route', 'on-scene', 'available', 'out-of-service'],
  'en-route': ['on-scene', 'available', 'out-of-service'],
  'on-scene': ['returning', 'available', 'out-of-service'],
  returning: ['available', 'dispatched', 'out-of-service'],
  'out-of-service': ['available'],
};

/** Statuses in which a unit may be recommended for a new incident. */
export const DISPATCHABLE: readonly UnitStatus[] = ['available', 'returning'];

export interface CrewMember {
  name: string;
  role: string;
  /** The Vigil user who rides with the unit and sees its assignment in the responder view. */
  userId: string | null;
}

/** One AVL fix. Speed in m/s, heading in degrees clockwise from north. */
export interface Fix {
  at: number;
  position: Position;
  speed: number | null;
  heading: number | null;
}

/** A unit as registered (the slowly changing part). */
export interface UnitDefinition {
  unitId: string;
  callSign: string;
  kind: UnitKind;
  capabilities: Capability[];
  homeSiteId: string | null;
  homePosition: Position;
  crew: CrewMember[];
  orgId: string;
  /** Invented for the demo city; shown as such. */
  demo: boolean;
}

export interface Unit extends UnitDefinition {
  status: UnitStatus;
  incidentId: string | null;
  statusAt: string;
  /** Latest fix; the home station until the unit reports. */
  position: Fix | null;
}
