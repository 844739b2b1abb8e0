import { createHash } from 'node:crypto';
import type { AppContext } from '../../../platform/app-context.js';
import { capToXml } from '../../cap/cap-xml.js';
import type { AlertRecord } from '../../model.js';
import { post } from '../../../adapters/http/outbound-http.js';
import type { ChannelJob, SelfDeliveringChannel } from '../channel.js';
import { signWebhook } from '../../../adapters/http/webhook-signature.js';
import type { WebhooksService } from './webhooks-service.js';
import type { WebhookEndpoint, WebhookEvent } from './webhooks-state.js';

/** Which webhook event an issued message is. */
export function webhookEventOf(alert: AlertRecord): WebhookEvent {
  return alert.cap.msgType === 'Cancel' ? 'cancelled' : alert.cap.msgType === 'Update' ? 'updated' : 'issued';
}

/** Whether an endpoint wants this alert: its organisation's, an event it chose, exercises only if it asked. */
export function wants(w: WebhookEndpoint, alert: AlertRecord): boolean {
  return w.orgId === alert.orgId && w.events.includes(webhookEventOf(alert)) && (alert.cap.status === 'Actual' || w.includeExercise);
}

/** The same alert to the same endpoint always has the same delivery id, so a receiver drops a retried duplicate. */
export function deliveryId(alertId: string, webhookId: string): string {
  return `whd_${createHash('sha256').update(`${alertId}\n${webhookId}`).digest('base64url').slice(0, 22)}`;
}

/**
 * Outgoing webhooks: each endpoint of the alert's organisation that wants the
 * message gets one POST — the CAP 1.2 XML (application/cap+xml) or JSON — signed
 * with its shared secret (Vigil-Signature), retried with backoff; progress per endpoint.
 */
export class WebhookChannel implements SelfDeliveringChannel {
  readonly channel = 'webhook' as const;
  readonly reach = 'endpoints' as const;
  readonly unavailable = null;
  private readonly inFlight = new AbortController();

  constructor(
    private readonly ctx: AppContext,
    private readonly webhooks: WebhooksService,
    private readonly options: { backoffMs?: number[]; timeoutMs?: number } = {},
  ) {}

  async deliver({ alert, record }: ChannelJob): Promise<void> {
    const targets = [...this.webhooks.state.endpoints.values()].filter((w) => wants(w, alert));
    const event = webhookEventOf(alert);
    await record({
      alertId: alert.alertId,
      channel: 'webhook',
      status: 'sending',
      queued: targets.length,
      sent: [],
      failed: [],
      ...(targets.length ? {} : { note: 'no webhook of this organisation wants this message' }),
    });
    const xml = targets.some((w) => w.format === 'cap-xml') ? capToXml(alert.cap) : '';
    await Promise.all(
      targets.map(async (w) => {
        const secret = this.webhooks.secretOf(w);
        if (secret === null)
          return record({
            alertId: alert.alertId,
            channel: 'webhook',
            status: 'sending',
            queued: 0,
            sent: [],
            failed: [[w.webhookId, 'its secret was sealed under another installation key']],
          });
        const id = deliveryId(alert.alertId, w.webhookId);
        const body = w.format === 'cap-xml' ? xml : JSON.stringify({ event: `alert.${event}`, deliveryId: id, alertId: alert.alertId, cap: alert.cap });
        const result = await post(w.url, body, {
          headers: () => {
            // Signed at each attempt: the timestamp is when it was sent, so receivers can refuse old replays.
            const t = Math.floor(this.ctx.clock.now() / 1000);
            return {
              'content-type': w.format === 'cap-xml' ? 'application/cap+xml; charset=utf-8' : 'application/json',
              'user-agent': 'Vigil',
              'vigil-event': `alert.${event}`,
              'vigil-delivery': id,
              'vigil-timestamp': String(t),
              'vigil-signature': signWebhook(secret, t, body),
            };
          },
          timeoutMs: this.options.timeoutMs ?? 10_000,
          maxBytes: 64 * 1024,
          signal: this.inFlight.signal,
          publicOnly: !this.ctx.config.webhookAllowPrivate,
          ...(this.options.backoffMs ? { backoffMs: this.options.backoffMs } : {}),
        });
        await record({
          alertId: alert.alertId,
          channel: 'webhook',
          status: 'sending',
          queued: 0,
          sent: result.ok ? [w.webhookId] : [],
          failed: result.ok ? [] : [[w.webhookId, `${result.error.slice(0, 160)} (after ${result.attempts} attempt(s))`]],
        });
      }),
    );
    await record({ alertId: alert.alertId, channel: 'webhook', status: 'done', queued: 0, sent: [], failed: [] });
  }

  stop(): void {
    this.inFlight.abort();
  }

  async close(): Promise<void> {
    this.stop();
  }
}
