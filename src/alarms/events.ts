import type { NewEvent } from '../platform/event-log.js';
import type { AccountConfig, ActionPlan, Alarm, Keyholder, Resolution, Signal, SignalKind } from './model.js';

/** Event payloads of the alarms capability (type → data). */
export interface AlarmEvents {
  /** `keySecret` is redacted from every API response and the live feed. */
  'alarms.account.configured': Omit<AccountConfig, 'key'> & { keySecret: string | null };
  /**
   * A signal, with what the alarm rules decided of it (`decision`, absent when they decide
   * nothing): one event per signal. Logs written before this carry the decision as a separate
   * event right after (`alarms.alarm.raised`, `…correlated`, `…restored`, `alarms.signal.held`,
   * `alarms.hold.released`), which the read models take the same way (frameDecisionEvent).
   */
  'alarms.signal.received': { decision?: SignalDecision; signal: Signal };
  'alarms.path.failed': { account: string; deadline: string; lateMs: number };
  'alarms.path.restored': { account: string; downMs: number };
  /**
   * The node's DC-09 receiver thread died (a technical fault of the receiving centre itself):
   * no DC-09 frame is received until it is started again, within seconds.
   */
  'alarms.receiver.failed': { node: string; reason: string };
  /** The DC-09 receiver thread is receiving again after `downMs`. */
  'alarms.receiver.restored': { node: string; downMs: number };
  /**
   * A DC-09 frame refused as a substitution attempt (EN 50136): plaintext for an account
   * with a key, or a data block naming another account. At most one per account a minute
   * is recorded (each is counted in vigil_dc09_frames_total).
   */
  'alarms.substitution.attempted': { account: string; problem: 'plaintext' | 'account-mismatch'; remote: string; message: string };
  'alarms.alarm.raised': { alarm: Alarm };
  /** A signal joins an open alarm; a more urgent one (lower priority number) also changes its kind and title. */
  'alarms.alarm.correlated': {
    alarmId: string;
    signalId: string;
    priority: number;
    kind?: SignalKind;
    title?: string;
    confirmation?: 'confirmed' | 'two-trip';
  };
  /** A signal whose kind has a restore delay waits for its restore before it may raise an alarm. */
  'alarms.signal.held': { signalId: string; until: string; correlationKey: string };
  /** Its restore came in time: no alarm. */
  'alarms.hold.released': { signalId: string; restoreSignalId: string };
  'alarms.alarm.restored': { alarmId: string; signalId: string };
  'alarms.alarm.claimed': { alarmId: string; by: string };
  'alarms.alarm.acknowledged': { alarmId: string; by: string };
  'alarms.plan.defined': { plan: ActionPlan };
  'alarms.plan.removed': { planId: string };
  'alarms.keyholders.set': { siteId: string; keyholders: Keyholder[] };
  /** An automatic notification that every attempt failed to deliver; the step stays open for the operator. */
  'alarms.notification.failed': { alarmId: string; stepId: string; url: string; attempts: number; error: string };
  'alarms.step.done': { alarmId: string; stepId: string; outcome: string };
  'alarms.alarm.escalated': { alarmId: string; unclaimedSeconds: number };
  'alarms.alarm.closed': { alarmId: string; by: string; resolution: Resolution; note: string | null };
}

export type AlarmEventType = keyof AlarmEvents;

/**
 * What the rules decided of one signal, carried in its `alarms.signal.received` event. What the
 * signal itself says is not repeated: a raised alarm's account, site, kind, first signal, time
 * (`receivedAt`) and correlation key are the signal's; its organisation is the event's. Keys in
 * sorted order (the log's canonical JSON then has nothing to sort).
 */
export type SignalDecision =
  /** A new alarm (as `alarms.alarm.raised`). */
  | { alarmId: string; priority: number; rule: 'raised'; title: string }
  /** Joins an open alarm (as `alarms.alarm.correlated`; `kind`/`title` when more urgent). */
  | {
      alarmId: string;
      confirmation?: 'confirmed' | 'two-trip';
      kind?: SignalKind;
      priority: number;
      rule: 'correlated';
      title?: string;
    }
  /** Restores the open alarm of its kind (as `alarms.alarm.restored`). */
  | { alarmId: string; rule: 'restored' }
  /** Held for its restore until `until` (as `alarms.signal.held`). */
  | { rule: 'held'; until: string }
  /** Releases the held signal `signalId` (as `alarms.hold.released`). */
  | { rule: 'released'; signalId: string };

/** An alarms event, typed by its payload. */
export function alarmEvent<K extends keyof AlarmEvents>(
  type: K,
  subject: string,
  orgId: string | null,
  actor: string,
  data: AlarmEvents[K],
  reason?: string,
): NewEvent {
  return { type, subject, orgId, actor, data, reason: reason ?? null };
}
