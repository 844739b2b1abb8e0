/**
 * Where a browser's push subscription may send Vigil: the push services of the browsers
 * (Chrome/Edge via FCM, Firefox's autopush, Safari's APNs web push, Windows WNS). The
 * subscribe form is public, so without this list anyone could make Vigil POST to any
 * https: URL. An installation with its own push relay names its hosts (VIGIL_PUSH_HOSTS).
 */
export const KNOWN_PUSH_HOSTS: readonly string[] = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  'updates.push.services.mozilla.com',
  '*.push.apple.com',
  '*.notify.windows.com',
];

/** Whether `host` is one of `allowed` ('*.example.com' matches its subdomains, not example.com itself). */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((a) => (a.startsWith('*.') ? h.endsWith(a.slice(1)) && h.length > a.length - 1 : h === a));
}

/** Why a push endpoint is refused, or null when Vigil may send to it. */
export function pushEndpointProblem(endpoint: string, allowed: readonly string[] | null): string | null {
  const u = URL.canParse(endpoint) ? new URL(endpoint) : null;
  if (!u || u.protocol !== 'https:') return 'a push endpoint is an https: URL';
  if (u.username || u.password) return 'a push endpoint carries no credentials';
  const hosts = allowed ?? KNOWN_PUSH_HOSTS;
  if (!hostAllowed(u.hostname.replace(/^\[(.*)\]$/, '$1'), hosts)) return `${u.hostname} is not a known push service (VIGIL_PUSH_HOSTS)`;
  return null;
}
