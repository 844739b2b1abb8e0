import type { Position } from '../kernel/geo.js';

/** What a signal means, whatever protocol carried it. */
export const SIGNAL_KINDS = [
  'fire',
  'burglary',
  'panic',
  'hold-up',
  'duress',
  'medical',
  'tamper',
  'technical',
  'gas',
  'water',
  'heat',
  'trouble',
  'test',
  'open',
  'close',
  'bypass',
  'supervisory',
  'access',
  'path-fault',
  'schedule',
  'crowd',
  'other',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** alarm: a new condition; restore: it ended; status: information (open/close, test, bypass…). */
export type SignalPhase = 'alarm' | 'restore' | 'status';

export interface Signal {
  signalId: string;
  account: string | null;
  protocol: 'sia-dcs' | 'contact-id' | 'mqtt' | 'http' | 'supervision' | 'crowd';
  code: string;
  kind: SignalKind;
  phase: SignalPhase;
  description: string;
  zone: string | null;
  user: string | null;
  area: string | null;
  /** When it happened by the sender's clock (UTC), if it said. */
  occurredAt: string | null;
  receivedAt: string;
  text: string | null;
  position: Position | null;
  siteId: string | null;
  deviceId: string | null;
  /** 'unknown-code', 'unknown-account', and the transmission quirks of the frame. */
  flags: string[];
  /** A sensor's measured value (MQTT `value`/`unit`), for early-warning rules. */
  reading?: { value: number; unit: string | null };
  /**
   * The DC-09 receiver journal's record this signal came from (receiver thread mode): the
   * log's highest is how far the journal was applied, so a restart applies the rest once.
   */
  journal?: number;
}

/** Priority by kind: life first (EN 50518 practice: fire and hold-up before intrusion). */
export const KIND_PRIORITY: Record<SignalKind, number> = {
  fire: 1,
  'hold-up': 1,
  duress: 1,
  panic: 1,
  medical: 2,
  gas: 2,
  heat: 2,
  burglary: 3,
  tamper: 4,
  water: 4,
  'path-fault': 4,
  schedule: 6,
  technical: 5,
  trouble: 5,
  supervisory: 5,
  access: 6,
  bypass: 7,
  crowd: 2,
  open: 8,
  close: 8,
  test: 9,
  other: 6,
};

export const RESOLUTIONS = ['genuine', 'false-user-error', 'false-device-fault', 'false-environment', 'test', 'duplicate'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export type AlarmStatus = 'new' | 'claimed' | 'acknowledged' | 'closed';

export interface Alarm {
  alarmId: string;
  account: string | null;
  /** What a burst is correlated by: the panel account, or the sensor device. */
  correlationKey: string | null;
  siteId: string | null;
  orgId: string | null;
  kind: SignalKind;
  priority: number;
  status: AlarmStatus;
  title: string;
  raisedAt: string;
  signalIds: string[];
  /** The condition restored (detector back to normal) — the alarm still needs handling. */
  restored: boolean;
  /**
   * Intrusion confirmation (EN 50131-9 / DD 243 practice): 'confirmed' when a second,
   * different zone of the premise goes into alarm within the confirmation window;
   * 'two-trip' when the same zone trips again within it.
   */
  confirmation?: 'confirmed' | 'two-trip' | null;
  claimedBy: string | null;
  acknowledgedAt: string | null;
  closedAt: string | null;
  resolution: Resolution | null;
  note: string | null;
}

/** Kinds whose alarm is held this long, so that a restore arriving meanwhile avoids a needless alarm. */
export const RESTORE_DELAY_SECONDS: Partial<Record<SignalKind, number>> = { trouble: 120, technical: 120, supervisory: 60 };

/** Window for intrusion confirmation and two-trip. */
export const CONFIRMATION_WINDOW_SECONDS = 30 * 60;

/** EN 50136-1 categories as supervision presets: the maximum reporting time of a path fault. */
export const SUPERVISION_PRESETS: Record<string, number> = {
  SP1: 32 * 24 * 3600,
  SP2: 25 * 3600,
  SP3: 30 * 60,
  SP4: 3 * 60,
  SP5: 90,
  SP6: 20,
  DP1: 25 * 3600,
  DP2: 30 * 60,
  DP3: 3 * 60,
  DP4: 90,
};

export interface AccountConfig {
  account: string;
  /** AES key as given (hex or ASCII); never leaves the server. */
  key: string | null;
  keyFormat: 'hex' | 'ascii' | 'auto';
  clockOffsetMinutes: number;
  /**
   * Accounts whose events this account's encrypted frames may name in their data block (a
   * dialler or communicator in front of panels; '*' any): such frames are ACKed, not refused as
   * substitution attempts. The signals stay this account's, flagged with the data block's account.
   */
  relayFor?: string[];
  /** Seconds between expected transmissions; null = not supervised. */
  supervisionSeconds: number | null;
  preset: string | null;
  /** Opening hours by weekday (0 Sunday … 6 Saturday) in the city's time zone; late to open/close raises an alarm. */
  schedule: AccountSchedule | null;
  /** Organisation the account was configured for (the event's orgId); its device's organisation wins when there is one. */
  orgId?: string | null;
}

export interface AccountSchedule {
  days: ({ open: string; close: string } | null)[];
  graceMinutes: number;
}

export const STEP_KINDS = ['call', 'view-cameras', 'notify', 'dispatch', 'check'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** A predefined response: ordered steps for alarms of given kinds at given sites (or all of the organisation's). */
export interface ActionPlan {
  planId: string;
  orgId: string;
  name: string;
  kinds: SignalKind[];
  /** Empty: every site of the organisation. */
  siteIds: string[];
  steps: PlanStep[];
}

export interface PlanStep {
  stepId: string;
  kind: StepKind;
  text: string;
  mandatory: boolean;
  /** Seconds after the alarm by which the step is due; the console marks it overdue after. */
  timerSeconds: number | null;
  /** Automatic notification: Vigil POSTs the alarm to this URL when the alarm is raised and records the step. */
  notifyUrl?: string | null;
}

/** Whom to call for a site, in order. Kept per organisation: each centre has its own list. */
export interface Keyholder {
  name: string;
  phone: string;
  note: string | null;
}

export interface StepRecord {
  stepId: string;
  by: string;
  at: string;
  outcome: string;
}
