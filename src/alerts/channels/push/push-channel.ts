import { createECDH } from 'node:crypto';
import type { Agent } from 'node:https';
import webpush from 'web-push';
import type { SecretBox } from '../../../kernel/secrets.js';
import type { ChannelAdapter, OutgoingMessage, SendResult } from '../../delivery/channel-adapter.js';

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

/**
 * Web Push (RFC 8030) with payload encryption (RFC 8291, aes128gcm) and VAPID,
 * through the `web-push` library. The message's address is the subscription as
 * JSON, its text the notification payload. 404/410 from the push service mean the
 * subscription is gone (final); 429 and 5xx are retried.
 */
export class PushAdapter implements ChannelAdapter {
  readonly channel = 'push' as const;
  private readonly vapid: { subject: string; publicKey: string; privateKey: string };

  /** `agent`: an HTTPS agent for push services with a private CA (tests, closed networks). */
  constructor(keys: { publicKey: string; privateKey: string }, subject: string, private readonly agent?: Agent) {
    this.vapid = { subject, ...keys };
  }

  async send(messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    return Promise.all(messages.map(async (m): Promise<SendResult> => {
      try {
        const res = await webpush.sendNotification(JSON.parse(m.address) as PushSubscription, m.text, { TTL: 6 * 3600, urgency: 'high', vapidDetails: this.vapid, timeout: 10_000, ...(this.agent ? { agent: this.agent } : {}) });
        return { ok: true, detail: String(res.statusCode) };
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        return { ok: false, error: status ? `push service answered ${status}` : (error as Error).message, retry: !(status === 404 || status === 410 || status === 400 || status === 413) };
      }
    }));
  }

  async close(): Promise<void> {}
}
