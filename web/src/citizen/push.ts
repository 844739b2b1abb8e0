/**
 * The service worker and the browser's Web Push subscription. Where the browser's
 * push service cannot be reached (closed networks, browsers without a push service)
 * `subscribe` fails with the browser's reason; the app then says push is not
 * available on this device and keeps the other channels.
 */
import { WordedError } from '../errors.js';

export const WORKER_URL = '/sw.js';
export const WORKER_SCOPE = '/citizen';

export function pushSupport(): 'ok' | 'no-worker' | 'no-push' | 'insecure' {
  if (!window.isSecureContext) return 'insecure';
  if (!('serviceWorker' in navigator)) return 'no-worker';
  if (!('PushManager' in window) || !('Notification' in window)) return 'no-push';
  return 'ok';
}

export async function registerWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return null;
  return navigator.serviceWorker.register(WORKER_URL, { scope: WORKER_SCOPE });
}

/** applicationServerKey: the VAPID public key (base64url, uncompressed P-256 point) as bytes. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export interface PushKeys {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new WordedError(what)), ms))]);

/** Asks permission and subscribes this device; rejects with the reason when push is not available. */
export async function subscribePush(vapidPublicKey: string): Promise<PushKeys> {
  const support = pushSupport();
  if (support === 'insecure') throw new WordedError('This page is not on a secure (https) address, so it cannot show notifications.');
  if (support !== 'ok') throw new WordedError('This browser cannot receive notifications.');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new WordedError('Notifications are not allowed for this page in the browser.');
  const registration = await withTimeout(navigator.serviceWorker.ready, 10_000, 'The browser did not start the page’s notification service.');
  const existing = await registration.pushManager.getSubscription();
  const subscription =
    existing ??
    (await withTimeout(
      registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidPublicKey) }),
      20_000,
      'The browser’s push service did not answer.',
    ));
  const json = subscription.toJSON() as { endpoint?: string; keys?: { p256dh?: string; auth?: string } };
  if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) throw new WordedError('The browser gave an incomplete notification subscription.');
  return { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } };
}

export async function unsubscribePush(): Promise<void> {
  const registration = await navigator.serviceWorker?.getRegistration(WORKER_SCOPE);
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
}
