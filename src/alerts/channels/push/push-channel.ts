import { createECDH } from 'node:crypto';
import type { Agent } from 'node:https';
import webpush from 'web-push';
import { postOnce } from '../../../adapters/http/outbound-http.js';
import { pushEndpointProblem } from '../../../adapters/http/push-hosts.js';
import type { SecretBox } from '../../../kernel/secrets.js';
import type { ChannelTexts } from '../../messages/channel-text.js';
import type { Subscriber } from '../../subscribers/subscribers-state.js';
import { alertHeaders, type ChannelJob, type OutgoingMessage, type PersonalParts, type RecipientChannel, type SendResult } from '../channel.js';

/** A browser's push subscription (W3C Push API): where to send, and the keys to encrypt for it. */
export interface PushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * The installation's VAPID key pair (RFC 8292), derived from the installation key so
 * every node signs with the same identity and no extra secret is configured.
 */
export function vapidKeys(secrets: SecretBox): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(secrets.derive('web-push-vapid'));
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: ecdh.getPrivateKey().toString('base64url') };
}

/** Push service answers that no retry cures: the subscription is gone (404, 410) or the request is wrong (400, 413). */
const FINAL = new Set([400, 404, 410, 413]);

/**
 * Web Push (RFC 8030) with payload encryption (RFC 8291, aes128gcm) and VAPID: the
 * `web-push` library encrypts and signs, the outbound HTTP module posts. The message's
 * address is the subscription as JSON, its text the notification payload. 404/410 from
 * the push service mean the subscription is gone (final); 429 and 5xx are retried.
 */
export class PushChannel implements RecipientChannel {
  readonly channel = 'push' as const;
  readonly reach = 'per-recipient' as const;
  readonly receipts = false;
  readonly unavailable = null;
  private readonly vapid: { subject: string; publicKey: string; privateKey: string };

  /**
   * `agent`: an HTTPS agent for push services with a private CA (tests, closed networks).
   * `hosts`: the push hosts the installation named (VIGIL_PUSH_HOSTS), trusted even on a
   * private network; null: the browsers' known push services, reached on public addresses only.
   */
  constructor(
    keys: { publicKey: string; privateKey: string },
    subject: string,
    private readonly agent?: Agent,
    private readonly hosts: readonly string[] | null = null,
  ) {
    this.vapid = { subject, ...keys };
  }

  addressOf(s: Subscriber): string | null {
    return s.push ? JSON.stringify(s.push) : null;
  }

  /** A notification: the headline, the short text (with the way to safety when it asks to evacuate), the "are you safe?" link. */
  message({ alert }: ChannelJob, to: Subscriber, address: string, texts: ChannelTexts, personal: PersonalParts): OutgoingMessage {
    const g = personal.guidance(to);
    const text = JSON.stringify({
      title: texts.email.subject,
      body: g ? `${texts.sms}\n${g}` : texts.sms,
      alertId: alert.alertId,
      status: alert.cap.status,
      url: personal.safeLink(to),
      guidance: g,
    });
    return { recipientId: to.subscriberId, address, subject: '', text, headers: alertHeaders(alert) };
  }

  async send(messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    return Promise.all(
      messages.map(async (m): Promise<SendResult> => {
        let request: webpush.RequestDetails;
        try {
          request = webpush.generateRequestDetails(JSON.parse(m.address) as PushSubscription, m.text, {
            TTL: 6 * 3600,
            urgency: 'high',
            vapidDetails: this.vapid,
          });
        } catch (error) {
          return { ok: false, error: (error as Error).message, retry: true };
        }
        // Checked again at sending: a subscription stored before the list changed is not sent to a host off it.
        const problem = pushEndpointProblem(request.endpoint, this.hosts);
        if (problem) return { ok: false, error: problem, retry: false };
        const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
        const res = await postOnce(request.endpoint, request.body ?? '', headers, {
          timeoutMs: 10_000,
          maxBytes: 64 * 1024,
          retryStatus: (s) => !FINAL.has(s),
          publicOnly: this.hosts === null,
          ...(this.agent ? { agent: this.agent } : {}),
        });
        if (res.ok) return { ok: true, detail: String(res.value.status) };
        return { ok: false, error: res.status ? `push service answered ${res.status}` : res.error, retry: res.retry };
      }),
    );
  }

  async close(): Promise<void> {}
}
