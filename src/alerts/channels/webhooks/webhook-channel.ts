import type { AppContext } from '../../../platform/app-context.js';
import { capToXml } from '../../cap/cap-xml.js';
import { capWebhookBody, deliveryId, secretsOf, wants, webhookEventOf } from './cap-webhook-request.js';
import { signedWebhookHeaders, WEBHOOK_MAX_RETRY_AFTER_MS } from '../../../adapters/http/webhook-signature.js';
import { post } from '../../../adapters/http/outbound-http.js';
import type { ChannelJob, SelfDeliveringChannel } from '../channel.js';
import type { WebhooksService } from './webhooks-service.js';

/**
 * Outgoing webhooks: each endpoint of the alert's organisation that wants the
 * message gets one POST — the CAP 1.2 XML (application/cap+xml) or JSON — signed
 * with its shared secret (Vigil-Signature); progress per endpoint. Signed and retried
 * exactly as event webhooks are (`retryMs`: the config's `webhookRetryMs`, a longer
 * Retry-After honoured up to an hour). A retry waiting is recorded on the alert's delivery
 * (`quietUntil`), so the delivery resumer does not take the channel for lost before it is due.
 */
export class WebhookChannel implements SelfDeliveringChannel {
  readonly channel = 'webhook' as const;
  readonly reach = 'endpoints' as const;
  readonly unavailable = null;
  private readonly inFlight = new AbortController();

  constructor(
    private readonly ctx: AppContext,
    private readonly webhooks: WebhooksService,
    private readonly options: { retryMs?: readonly number[]; timeoutMs?: number } = {},
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
        const secrets = secretsOf(this.ctx, w);
        if (secrets === null) {
          await this.webhooks.logDelivery(w, {
            deliveryId: deliveryId(alert.alertId, w.webhookId),
            alertId: alert.alertId,
            event: `alert.${event}`,
            outcome: 'failed',
            attempts: 0,
            status: null,
            error: 'its secret was sealed under another installation key',
            test: false,
            resend: false,
          });
          return record({
            alertId: alert.alertId,
            channel: 'webhook',
            status: 'sending',
            queued: 0,
            sent: [],
            failed: [[w.webhookId, 'its secret was sealed under another installation key']],
          });
        }
        const id = deliveryId(alert.alertId, w.webhookId);
        const { body, contentType } = capWebhookBody(w, alert, id, xml);
        const subject = { deliveryId: id, alertId: alert.alertId, event: `alert.${event}` };
        const tracked = this.webhooks.inFlight;
        // Shown in the delivery log as pending/retrying until the settled line is recorded.
        const result = await post(w.url, body, {
          // Signed at each attempt: the timestamp is when it was sent, so receivers can refuse old replays.
          headers: (attempt) => {
            tracked.attempting(w.webhookId, subject, attempt);
            return signedWebhookHeaders(secretsOf(this.ctx, w) ?? secrets, contentType, `alert.${event}`, id, body, this.ctx.clock.now());
          },
          onRetry: (failed) => {
            tracked.retrying(w.webhookId, id, failed);
            const quietUntil = new Date(this.ctx.clock.now() + failed.waitMs).toISOString();
            void record({ alertId: alert.alertId, channel: 'webhook', status: 'sending', queued: 0, quietUntil }).catch((error: unknown) =>
              this.ctx.logger.warn({ err: error, alertId: alert.alertId }, 'recording a webhook retry failed'),
            );
          },
          timeoutMs: this.options.timeoutMs ?? 10_000,
          maxBytes: 64 * 1024,
          signal: this.inFlight.signal,
          publicOnly: !this.ctx.config.webhookAllowPrivate,
          maxRetryAfterMs: WEBHOOK_MAX_RETRY_AFTER_MS,
          ...(this.options.retryMs ? { backoffMs: this.options.retryMs } : {}),
        }).catch((error: unknown) => {
          tracked.done(w.webhookId, id);
          throw error;
        });
        await this.webhooks
          .logDelivery(w, {
            deliveryId: id,
            alertId: alert.alertId,
            event: `alert.${event}`,
            outcome: result.ok ? 'delivered' : 'failed',
            attempts: result.attempts,
            status: result.ok ? result.value.status : (result.status ?? null),
            error: result.ok ? null : result.error.slice(0, 300),
            test: false,
            resend: false,
          })
          .finally(() => tracked.done(w.webhookId, id));
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
