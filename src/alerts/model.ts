import type { CapAlert } from './cap/cap-model.js';
import type { ImportDetails } from './exchange/cap-import.js';

/**
 * Where an alert is in its life. Authored alerts go draft → (pending-approval →)
 * issued; an issued alert ends cancelled or superseded by an Update. Imported
 * alerts (another agency's CAP) are kept as received.
 */
export const ALERT_STATES = ['draft', 'pending-approval', 'issued', 'rejected', 'cancelled', 'superseded', 'imported'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** The channels an alert can go out on; delivery adapters arrive with their own modules. */
export const CHANNELS = ['email', 'sms', 'push', 'cell-broadcast', 'sirens', 'voice', 'cap-feed', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What a drafted alert keeps of the early-warning rule that drafted it and the readings that triggered it. */
export interface AlertTrigger {
  ruleId: string;
  ruleName: string;
  deviceIds: string[];
  readings: { signalId: string; deviceId: string; value: number | null; unit: string | null; state: string; at: string }[];
}

export interface AlertRecord {
  alertId: string;
  orgId: string;
  cap: CapAlert;
  state: AlertState;
  origin: 'authored' | 'imported' | 'sensor-rule';
  channels: Channel[];
  /** Severe/Extreme or Public: a second authorised person releases it. */
  needsApproval: boolean;
  author: string;
  createdAt: string;
  submittedAt: string | null;
  approvedBy: string | null;
  issuedAt: string | null;
  rejected: { by: string; reason: string; at: string } | null;
  /** The alert that cancelled or superseded this one. */
  endedBy: string | null;
  /** Drafted by an early-warning rule (origin 'sensor-rule'): the rule and the readings that triggered it. */
  trigger?: AlertTrigger;
  /** Imported (origin 'imported'): how the document was received and read, its warnings and signature. Absent on imports before it was kept. */
  imported?: ImportDetails;
  /** A relay of another agency's alert (drafted from it for Vigil's subscribers): the imported alert's id. */
  relayOf?: string;
}

/** The second-person rule: severity Severe or Extreme in any language, or scope Public. */
export function needsApproval(cap: CapAlert): boolean {
  return cap.scope === 'Public' || (cap.info ?? []).some((i) => i.severity === 'Severe' || i.severity === 'Extreme');
}

/** Exercise and test alerts are marked as such wherever they are shown or sent. */
export function exerciseMark(cap: Pick<CapAlert, 'status'>): string | null {
  return cap.status === 'Exercise' ? 'EXERCISE' : cap.status === 'Test' ? 'TEST' : null;
}
