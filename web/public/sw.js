// Vigil citizen app service worker, served from the site root (/sw.js) and registered
// for the /citizen scope. It shows pushed warnings (Web Push, RFC 8030/8291 payloads
// sent by Vigil's push adapter), opens the right page when one is tapped, and keeps
// the app shell and the last known alerts so the alerts page opens offline.
const SHELL = 'vigil-citizen-shell-v1';
const DATA = 'vigil-citizen-data-v1';
const APP = '/citizen';
const ALERTS = '/api/public/alerts';
const ICON = '/icons/icon-192.png';

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

/** The app page and every asset it references (hashed names from the Vite build), plus manifest and icons. */
async function precache() {
  const cache = await caches.open(SHELL);
  const page = await fetch(APP, { cache: 'no-cache' });
  if (!page.ok) throw new Error(`${APP} answered ${page.status}`);
  const html = await page.clone().text();
  await cache.put(APP, page);
  const assets = new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]));
  await cache.addAll([...assets, '/manifest.webmanifest', ICON, '/icons/icon-512.png']);
  // Scripts name files they load later (MapLibre's worker): one level deeper, each on its own (a miss is not fatal).
  const later = new Set();
  for (const script of [...assets].filter((a) => a.endsWith('.js'))) {
    const text = await (await cache.match(script)).text();
    for (const m of text.matchAll(/\/?assets\/[\w.-]+\.(?:m?js|css)/g)) later.add(m[0].startsWith('/') ? m[0] : `/${m[0]}`);
  }
  await Promise.all([...later].filter((a) => !assets.has(a)).map((a) => cache.add(a).catch(() => undefined)));
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== SHELL && name !== DATA) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname.startsWith(APP)) event.respondWith(networkFirst(request, SHELL, APP));
  else if (url.pathname.startsWith('/assets/') || url.pathname.startsWith('/icons/')) event.respondWith(cacheFirst(request));
  // The alerts of the last place asked about are kept under one key: offline, the last known list.
  else if (url.pathname === ALERTS) event.respondWith(networkFirst(request, DATA, ALERTS));
  else if (url.pathname === '/api/city' || url.pathname.startsWith('/api/city/basemap/') || url.pathname === '/api/public/push/key')
    event.respondWith(networkFirst(request, DATA, url.pathname));
});

/** The network's answer, kept; offline (or a server error), the kept one, marked with when it was kept. */
async function networkFirst(request, cacheName, key) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) {
      const headers = new Headers(response.headers);
      headers.set('x-vigil-kept-at', new Date().toISOString());
      await cache.put(key, new Response(await response.clone().blob(), { status: response.status, statusText: response.statusText, headers }));
      return response;
    }
    if (response.status < 500) return response;
    throw new Error(`server answered ${response.status}`);
  } catch (error) {
    const kept = await cache.match(key);
    if (kept) {
      const headers = new Headers(kept.headers);
      headers.set('x-vigil-offline', '1');
      return new Response(await kept.blob(), { status: kept.status, statusText: kept.statusText, headers });
    }
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

/** What Vigil's push adapter sends: { title, body, alertId, status, url } (url: the person's "are you safe?" link). */
function readPayload(data) {
  if (!data) return { title: 'Vigil', body: '' };
  try {
    const p = data.json();
    return p && typeof p === 'object' ? p : { title: 'Vigil', body: String(p) };
  } catch {
    return { title: 'Vigil', body: data.text() };
  }
}

/** The notification for a payload: exercise and test alerts marked in the title when the sender did not mark them. */
function notificationOf(payload) {
  const status = typeof payload.status === 'string' ? payload.status : 'Actual';
  const mark = status === 'Exercise' ? 'EXERCISE' : status === 'Test' ? 'TEST' : null;
  const raw = typeof payload.title === 'string' && payload.title ? payload.title.slice(0, 200) : 'Vigil';
  const title = mark && !raw.includes(mark) ? `[${mark}] ${raw}` : raw;
  const alertId = typeof payload.alertId === 'string' ? payload.alertId : null;
  return {
    title,
    options: {
      body: typeof payload.body === 'string' ? payload.body.slice(0, 1000) : '',
      tag: alertId ?? 'vigil',
      renotify: true,
      requireInteraction: status === 'Actual',
      icon: ICON,
      badge: ICON,
      data: { alertId, url: typeof payload.url === 'string' ? payload.url : null, status },
    },
  };
}

self.addEventListener('push', (event) => {
  const payload = readPayload(event.data);
  const { title, options } = notificationOf(payload);
  event.waitUntil(
    (async () => {
      await self.registration.showNotification(title, options);
      // Open pages show the new alert at once; the kept list is refreshed for offline use.
      for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true }))
        client.postMessage({ type: 'vigil-push', title, ...options.data });
      await caches
        .open(DATA)
        .then((cache) => fetch(ALERTS).then((r) => (r.ok ? cache.put(ALERTS, r) : undefined)))
        .catch(() => undefined);
    })(),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openTarget(event.notification.data ?? {}));
});

/** The personal "are you safe?" link when the warning carries one, else the alert in the app; an open window is reused. */
async function openTarget(data) {
  const target = safeUrl(data.url) ?? `${APP}?alert=${encodeURIComponent(data.alertId ?? '')}`;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const same = windows.find((w) => w.url === new URL(target, self.location.origin).href);
  if (same) return same.focus();
  const ours = windows.find((w) => new URL(w.url).pathname.startsWith(APP));
  if (ours) {
    const moved = await ours.navigate(target);
    return (moved ?? ours).focus().catch(() => moved ?? ours);
  }
  return self.clients.openWindow(target);
}

/** Only web links are followed from a payload. */
function safeUrl(url) {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url, self.location.origin);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}
