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
  /** What it is for, in the administrator's words. */
  description?: string;
  /** The shared secret, sealed under the installation key; never returned by the API. */
  secretSealed: string;
  /** After a rotation: the previous secret, also signing deliveries until `previousSecretUntil`. */
  previousSecretSealed?: string;
  previousSecretUntil?: string;
  /** Paused: nothing is queued or sent; events while paused are never sent (resuming starts from then). */
  paused?: boolean;
  /** Events up to this sequence number are not for it (it did not exist yet, or it was paused then). */
  fromSeq: number;
  createdBy: string;
  createdAt: string;
}

/** What an edit may change. */
export type SubscriptionChanges = Partial<Pick<WebhookSubscription, 'name' | 'description' | 'url' | 'eventTypes' | 'roles'>>;

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
  /** Sent again by an administrator (one attempt, the same delivery id). */
  resend?: boolean;
  /** Every event of the log up to here is settled for this subscription (the outbox's low-water mark). */
  cursor: number;
}

export interface WebhooksEvents {
  'webhooks.subscription.created': { subscription: WebhookSubscription };
  'webhooks.subscription.removed': { subscriptionId: string };
  'webhooks.subscription.updated': { subscriptionId: string; changes: SubscriptionChanges };
  'webhooks.subscription.paused': { subscriptionId: string };
  /** Resumed: events up to `fromSeq` (those of the pause) are not sent. */
  'webhooks.subscription.resumed': { subscriptionId: string; fromSeq: number };
  'webhooks.subscription.secret-rotated': { subscriptionId: string; secretSealed: string; previousSecretSealed: string; previousSecretUntil: string };
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
      case 'webhooks.subscription.updated': {
        const d = e.data as WebhooksEvents['webhooks.subscription.updated'];
        const s = this.subscriptions.get(d.subscriptionId);
        if (s) this.subscriptions.set(s.subscriptionId, { ...s, ...d.changes });
        break;
      }
      case 'webhooks.subscription.paused': {
        const d = e.data as WebhooksEvents['webhooks.subscription.paused'];
        const s = this.subscriptions.get(d.subscriptionId);
        if (s) this.subscriptions.set(s.subscriptionId, { ...s, paused: true });
        break;
      }
      case 'webhooks.subscription.resumed': {
        const d = e.data as WebhooksEvents['webhooks.subscription.resumed'];
        const s = this.subscriptions.get(d.subscriptionId);
        if (!s) break;
        this.subscriptions.set(s.subscriptionId, { ...s, paused: false, fromSeq: Math.max(s.fromSeq, d.fromSeq) });
        const p = this.progress.get(d.subscriptionId);
        if (p) this.advance(p, d.fromSeq);
        break;
      }
      case 'webhooks.subscription.secret-rotated': {
        const d = e.data as WebhooksEvents['webhooks.subscription.secret-rotated'];
        const s = this.subscriptions.get(d.subscriptionId);
        if (s)
          this.subscriptions.set(s.subscriptionId, {
            ...s,
            secretSealed: d.secretSealed,
            previousSecretSealed: d.previousSecretSealed,
            previousSecretUntil: d.previousSecretUntil,
          });
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
        if (!d.test && !d.resend && d.seq > p.cursor) p.settled.add(d.seq);
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
          ...(d.resend ? { resend: true } : {}),
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
