import type { Role } from '../platform/access.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { WebhookDeliveryView } from './contract.js';

/** An organisation's webhook subscription, as the log holds it. */
export interface WebhookSubscription {
  subscriptionId: string;
  orgId: string;
  name: string;
  url: string;
  eventTypes: string[];
  roles: Role[];
  /** The shared secret, sealed under the installation key; never returned by the API. */
  secretSealed: string;
  /** Events up to this sequence number are not for it (it did not exist yet). */
  fromSeq: number;
  createdBy: string;
  createdAt: string;
}

export interface SettledDelivery {
  subscriptionId: string;
  deliveryId: string;
  seq: number;
  eventType: string;
  outcome: 'delivered' | 'failed';
  attempts: number;
  status: number | null;
  error: string | null;
  test: boolean;
  /** Every event of the log up to here is settled for this subscription (the outbox's low-water mark). */
  cursor: number;
}

export interface WebhooksEvents {
  'webhooks.subscription.created': { subscription: WebhookSubscription };
  'webhooks.subscription.removed': { subscriptionId: string };
  'webhooks.delivery.settled': SettledDelivery;
  /** Nothing is waiting for this subscription up to `cursor` (written when it has been idle across many events). */
  'webhooks.subscription.caught-up': { subscriptionId: string; cursor: number };
}

const LOG_LINES = 200;

interface Progress {
  cursor: number;
  /** Settled sequence numbers above the cursor (delivered or failed): never sent again. */
  settled: Set<number>;
  log: WebhookDeliveryView[];
  delivered: number;
  failed: number;
}

/**
 * Subscriptions and the outbox's durable half: per subscription the low-water mark and the
 * deliveries settled above it. What is not settled is found again in the log after a restart.
 */
export class WebhooksState implements Projection {
  readonly name = 'webhooks';
  readonly typePrefixes = ['webhooks.'];
  readonly subscriptions = new Map<string, WebhookSubscription>();
  readonly progress = new Map<string, Progress>();

  apply(e: StoredEvent): void {
    switch (e.type) {
      case 'webhooks.subscription.created': {
        const { subscription } = e.data as WebhooksEvents['webhooks.subscription.created'];
        this.subscriptions.set(subscription.subscriptionId, subscription);
        this.progress.set(subscription.subscriptionId, { cursor: subscription.fromSeq, settled: new Set(), log: [], delivered: 0, failed: 0 });
        break;
      }
      case 'webhooks.subscription.removed': {
        const { subscriptionId } = e.data as WebhooksEvents['webhooks.subscription.removed'];
        this.subscriptions.delete(subscriptionId);
        this.progress.delete(subscriptionId);
        break;
      }
      case 'webhooks.subscription.caught-up': {
        const d = e.data as WebhooksEvents['webhooks.subscription.caught-up'];
        const p = this.progress.get(d.subscriptionId);
        if (p) this.advance(p, d.cursor);
        break;
      }
      case 'webhooks.delivery.settled': {
        const d = e.data as SettledDelivery;
        const p = this.progress.get(d.subscriptionId);
        if (!p) break;
        if (!d.test && d.seq > p.cursor) p.settled.add(d.seq);
        this.advance(p, d.cursor);
        if (d.outcome === 'delivered') p.delivered++;
        else p.failed++;
        p.log.unshift({
          deliveryId: d.deliveryId,
          seq: d.seq,
          eventType: d.eventType,
          outcome: d.outcome,
          attempts: d.attempts,
          status: d.status,
          error: d.error,
          at: e.at,
          test: d.test,
        });
        if (p.log.length > LOG_LINES) p.log.length = LOG_LINES;
        break;
      }
    }
  }

  private advance(p: Progress, cursor: number): void {
    if (cursor <= p.cursor) return;
    p.cursor = cursor;
    for (const seq of p.settled) if (seq <= cursor) p.settled.delete(seq);
  }

  isSettled(subscriptionId: string, seq: number): boolean {
    const p = this.progress.get(subscriptionId);
    return !p || seq <= p.cursor || p.settled.has(seq);
  }

  ofOrg(orgId: string): WebhookSubscription[] {
    return [...this.subscriptions.values()].filter((s) => s.orgId === orgId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}
