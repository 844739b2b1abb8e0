import { createHash } from 'node:crypto';
import { signingSecrets } from '../../../adapters/http/webhook-signature.js';
import type { AppContext } from '../../../platform/app-context.js';
import { capToXml } from '../../cap/cap-xml.js';
import type { AlertRecord } from '../../model.js';
import type { WebhookEndpoint, WebhookEvent } from './webhooks-state.js';

/* What one POST to a CAP webhook endpoint is: used by the channel (each alert, retried) and by the service (a test, a resend). */

/** Which webhook event an issued message is. */
export function webhookEventOf(alert: AlertRecord): WebhookEvent {
  return alert.cap.msgType === 'Cancel' ? 'cancelled' : alert.cap.msgType === 'Update' ? 'updated' : 'issued';
}

/** Whether an endpoint wants this alert: not paused, its organisation's, an event it chose, exercises only if it asked. */
export function wants(w: WebhookEndpoint, alert: AlertRecord): boolean {
  return !w.paused && w.orgId === alert.orgId && w.events.includes(webhookEventOf(alert)) && (alert.cap.status === 'Actual' || w.includeExercise);
}

/** The secrets an endpoint's POSTs are signed with now (the previous one too during a rotation's grace); null when sealed under another key. */
export function secretsOf(ctx: AppContext, w: WebhookEndpoint): string[] | null {
  return signingSecrets((x) => ctx.secrets.open(x), w, ctx.clock.now());
}

/** One POST's body and content type: the CAP XML, or JSON around the CAP (`xml` when already written for this alert). */
export function capWebhookBody(w: WebhookEndpoint, alert: AlertRecord, id: string, xml?: string): { body: string; contentType: string } {
  return w.format === 'cap-xml'
    ? { body: xml ?? capToXml(alert.cap), contentType: 'application/cap+xml; charset=utf-8' }
    : {
        body: JSON.stringify({ event: `alert.${webhookEventOf(alert)}`, deliveryId: id, alertId: alert.alertId, cap: alert.cap }),
        contentType: 'application/json',
      };
}

/** The same alert to the same endpoint always has the same delivery id, so a receiver drops a retried duplicate. */
export function deliveryId(alertId: string, webhookId: string): string {
  return `whd_${createHash('sha256').update(`${alertId}\n${webhookId}`).digest('base64url').slice(0, 22)}`;
}
