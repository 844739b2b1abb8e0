/** The public face of webhook subscriptions: what can be subscribed to, and what the API shows. */
import type { Role } from '../platform/access.js';

/**
 * What a subscription may choose, by capability: the event types that leave Vigil by
 * webhook. Each is sent only as the capability's live view shows it to the subscription's
 * principal (its organisation, its roles, the shares it holds): the same answer as the live feed.
 */
export const WEBHOOK_TOPICS = {
  alarms: [
    'alarms.alarm.raised',
    'alarms.alarm.claimed',
    'alarms.alarm.acknowledged',
    'alarms.alarm.escalated',
    'alarms.alarm.restored',
    'alarms.alarm.closed',
  ],
  incidents: [
    'incidents.incident.opened',
    'incidents.incident.updated',
    'incidents.casualties.recorded',
    'incidents.incident.status-changed',
    'incidents.incident.taken',
    'incidents.message.posted',
    'incidents.unit.dispatched',
    'incidents.unit.released',
  ],
  units: ['units.unit.registered', 'units.unit.status-changed'],
  crowd: ['crowd.level.changed'],
  'major-events': ['majorevents.message.posted'],
  cockpit: ['cockpit.agreement.defined'],
  'citizen-reports': [
    'citizen-reports.report.submitted',
    'citizen-reports.report.acknowledged',
    'citizen-reports.report.escalated',
    'citizen-reports.report.merged',
    'citizen-reports.report.resolved',
    'citizen-reports.work-order.issued',
    'citizen-reports.work-order.started',
    'citizen-reports.work-order.completed',
    'citizen-reports.work-order.cancelled',
  ],
  csirt: ['csirt.case.opened', 'csirt.case.updated', 'csirt.case.commented', 'csirt.case.closed', 'csirt.case.reopened'],
  alerts: ['alerts.alert.issued'],
} as const satisfies Record<string, readonly string[]>;

export type WebhookTopic = keyof typeof WEBHOOK_TOPICS;
export const WEBHOOK_EVENT_TYPES: readonly string[] = Object.values(WEBHOOK_TOPICS).flat();

/** A subscription as the API shows it (never its secret). */
export interface WebhookSubscriptionView {
  subscriptionId: string;
  orgId: string;
  name: string;
  description: string;
  url: string;
  eventTypes: string[];
  /** Paused: nothing is queued or sent until resumed (events of the pause are never sent). */
  paused: boolean;
  /** After a rotation, until when deliveries carry a second signature with the previous secret. */
  previousSecretUntil: string | null;
  /** The roles it is sent as: what it receives is what a user of its organisation with these roles sees live. */
  roles: Role[];
  createdBy: string;
  createdAt: string;
  /** Deliveries not yet settled (being sent or waiting for a retry), on the node sending them. */
  pending: number;
  delivered: number;
  failed: number;
}

/** Settled (delivered, failed: given up) or not yet, on the node sending it (pending: an attempt under way; retrying: waiting). */
export type WebhookOutcome = 'delivered' | 'failed' | 'pending' | 'retrying';

/** One line of a subscription's delivery log. */
export interface WebhookDeliveryView {
  deliveryId: string;
  /** The event's sequence number in the log (0 for a test). */
  seq: number;
  eventType: string;
  outcome: WebhookOutcome;
  attempts: number;
  /** The receiver's HTTP status of the last attempt, when it answered. */
  status: number | null;
  error: string | null;
  at: string;
  test: boolean;
  /** Sent again by an administrator. */
  resend?: boolean;
  /** When the next attempt is due (retrying only). */
  nextAttemptAt?: string;
}
