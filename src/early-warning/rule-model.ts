import type { DeviceKind } from '../city/contract.js';
import { SENSOR_MESSAGE_SCHEMA } from '../alarms/contract.js';
import type { CapSeverity, CapUrgency, Channel } from '../alerts/contract.js';

/** The sensor message types a rule can watch (heartbeats carry no reading). */
export const RULE_SENSOR_TYPES = SENSOR_MESSAGE_SCHEMA.properties.type.enum.filter((t) => t !== 'heartbeat');
export type RuleSensorType = (typeof RULE_SENSOR_TYPES)[number];

/** Which sensors a rule listens to: named devices, or every device of a kind in an area (null: the whole city). */
export type RuleSensors = { deviceIds: string[] } | { deviceKind: DeviceKind; areaId: string | null };

/**
 * What counts as the condition. `threshold`: a value above (or below) `threshold`
 * in `unit`; it clears at `threshold ∓ hysteresis`. `state`: the sensor reports
 * `alarm` (smoke in a tunnel, gas); it clears on `normal`.
 */
export type RuleMeasure =
  | { type: 'threshold'; sensorType: RuleSensorType; direction: 'above' | 'below'; threshold: number; unit: string; hysteresis: number }
  | { type: 'state'; sensorType: RuleSensorType };

/** The condition must hold for at least `readings` consecutive readings AND over at least `seconds`, so one spike does not wake the city. */
export interface RulePersistence {
  readings: number;
  seconds: number;
}

export type RuleArea =
  { kind: 'neighbourhood'; areaId: string } | { kind: 'polygon'; areaDesc: string; polygon: string } | { kind: 'circle'; radiusKm: number };

/** The alert the rule drafts: a hazard template in some of its languages, the area, CAP codes and channels. */
export interface RuleDraft {
  templateId: string;
  languages: string[];
  area: RuleArea;
  severity: CapSeverity;
  urgency: CapUrgency;
  status: 'Actual' | 'Exercise' | 'Test';
  channels: Channel[];
}

export interface RuleInput {
  name: string;
  sensors: RuleSensors;
  measure: RuleMeasure;
  persistence: RulePersistence;
  draft: RuleDraft;
}

export interface EarlyWarningRule extends RuleInput {
  ruleId: string;
  orgId: string;
  enabled: boolean;
  /** The officer who last defined it: they count as the author of what it drafts (so a second officer approves). */
  definedBy: string;
  definedAt: string;
}

/** One sensor reading as a rule sees it, taken from an `alarms.signal.received` event. */
export interface Reading {
  signalId: string;
  deviceId: string;
  sensorType: string;
  state: string;
  value: number | null;
  unit: string | null;
  /** Epoch ms: the sensor's own time when it said, else when Vigil received it. */
  at: number;
}
