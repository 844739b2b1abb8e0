import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { badRequest } from '../../kernel/errors.js';
import { nonPublicLiteral } from './outbound-guard.js';

/*
 * Vigil's outgoing webhooks, in one place: the signature every POST carries, the shared
 * secret, and the check of an endpoint URL. Used by the alerts' CAP webhook channel and by
 * the webhook subscriptions of every capability (src/webhooks); the POST itself, with its
 * retries and the SSRF guard at connect time, is outbound-http.ts.
 */

/**
 * The signature on every webhook POST, as Stripe and GitHub do it:
 * `Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The receiver recomputes it over the raw body, compares in constant time and
 * refuses a timestamp older than a few minutes (replay).
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifyWebhook(secret: string, header: string, body: string, nowS: number, toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  const expected = Buffer.from(signWebhook(secret, t, body).split('v1=')[1]!, 'hex');
  return timingSafeEqual(expected, Buffer.from(parts.v1!, 'hex'));
}

/** A new shared secret: 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** An endpoint URL Vigil will POST to: http or https, a host, no credentials in it. */
export function checkWebhookUrl(raw: string, allowPrivate = false): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badRequest(`"${raw.slice(0, 100)}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badRequest(`a webhook URL is http or https, not ${u.protocol.replace(/:$/, '')}`);
  if (!u.hostname) throw badRequest('a webhook URL names a host');
  if (u.username || u.password) throw badRequest('no credentials in a webhook URL: the shared secret signs every request');
  // Names are checked again on every delivery, on the addresses they resolve to then (outbound-guard.ts).
  const local = nonPublicLiteral(u.hostname) !== null || u.hostname === 'localhost' || u.hostname.endsWith('.localhost');
  if (local && !allowPrivate)
    throw badRequest(
      `${u.hostname} is a private or local address: webhooks reach public addresses only (an installation with an on-premises hub sets VIGIL_WEBHOOK_ALLOW_PRIVATE=true)`,
    );
  return u.toString();
}
