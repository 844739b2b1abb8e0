import type { StoredEvent } from '../../../platform/event-log.js';
import type { Projection } from '../../../platform/projection.js';

export const WEBHOOK_EVENTS = ['issued', 'updated', 'cancelled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const WEBHOOK_FORMATS = ['cap-xml', 'json'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** An organisation's endpoint that gets its alerts as they go out. */
export interface WebhookEndpoint {
  webhookId: string;
  orgId: string;
  name: string;
  /** What it is for, in the officer's words. */
  description?: string;
  url: string;
  events: WebhookEvent[];
  /** Exercise, Test and System messages too; otherwise Actual only. */
  includeExercise: boolean;
  format: WebhookFormat;
  /** The shared secret, sealed under the installation key; never returned by the API. */
  secretSealed: string;
  /** After a rotation: the previous secret, also signing deliveries until `previousSecretUntil`. */
  previousSecretSealed?: string;
  previousSecretUntil?: string;
  /** Paused: alerts issued while paused are not sent to it, then or later. */
  paused?: boolean;
  createdBy: string;
  createdAt: string;
}

/** What an edit may change. */
export type WebhookChanges = Partial<Pick<WebhookEndpoint, 'name' | 'description' | 'url' | 'events' | 'includeExercise' | 'format'>>;

/** One POST to an endpoint, settled: delivered (2xx) or failed after its retries. */
export interface WebhookDelivery {
  webhookId: string;
  /** The same for every attempt of one alert to one endpoint (and for a resend of it). */
  deliveryId: string;
  /** The alert sent (null for a test). */
  alertId: string | null;
  /** `alert.issued`, `alert.updated`, `alert.cancelled` or `webhook.test`. */
  event: string;
  outcome: 'delivered' | 'failed';
  attempts: number;
  status: number | null;
  error: string | null;
  test: boolean;
  resend: boolean;
}

/**
 * A line of an endpoint's delivery log, as the API shows it: settled (delivered, or failed:
 * given up after its retries) or still in flight on the node sending it (`pending`: an
 * attempt under way; `retrying`: waiting until `nextAttemptAt`).
 */
export interface WebhookDeliveryLine extends Omit<WebhookDelivery, 'webhookId' | 'outcome'> {
  outcome: WebhookDelivery['outcome'] | 'pending' | 'retrying';
  at: string;
  /** When the next attempt is due (retrying only). */
  nextAttemptAt?: string;
}

export interface WebhookEvents {
  'alerts.webhook.registered': { webhook: WebhookEndpoint };
  'alerts.webhook.removed': { webhookId: string };
  'alerts.webhook.updated': { webhookId: string; changes: WebhookChanges };
  'alerts.webhook.paused': { webhookId: string };
  'alerts.webhook.resumed': { webhookId: string };
  'alerts.webhook.secret-rotated': { webhookId: string; secretSealed: string; previousSecretSealed: string; previousSecretUntil: string };
  'alerts.webhook.delivered': WebhookDelivery;
}

/** Lines kept per endpoint, newest first. */
export const DELIVERY_LOG_LINES = 200;

interface Log {
  lines: WebhookDeliveryLine[];
  delivered: number;
  failed: number;
}

export class WebhooksState implements Projection {
  readonly name = 'alert-webhooks';
  readonly typePrefixes = ['alerts.webhook.'];
  readonly endpoints = new Map<string, WebhookEndpoint>();
  readonly logs = new Map<string, Log>();

  apply(e: StoredEvent): void {
    switch (e.type) {
      case 'alerts.webhook.registered': {
        const d = e.data as WebhookEvents['alerts.webhook.registered'];
        this.endpoints.set(d.webhook.webhookId, d.webhook);
        this.logs.set(d.webhook.webhookId, { lines: [], delivered: 0, failed: 0 });
        break;
      }
      case 'alerts.webhook.removed': {
        const { webhookId } = e.data as WebhookEvents['alerts.webhook.removed'];
        this.endpoints.delete(webhookId);
        this.logs.delete(webhookId);
        break;
      }
      case 'alerts.webhook.updated': {
        const d = e.data as WebhookEvents['alerts.webhook.updated'];
        this.change(d.webhookId, d.changes);
        break;
      }
      case 'alerts.webhook.paused':
        this.change((e.data as WebhookEvents['alerts.webhook.paused']).webhookId, { paused: true });
        break;
      case 'alerts.webhook.resumed':
        this.change((e.data as WebhookEvents['alerts.webhook.resumed']).webhookId, { paused: false });
        break;
      case 'alerts.webhook.secret-rotated': {
        const { webhookId, ...secrets } = e.data as WebhookEvents['alerts.webhook.secret-rotated'];
        this.change(webhookId, secrets);
        break;
      }
      case 'alerts.webhook.delivered': {
        const { webhookId, ...line } = e.data as WebhookEvents['alerts.webhook.delivered'];
        const log = this.logs.get(webhookId);
        if (!log) break;
        if (line.outcome === 'delivered') log.delivered++;
        else log.failed++;
        log.lines.unshift({ ...line, at: e.at });
        if (log.lines.length > DELIVERY_LOG_LINES) log.lines.length = DELIVERY_LOG_LINES;
        break;
      }
    }
  }

  private change(webhookId: string, changes: Partial<WebhookEndpoint>): void {
    const w = this.endpoints.get(webhookId);
    if (w) this.endpoints.set(webhookId, { ...w, ...changes });
  }

  ofOrg(orgId: string): WebhookEndpoint[] {
    return [...this.endpoints.values()].filter((w) => w.orgId === orgId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}
