// npm run bench:citizen — the citizen side's hot paths: the per-address limiter on
// the public subscribe routes, "I am here now" applied to the subscriber projection
// (1 M subscribers, each move re-indexed in the point grid), and the public alerts
// list for a place. Ends with one JSON line {"bench":"citizen",...}.
import { SlidingWindowLimiter, clientKey } from '../src/kernel/rate-limiter.js';
import { SubscribersState, type Subscriber } from '../src/alerts/subscribers/subscribers-state.js';
import { publicAlerts } from '../src/alerts/public-alerts.js';
import type { AlertRecord } from '../src/alerts/model.js';
import type { StoredEvent } from '../src/platform/event-log.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);
const MOVES = Number(process.env.BENCH_MOVES ?? 2_000_000);
let seed = 7;
const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
// A synthetic metropolis around Monaco, as in bench:alert: 0.4° × 0.4°, denser towards the centre.
const place = (): [number, number] => {
  const r = 0.2 * Math.sqrt(random()) * random();
  const a = 2 * Math.PI * random();
  return [7.42 + r * Math.cos(a), 43.74 + r * Math.sin(a)];
};
const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;

// 1. The limiter: one take per request, 200 000 distinct addresses (IPv4 and IPv6 /64).
const limiter = new SlidingWindowLimiter(20, 600_000, 1_000_000);
const addresses = Array.from({ length: 200_000 }, (_, i) =>
  i % 2 ? `2001:db8:${(i >> 8) & 0xffff}:${i & 0xff}::${i % 7}` : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
);
let t0 = performance.now();
const TAKES = 2_000_000;
for (let i = 0; i < TAKES; i++) limiter.take(clientKey(addresses[i % addresses.length]!), i);
const takesPerSec = Math.round(TAKES / ((performance.now() - t0) / 1000));

// 2. The projection: 1 M subscribers registered, then moves ("I am here now") applied as the log delivers them.
const state = new SubscribersState();
const event = (seq: number, type: string, data: unknown): StoredEvent =>
  ({ seq, id: `e${seq}`, type, subject: '', orgId: 'org', actor: 'public', reason: null, at: '', data, prevHash: '', hash: '' }) as unknown as StoredEvent;
const subscribers: Subscriber[] = [];
for (let i = 0; i < SUBSCRIBERS; i++) {
  const s: Subscriber = {
    subscriberId: `sub_${i}`,
    name: null,
    language: 'fr',
    email: `p${i}@example.net`,
    phone: null,
    push: null,
    locations: [
      { kind: 'home', position: place() },
      { kind: 'last', position: place() },
    ],
    consentAt: '',
    consentSource: 'public',
  };
  subscribers.push(s);
  state.apply(event(i, 'alerts.subscriber.registered', { subscriber: s, tokenHash: `h${i}` }));
}
t0 = performance.now();
for (let i = 0; i < MOVES; i++) {
  const s = subscribers[i % SUBSCRIBERS]!;
  state.apply(event(SUBSCRIBERS + i, 'alerts.subscriber.updated', { subscriber: { ...s, locations: [s.locations[0]!, { kind: 'last', position: place() }] } }));
}
const movesPerSec = Math.round(MOVES / ((performance.now() - t0) / 1000));
// Moving reuses the point numbers it gives back: the grid holds as many slots as there are locations.
const pointSlots = (state as unknown as { pointOwner: string[] }).pointOwner.length;

// 3. The public list for a place: 20 alerts in force with 200-corner polygons.
const ring = (cx: number, cy: number): string =>
  Array.from({ length: 201 }, (_, k) => {
    const a = (2 * Math.PI * (k % 200)) / 200;
    return `${(cy + 0.004 * Math.sin(a)).toFixed(5)},${(cx + 0.005 * Math.cos(a)).toFixed(5)}`;
  }).join(' ');
const alerts = Array.from({ length: 20 }, (_, i): AlertRecord => {
  const [lon, lat] = place();
  const info = (language: string) => ({
    language,
    category: ['Met'],
    event: 'Flood',
    urgency: 'Immediate',
    severity: i % 3 ? 'Moderate' : 'Severe',
    certainty: 'Observed',
    headline: `Alert ${i}`,
    instruction: 'Go upstairs.',
    area: [{ areaDesc: `Area ${i}`, polygon: [ring(lon, lat)] }],
  });
  return {
    alertId: `alt_${i}`,
    orgId: 'org',
    state: 'issued',
    origin: 'authored',
    channels: [],
    needsApproval: true,
    author: 'x',
    createdAt: '',
    submittedAt: null,
    approvedBy: null,
    issuedAt: null,
    rejected: null,
    endedBy: null,
    cap: {
      identifier: `id${i}`,
      sender: 's',
      sent: new Date(Date.now() - i * 1000).toISOString(),
      status: 'Actual',
      msgType: 'Alert',
      scope: 'Public',
      info: [info('fr-MC'), info('en-GB')],
    },
  } as unknown as AlertRecord;
});
const LISTS = 2000;
t0 = performance.now();
for (let i = 0; i < LISTS; i++) publicAlerts(alerts, place(), () => null);
const listMs = Math.round(((performance.now() - t0) / LISTS) * 1000) / 1000;
const bytes = Buffer.byteLength(JSON.stringify({ alerts: publicAlerts(alerts, place(), () => null) }));

console.log(
  `limiter: ${takesPerSec.toLocaleString('en')} takes/s over ${addresses.length.toLocaleString('en')} addresses (${limiter.size.toLocaleString('en')} keys live)`,
);
console.log(
  `"I am here now": ${movesPerSec.toLocaleString('en')} moves/s applied to ${SUBSCRIBERS.toLocaleString('en')} subscribers; point slots after ${MOVES.toLocaleString('en')} moves: ${pointSlots.toLocaleString('en')} (2 locations each)`,
);
console.log(`public alerts for a place (20 alerts, 200-corner areas): ${listMs} ms, ${bytes.toLocaleString('en')} bytes of JSON; ${ms(t0)} ms for ${LISTS}`);
console.log(
  JSON.stringify({
    bench: 'citizen',
    takesPerSec,
    subscribers: SUBSCRIBERS,
    moves: MOVES,
    movesPerSec,
    pointSlots,
    publicListMs: listMs,
    publicListBytes: bytes,
  }),
);
