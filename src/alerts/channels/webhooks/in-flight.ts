import type { WebhookDeliveryLine } from './webhooks-state.js';

/** What a POST under way is about (the settled line's fields before the outcome is known). */
export type InFlightSubject = Pick<WebhookDeliveryLine, 'deliveryId' | 'alertId' | 'event'>;

/**
 * The CAP webhook POSTs not settled yet, on the node sending them: an attempt under way
 * (`pending`) or a retry waiting (`retrying`, with when the next attempt is due). Kept in
 * memory only: the log records a POST once it is settled (delivered or given up), and a
 * node that stops mid-retry leaves the alert's delivery to the resumer, which starts again.
 */
export class InFlightDeliveries {
  private readonly byWebhook = new Map<string, Map<string, WebhookDeliveryLine>>();

  constructor(private readonly now: () => number) {}

  /** Attempt `attempt` (1-based) is being sent. */
  attempting(webhookId: string, subject: InFlightSubject, attempt: number): void {
    const lines = this.linesOf(webhookId);
    const before = lines.get(subject.deliveryId);
    lines.set(subject.deliveryId, {
      ...subject,
      outcome: 'pending',
      attempts: attempt,
      status: before?.status ?? null,
      error: before?.error ?? null,
      test: false,
      resend: false,
      at: before?.at ?? new Date(this.now()).toISOString(),
    });
  }

  /** Attempt `attempt` failed and another follows after `waitMs`. */
  retrying(webhookId: string, deliveryId: string, failed: { attempt: number; error: string; status?: number; waitMs: number }): void {
    const line = this.byWebhook.get(webhookId)?.get(deliveryId);
    if (!line) return;
    this.linesOf(webhookId).set(deliveryId, {
      ...line,
      outcome: 'retrying',
      attempts: failed.attempt,
      status: failed.status ?? null,
      error: failed.error.slice(0, 300),
      nextAttemptAt: new Date(this.now() + failed.waitMs).toISOString(),
    });
  }

  /** Settled (the log has it now) or abandoned. */
  done(webhookId: string, deliveryId: string): void {
    const lines = this.byWebhook.get(webhookId);
    lines?.delete(deliveryId);
    if (lines?.size === 0) this.byWebhook.delete(webhookId);
  }

  /** An endpoint's POSTs under way, oldest first. */
  of(webhookId: string): WebhookDeliveryLine[] {
    return [...(this.byWebhook.get(webhookId)?.values() ?? [])].sort((a, b) => a.at.localeCompare(b.at));
  }

  count(webhookId: string): number {
    return this.byWebhook.get(webhookId)?.size ?? 0;
  }

  private linesOf(webhookId: string): Map<string, WebhookDeliveryLine> {
    let lines = this.byWebhook.get(webhookId);
    if (!lines) this.byWebhook.set(webhookId, (lines = new Map()));
    return lines;
  }
}
