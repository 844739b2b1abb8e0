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
 *
 * While a rotated secret's grace period runs, the header carries one `v1=` per secret, the
 * new one first: `t=…,v1=<with the new secret>,v1=<with the old one>`. A receiver accepts
 * the request when any `v1` matches the secret it holds, so it can switch to the new secret
 * at any moment of the grace period (docs/webhooks.md, "Rotating the secret").
 */
export function signWebhook(secret: string | readonly string[], timestamp: number, body: string): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${createHmac('sha256', s).update(`${timestamp}.${body}`).digest('hex')}`)].join(',');
}

/** Whether any `v1` of the header is the HMAC of the body with this secret, at a timestamp within the tolerance. */
export function verifyWebhook(secret: string, header: string, body: string, nowS: number, toleranceS = 300): boolean {
  const parts = header.split(',').map((p) => {
    const at = p.indexOf('=');
    return at < 0 ? ['', ''] : [p.slice(0, at).trim(), p.slice(at + 1).trim()];
  });
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  let ok = false;
  for (const [k, v] of parts) {
    if (k !== 'v1' || !/^[0-9a-f]{64}$/.test(v ?? '')) continue;
    if (timingSafeEqual(expected, Buffer.from(v!, 'hex'))) ok = true;
  }
  return ok;
}

/**
 * The headers of one webhook POST, signed at the time it is sent (receivers refuse old
 * replays), one `v1` per secret: the same for CAP webhooks and event webhooks.
 */
export function signedWebhookHeaders(
  secrets: string | readonly string[],
  contentType: string,
  event: string,
  deliveryId: string,
  body: string,
  nowMs: number,
): Record<string, string> {
  const t = Math.floor(nowMs / 1000);
  return {
    'content-type': contentType,
    'user-agent': 'Vigil',
    'vigil-event': event,
    'vigil-delivery': deliveryId,
    'vigil-timestamp': String(t),
    'vigil-signature': signWebhook(secrets, t, body),
  };
}

/**
 * The retry policy of every webhook POST (CAP webhooks and event webhooks alike): 408, 429,
 * 5xx and network errors are tried again after the waits of `VIGIL_WEBHOOK_RETRY_MS`
 * (config `webhookRetryMs`), a longer Retry-After honoured up to this long.
 */
export const WEBHOOK_MAX_RETRY_AFTER_MS = 3_600_000;

/** How long deliveries are signed with the old secret too after a rotation, by default; at most a week. */
export const ROTATION_GRACE_HOURS = 24;
export const MAX_ROTATION_GRACE_HOURS = 168;

/** The secrets a delivery is signed with now: the current one, and the previous one while its grace period runs. */
export function signingSecrets(
  open: (sealed: string) => string | null,
  s: { secretSealed: string; previousSecretSealed?: string | undefined; previousSecretUntil?: string | undefined },
  nowMs: number,
): string[] | null {
  const current = open(s.secretSealed);
  if (current === null) return null;
  if (!s.previousSecretSealed || !s.previousSecretUntil || Date.parse(s.previousSecretUntil) <= nowMs) return [current];
  const previous = open(s.previousSecretSealed);
  return previous === null ? [current] : [current, previous];
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
