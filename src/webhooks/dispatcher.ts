import { createHash } from 'node:crypto';
import { postOnce } from '../adapters/http/outbound-http.js';
import { frameDecisionEvent } from '../alarms/contract.js';
import { signedWebhookHeaders, signingSecrets, WEBHOOK_MAX_RETRY_AFTER_MS } from '../adapters/http/webhook-signature.js';
import { redactData, type Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { LiveViews } from '../platform/live-view.js';
import type { WebhookDeliveryView } from './contract.js';
import type { SettledDelivery, WebhookSubscription, WebhooksEvents, WebhooksState } from './webhooks-state.js';

/** What the dispatcher needs from outside: the live views and a subscription's principal now. */
export interface DispatcherDeps {
  views: () => LiveViews;
  principalOf: (s: WebhookSubscription) => Principal | null;
}

interface Pending {
  event: StoredEvent;
  attempts: number;
  nextAt: number;
  inFlight: boolean;
  status: number | null;
  error: string | null;
}

interface Queue {
  /** Every event of the log up to here has been looked at for this subscription. */
  scanned: number;
  pending: Map<number, Pending>;
}

const PAGE = 500;
/** Held in memory per subscription at most; beyond, the log (the outbox) is read again as they settle. */
const MAX_PENDING = 1_000;
const CONCURRENCY = 4;
/** Idle across this many events: the low-water mark is written, so a restart does not re-read them. */
const CAUGHT_UP_EVERY = 1_000;
const TICK_MS = 500;

/** The same event to the same subscription always has the same delivery id: a receiver drops a retried duplicate. */
export function deliveryIdOf(subscriptionId: string, seq: number): string {
  return `whd_${createHash('sha256').update(`${subscriptionId}\n${seq}`).digest('base64url').slice(0, 22)}`;
}

/**
 * The event as a topic names it: an alarm raised, correlated or restored by a signal is written in
 * the signal's event (alarms' one event per signal) and sent as the `alarms.alarm.*` event it stands for.
 */
export function topicEvent(e: StoredEvent): StoredEvent {
  return frameDecisionEvent(e) ?? e;
}

/** What to read of the log for these topics: the signal events too when a topic is a decision they carry. */
function readTypes(eventTypes: readonly string[]): string[] {
  return eventTypes.some((t) => SIGNAL_DECISION_TYPES.has(t)) ? [...eventTypes, 'alarms.signal.received'] : [...eventTypes];
}
const SIGNAL_DECISION_TYPES = new Set([
  'alarms.alarm.raised',
  'alarms.alarm.correlated',
  'alarms.alarm.restored',
  'alarms.signal.held',
  'alarms.hold.released',
]);

/** What a receiver gets: the event as the subscription's principal sees it on the live feed. */
export function webhookBody(s: WebhookSubscription, e: StoredEvent, deliveryId: string): string {
  return JSON.stringify({
    deliveryId,
    subscriptionId: s.subscriptionId,
    event: e.type,
    seq: e.seq,
    at: e.at,
    subject: e.subject,
    orgId: e.orgId,
    data: redactData(e.data),
  });
}

/** Headers of one attempt, signed with the time it is sent (receivers refuse old replays); one `v1` per secret during a rotation's grace. */
export function webhookHeaders(secret: string | readonly string[], event: string, deliveryId: string, body: string, nowMs: number): Record<string, string> {
  return signedWebhookHeaders(secret, 'application/json', event, deliveryId, body, nowMs);
}

/**
 * Sends every subscription what it chose, on the leader. The event log is the outbox: each
 * subscription reads it from its low-water mark, keeps what its principal may see, and POSTs
 * each event (signed, the SSRF guard at connect time) until it is delivered or its retries
 * run out; either way `webhooks.delivery.settled` is recorded with the new low-water mark.
 * After a restart or on a new leader, what was not settled is read from the log again and
 * sent (at least once; the delivery id lets receivers drop a repeat).
 */
export class WebhookDispatcher {
  private readonly queues = new Map<string, Queue>();
  private abort = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly ctx: AppContext,
    private readonly state: WebhooksState,
    private readonly deps: DispatcherDeps,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // A new one each time this node leads: the last stop aborted the previous.
    this.abort = new AbortController();
    this.unsubscribe = this.ctx.projections.onApplied((events) => {
      const types = new Set(events.map((e) => topicEvent(e).type));
      for (const s of this.state.subscriptions.values()) if (s.eventTypes.some((t) => types.has(t))) return this.nudge();
      if (events.some((e) => e.type.startsWith('webhooks.subscription.'))) this.nudge();
    });
    this.timer = setInterval(() => this.nudge(), TICK_MS);
    this.timer.unref();
    this.nudge();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.pumping;
    await Promise.allSettled([...this.inFlight]);
    this.queues.clear();
  }

  /** Deliveries waiting for a retry or being sent, on this node (empty on a node that does not lead). */
  unsettled(subscriptionId: string): WebhookDeliveryView[] {
    const q = this.queues.get(subscriptionId);
    if (!q) return [];
    // Queued but never tried is not listed (the log behind is the outbox); an attempt under way is
    // `pending` (its number), a failed one waiting for the next is `retrying`.
    return [...q.pending.values()]
      .filter((p) => p.attempts > 0 || p.inFlight)
      .map((p) => ({
        deliveryId: deliveryIdOf(subscriptionId, p.event.seq),
        seq: p.event.seq,
        eventType: p.event.type,
        outcome: p.inFlight ? ('pending' as const) : ('retrying' as const),
        attempts: p.inFlight ? p.attempts + 1 : p.attempts,
        status: p.status,
        error: p.error,
        at: new Date(this.ctx.clock.now()).toISOString(),
        test: false,
        ...(p.inFlight ? {} : { nextAttemptAt: new Date(p.nextAt).toISOString() }),
      }));
  }

  pendingCount(subscriptionId: string): number {
    return this.queues.get(subscriptionId)?.pending.size ?? 0;
  }

  private nudge(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = (async () => {
      try {
        do {
          this.again = false;
          await this.pump();
        } while (this.again && !this.stopped);
      } catch (error) {
        this.ctx.logger.warn({ err: error }, 'webhook dispatcher');
      } finally {
        this.pumping = null;
      }
    })();
  }

  private async pump(): Promise<void> {
    for (const id of this.queues.keys()) if (!this.state.subscriptions.has(id)) this.queues.delete(id);
    for (const s of this.state.subscriptions.values()) {
      if (this.stopped) return;
      if (s.paused) {
        // Paused: nothing queued. What is in flight settles; resuming starts after the pause (fromSeq).
        this.queues.delete(s.subscriptionId);
        continue;
      }
      const q = this.queueOf(s);
      for (const [seq, p] of q.pending) if (seq <= s.fromSeq && !p.inFlight) q.pending.delete(seq);
      await this.scan(s, q);
      this.sendDue(s, q);
      await this.markCaughtUp(s, q);
    }
  }

  private queueOf(s: WebhookSubscription): Queue {
    let q = this.queues.get(s.subscriptionId);
    if (!q) {
      const cursor = this.state.progress.get(s.subscriptionId)?.cursor ?? s.fromSeq;
      this.queues.set(s.subscriptionId, (q = { scanned: cursor, pending: new Map() }));
    }
    return q;
  }

  /** Reads the log after what was looked at: the events it chose, not settled, that its principal may see now. */
  private async scan(s: WebhookSubscription, q: Queue): Promise<void> {
    const principal = this.deps.principalOf(s);
    if (!principal) return;
    const views = this.deps.views();
    for (;;) {
      if (q.pending.size >= MAX_PENDING) return;
      // Only what the projections have applied: a live view reads their state (an incident opened a moment ago).
      const head = this.ctx.projections.appliedSeq;
      if (head <= q.scanned) return;
      const events = await this.ctx.log.read({ afterSeq: q.scanned, limit: PAGE, typePrefixes: readTypes(s.eventTypes) });
      let reachedHead = events.length < PAGE;
      for (const stored of events) {
        const e = topicEvent(stored);
        if (e.seq > head) {
          reachedHead = true;
          break;
        }
        if (q.pending.size >= MAX_PENDING) return;
        q.scanned = e.seq;
        if (!s.eventTypes.includes(e.type) || e.seq <= s.fromSeq || this.state.isSettled(s.subscriptionId, e.seq) || q.pending.has(e.seq)) continue;
        if (views.project(principal, e) === null) continue;
        q.pending.set(e.seq, { event: e, attempts: 0, nextAt: 0, inFlight: false, status: null, error: null });
      }
      if (reachedHead) {
        q.scanned = Math.max(q.scanned, head);
        return;
      }
    }
  }

  private sendDue(s: WebhookSubscription, q: Queue): void {
    const now = this.ctx.clock.now();
    let running = [...q.pending.values()].filter((p) => p.inFlight).length;
    for (const p of [...q.pending.values()].sort((a, b) => a.event.seq - b.event.seq)) {
      if (running >= CONCURRENCY || this.stopped) return;
      if (p.inFlight || p.nextAt > now) continue;
      p.inFlight = true;
      running++;
      const job = this.attempt(s, q, p).finally(() => {
        this.inFlight.delete(job);
        p.inFlight = false;
        this.nudge();
      });
      this.inFlight.add(job);
    }
  }

  private async attempt(s: WebhookSubscription, q: Queue, p: Pending): Promise<void> {
    const e = p.event;
    const deliveryId = deliveryIdOf(s.subscriptionId, e.seq);
    const principal = this.deps.principalOf(s);
    const shown = principal ? this.deps.views().project(principal, e) : null;
    if (!shown) {
      // A share revoked, a role gone since it was queued: the policy answers at sending time.
      return this.settle(s, q, e, { outcome: 'failed', attempts: p.attempts, status: null, error: 'withheld: no longer visible to this subscription' });
    }
    const secrets = signingSecrets((x) => this.ctx.secrets.open(x), s, this.ctx.clock.now());
    if (secrets === null)
      return this.settle(s, q, e, { outcome: 'failed', attempts: p.attempts, status: null, error: 'its secret was sealed under another installation key' });
    const body = webhookBody(s, shown, deliveryId);
    const result = await postOnce(s.url, body, webhookHeaders(secrets, e.type, deliveryId, body, this.ctx.clock.now()), {
      timeoutMs: 10_000,
      maxBytes: 64 * 1024,
      signal: this.abort.signal,
      publicOnly: !this.ctx.config.webhookAllowPrivate,
    });
    if (this.stopped) return; // not settled: sent again by whoever leads next
    p.attempts++;
    if (result.ok) return this.settle(s, q, e, { outcome: 'delivered', attempts: p.attempts, status: result.value.status, error: null });
    p.status = result.status ?? null;
    p.error = result.error.slice(0, 300);
    const waits = this.ctx.config.webhookRetryMs;
    if (!result.retry || p.attempts > waits.length) return this.settle(s, q, e, { outcome: 'failed', attempts: p.attempts, status: p.status, error: p.error });
    p.nextAt = this.ctx.clock.now() + Math.max(waits[p.attempts - 1]!, Math.min(result.retryAfterMs ?? 0, WEBHOOK_MAX_RETRY_AFTER_MS));
  }

  private async settle(
    s: WebhookSubscription,
    q: Queue,
    e: StoredEvent,
    how: Pick<SettledDelivery, 'outcome' | 'attempts' | 'status' | 'error'>,
  ): Promise<void> {
    let low = q.scanned;
    for (const seq of q.pending.keys()) if (seq !== e.seq && seq - 1 < low) low = seq - 1;
    const settled: SettledDelivery = {
      subscriptionId: s.subscriptionId,
      deliveryId: deliveryIdOf(s.subscriptionId, e.seq),
      seq: e.seq,
      eventType: e.type,
      ...how,
      test: false,
      cursor: low,
    };
    try {
      await this.ctx.record([
        {
          type: 'webhooks.delivery.settled',
          subject: `webhook:${s.subscriptionId}`,
          orgId: s.orgId,
          actor: 'system',
          data: settled satisfies WebhooksEvents['webhooks.delivery.settled'],
        },
      ]);
      q.pending.delete(e.seq);
    } catch (error) {
      // Not recorded: it stays pending and is tried again (a receiver may see it twice, with the same delivery id).
      this.ctx.logger.warn({ err: error, subscriptionId: s.subscriptionId }, 'webhook delivery not recorded');
    }
  }

  /**
   * One more attempt at an event already settled (an administrator's "resend"): the event as
   * its principal may see it now, with the same delivery id (a receiver that had it drops it).
   */
  async sendAgain(s: WebhookSubscription, seq: number): Promise<Pick<SettledDelivery, 'outcome' | 'status' | 'error' | 'eventType'>> {
    const [stored] = await this.ctx.log.read({ afterSeq: seq - 1, limit: 1 });
    if (!stored || stored.seq !== seq) return { eventType: 'unknown', outcome: 'failed', status: null, error: 'the event is no longer in the log' };
    const e = topicEvent(stored);
    const principal = this.deps.principalOf(s);
    const shown = principal ? this.deps.views().project(principal, e) : null;
    if (!shown) return { eventType: e.type, outcome: 'failed', status: null, error: 'withheld: no longer visible to this subscription' };
    const secrets = signingSecrets((x) => this.ctx.secrets.open(x), s, this.ctx.clock.now());
    if (secrets === null) return { eventType: e.type, outcome: 'failed', status: null, error: 'its secret was sealed under another installation key' };
    const deliveryId = deliveryIdOf(s.subscriptionId, e.seq);
    const body = webhookBody(s, shown, deliveryId);
    const result = await postOnce(s.url, body, webhookHeaders(secrets, e.type, deliveryId, body, this.ctx.clock.now()), {
      timeoutMs: 10_000,
      maxBytes: 64 * 1024,
      publicOnly: !this.ctx.config.webhookAllowPrivate,
    });
    return result.ok
      ? { eventType: e.type, outcome: 'delivered', status: result.value.status, error: null }
      : { eventType: e.type, outcome: 'failed', status: result.status ?? null, error: result.error.slice(0, 300) };
  }

  private async markCaughtUp(s: WebhookSubscription, q: Queue): Promise<void> {
    const cursor = this.state.progress.get(s.subscriptionId)?.cursor ?? 0;
    if (q.pending.size > 0 || q.scanned - cursor < CAUGHT_UP_EVERY) return;
    await this.ctx.record([
      {
        type: 'webhooks.subscription.caught-up',
        subject: `webhook:${s.subscriptionId}`,
        orgId: s.orgId,
        actor: 'system',
        data: { subscriptionId: s.subscriptionId, cursor: q.scanned } satisfies WebhooksEvents['webhooks.subscription.caught-up'],
      },
    ]);
  }
}
