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
  url: string;
  events: WebhookEvent[];
  /** Exercise, Test and System messages too; otherwise Actual only. */
  includeExercise: boolean;
  format: WebhookFormat;
  /** The shared secret, sealed under the installation key; never returned by the API. */
  secretSealed: string;
  createdBy: string;
  createdAt: string;
}

export interface WebhookEvents {
  'alerts.webhook.registered': { webhook: WebhookEndpoint };
  'alerts.webhook.removed': { webhookId: string };
}

export class WebhooksState implements Projection {
  readonly name = 'alert-webhooks';
  readonly typePrefixes = ['alerts.webhook.'];
  readonly endpoints = new Map<string, WebhookEndpoint>();

  apply(e: StoredEvent): void {
    if (e.type === 'alerts.webhook.registered') {
      const d = e.data as WebhookEvents['alerts.webhook.registered'];
      this.endpoints.set(d.webhook.webhookId, d.webhook);
    } else if (e.type === 'alerts.webhook.removed') {
      this.endpoints.delete((e.data as WebhookEvents['alerts.webhook.removed']).webhookId);
    }
  }

  ofOrg(orgId: string): WebhookEndpoint[] {
    return [...this.endpoints.values()].filter((w) => w.orgId === orgId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}
