/**
 * The early-warning capability's public face: its event map, the rule model and the rule
 * status the rules panel shows. Types, constants and pure functions only (the web bundles it).
 * Event type names stay `alerts.rule.*`: stored logs replay them.
 */
import type { EarlyWarningRule, Reading } from './rule-model.js';

export {
  RULE_SENSOR_TYPES,
  type EarlyWarningRule,
  type Reading,
  type RuleArea,
  type RuleDraft,
  type RuleInput,
  type RuleMeasure,
  type RulePersistence,
  type RuleSensors,
  type RuleSensorType,
} from './rule-model.js';

/** Event payloads of early warning (type → data). */
export interface EarlyWarningEvents {
  'alerts.rule.defined': { rule: EarlyWarningRule };
  'alerts.rule.switched': { ruleId: string; enabled: boolean };
}

/** What the rules panel shows of a rule: where it stands and what its sensors said last. */
export interface RuleStatus {
  rule: EarlyWarningRule;
  watching: number;
  latched: boolean;
  openDraft: string | null;
  lastReadings: Reading[];
  /** The last firing that could not be drafted, and why (shown until one succeeds). */
  failure: string | null;
}
