import type { EarlyWarningRule, Reading, RuleMeasure } from './rule-model.js';

/** Readings kept per device while its condition holds: what the drafted alert cites. */
const KEPT_READINGS = 10;

/** Where one device is in a rule's condition. */
export interface DeviceTrack {
  /** Consecutive readings meeting the condition, and the time of the first of them. */
  run: number;
  since: number | null;
  recent: Reading[];
  /** Not yet back past the clearing level (threshold ∓ hysteresis, or `normal`). */
  high: boolean;
}

/**
 * Where a rule is: `latched` after it fired (or an episode was absorbed by its open
 * draft) until every device cleared; `openDraft` while its last draft waits for an officer.
 */
export interface RuleTrack {
  devices: Map<string, DeviceTrack>;
  /** How many devices are `high` (kept, so re-arming does not scan every device). */
  highCount: number;
  latched: boolean;
  openDraft: string | null;
}

export const newRuleTrack = (): RuleTrack => ({ devices: new Map(), highCount: 0, latched: false, openDraft: null });

/** Length units a water-level reading may come in; other units must match the rule's exactly. */
const TO_METRES: Record<string, number> = { m: 1, cm: 0.01, mm: 0.001 };

/** The reading's value in the rule's unit, or null when it cannot be compared. */
export function valueIn(reading: Pick<Reading, 'value' | 'unit'>, unit: string): number | null {
  if (reading.value === null || !Number.isFinite(reading.value)) return null;
  const from = reading.unit ?? unit;
  if (from === unit) return reading.value;
  const a = TO_METRES[from];
  const b = TO_METRES[unit];
  return a !== undefined && b !== undefined ? (reading.value * a) / b : null;
}

/** Whether a reading meets the condition (`meets`) and whether it is still past the clearing level (`high`); null: it says nothing. */
export function judge(measure: RuleMeasure, reading: Reading): { meets: boolean; high: boolean } | null {
  if (reading.sensorType !== measure.sensorType || reading.state === 'test') return null;
  if (measure.type === 'state') {
    if (reading.state === 'alarm') return { meets: true, high: true };
    if (reading.state === 'normal') return { meets: false, high: false };
    return null; // trouble: the sensor is unwell, which says nothing about the hazard
  }
  const v = valueIn(reading, measure.unit);
  if (v === null) return null;
  if (measure.direction === 'above') return { meets: v > measure.threshold, high: v > measure.threshold - measure.hysteresis };
  return { meets: v < measure.threshold, high: v < measure.threshold + measure.hysteresis };
}

/**
 * One reading through a rule. Returns the readings to cite when the rule fires now,
 * else null. Fires when a device's condition held for the persistence, the rule is
 * armed and no draft of it is open; re-arms once every device is past the clearing level.
 */
export function evaluate(rule: Pick<EarlyWarningRule, 'measure' | 'persistence'>, track: RuleTrack, reading: Reading): Reading[] | null {
  const verdict = judge(rule.measure, reading);
  if (!verdict) return null;
  let device = track.devices.get(reading.deviceId);
  if (!device) {
    device = { run: 0, since: null, recent: [], high: false };
    track.devices.set(reading.deviceId, device);
  }
  if (device.high !== verdict.high) track.highCount += verdict.high ? 1 : -1;
  device.high = verdict.high;
  if (verdict.meets) {
    device.run++;
    device.since ??= reading.at;
    device.recent.push(reading);
    if (device.recent.length > KEPT_READINGS) device.recent.shift();
  } else {
    device.run = 0;
    device.since = null;
    device.recent = [];
  }
  if (track.latched && track.highCount === 0) track.latched = false;
  const persisted = verdict.meets && device.run >= rule.persistence.readings && reading.at - device.since! >= rule.persistence.seconds * 1000;
  if (!persisted || track.latched) return null;
  track.latched = true;
  // An episode while a draft is still open belongs to that draft: it wakes nobody again.
  return track.openDraft === null ? [...device.recent] : null;
}
