// npm run bench:alert — public alerting at scale: area → recipients over 10 M
// subscribers (grid index), and messages handed to a channel adapter (one e-mail
// per recipient, in their language, progress recorded in the log). Ends with one
// JSON line {"bench":"alert",...}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmailChannel } from '../src/alerts/channels/email/email-channel.js';
import type { OutgoingMessage, SendResult } from '../src/alerts/channels/channel.js';
import { AlertDispatcher } from '../src/alerts/delivery/dispatcher.js';
import { SubscribersState } from '../src/alerts/subscribers/subscribers-state.js';
import { targetAreaOf } from '../src/alerts/targeting/area-geometry.js';
import { PointGrid } from '../src/alerts/targeting/point-grid.js';
import { postgisTargeting } from './postgis-targeting.js';
import { openVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';
import type { AlertRecord } from '../src/alerts/model.js';
import type { StoredEvent } from '../src/platform/event-log.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
// A synthetic metropolis around Monaco: 0.4° × 0.4° (≈ 32 × 44 km), denser towards the centre.
let seed = 42;
const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const point = (): [number, number] => {
  const r = 0.2 * Math.sqrt(random()) * random();
  const a = 2 * Math.PI * random();
  return [7.42 + r * Math.cos(a), 43.74 + r * Math.sin(a)];
};

// 1. Targeting over 10 M points.
const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
let t0 = performance.now();
const grid = new PointGrid();
const lons = new Float64Array(SUBSCRIBERS);
const lats = new Float64Array(SUBSCRIBERS);
for (let i = 0; i < SUBSCRIBERS; i++) {
  const p = point();
  grid.add(i, p);
  lons[i] = p[0];
  lats[i] = p[1];
}
const buildMs = performance.now() - t0;
// The two coordinate copies kept for the PostGIS reference are not the grid's memory.
const bytesPerSubscriber = Math.round(
  (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBefore - lons.byteLength - lats.byteLength) / SUBSCRIBERS,
);
const square = (lon: number, lat: number, d: number): string =>
  `${lat - d},${lon - d} ${lat - d},${lon + d} ${lat + d},${lon + d} ${lat + d},${lon - d} ${lat - d},${lon - d}`;
const queries: [string, string][] = [
  ['neighbourhood (≈1 km²)', square(7.4165, 43.729, 0.005)],
  ['district (≈20 km²)', square(7.42, 43.74, 0.02)],
  ['whole metropolis', square(7.42, 43.74, 0.2)],
];
const timings: Record<string, { ms: number; recipients: number }> = {};
for (const [name, polygon] of queries) {
  const area = targetAreaOf([{ areaDesc: name, polygon: [polygon] }]);
  let n = 0;
  grid.query(area, () => n++); // warm
  const runs = 5;
  t0 = performance.now();
  for (let r = 0; r < runs; r++) {
    n = 0;
    grid.query(area, () => n++);
  }
  timings[name] = { ms: +((performance.now() - t0) / runs).toFixed(1), recipients: n };
  console.log(`targeting ${name}: ${n} of ${SUBSCRIBERS} subscribers in ${timings[name]!.ms} ms`);
}
console.log(`grid built in ${Math.round(buildMs)} ms, ≈ ${bytesPerSubscriber} bytes per subscriber location`);

// 1b. The same points and polygons in PostGIS (BENCH_POSTGIS=0 skips it).
const postgis =
  process.env.BENCH_POSTGIS === '0'
    ? null
    : await postgisTargeting(process.env.BENCH_POSTGIS_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', lons, lats, queries);
const postgisRatios = postgis ? Object.fromEntries(queries.map(([name]) => [name, +(postgis[name]!.ms / timings[name]!.ms).toFixed(1)])) : null;
if (postgis) {
  for (const [name] of queries) {
    if (postgis[name]!.recipients !== timings[name]!.recipients)
      console.log(`note: ${name}: PostGIS found ${postgis[name]!.recipients}, Vigil ${timings[name]!.recipients} (points on the boundary)`);
  }
  console.log(`PostGIS time / Vigil time: ${JSON.stringify(postgisRatios)}`);
}

// 2. Messages handed to a channel adapter: MESSAGES recipients in the area, through the real dispatcher and log.
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-alert-'));
const vigil = await openVigil({ ...loadConfig({ VIGIL_LOG_LEVEL: 'warn', VIGIL_DATABASE_URL: '' }), dataDir, demoOnEmpty: false });
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/**
 * An id as registration makes them (`sub_` + a ULID, what the "are you safe?" link signs), unique
 * per i, and a flat string as the ids a node reads back from its log are.
 */
const subscriberId = (i: number): string => {
  let id = 'sub_01JEB3QZ0K';
  for (let k = 5; k >= 0; k--) id += CROCKFORD[Math.floor(i / 32 ** k) % 32];
  for (let k = 0; k < 10; k++) id += CROCKFORD[Math.floor(random() * 32)];
  return Buffer.from(id, 'latin1').toString('latin1');
};
const subscribers = new SubscribersState();
for (let i = 0; i < MESSAGES; i++) {
  const [lon, lat] = [7.41 + random() * 0.02, 43.72 + random() * 0.02];
  subscribers.apply({
    type: 'alerts.subscriber.registered',
    orgId: 'org',
    data: {
      tokenHash: `t${i}`,
      subscriber: {
        subscriberId: subscriberId(i),
        name: null,
        language: i % 3 ? 'fr-MC' : 'en-GB',
        email: `r${i}@example.invalid`,
        phone: null,
        locations: [{ kind: 'home', position: [lon, lat] }],
        consentAt: '',
        consentSource: 'bench',
      },
    },
  } as unknown as StoredEvent);
}
let handed = 0;
/** The e-mail channel's messages, handed to a peer that takes everything at once. */
class CountingEmail extends EmailChannel {
  override readonly unavailable = null;
  override async send(messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    handed += messages.length;
    return messages.map(() => ({ ok: true }));
  }
}
const counting = new CountingEmail(null, 'bench@example.invalid');
const alert = {
  alertId: 'alt_bench',
  orgId: 'org',
  state: 'issued',
  origin: 'authored',
  channels: ['email'],
  needsApproval: false,
  author: 'bench',
  createdAt: '',
  submittedAt: null,
  approvedBy: null,
  issuedAt: null,
  rejected: null,
  endedBy: null,
  cap: {
    identifier: 'bench',
    sender: 'bench',
    sent: '2026-11-23T10:00:00+00:00',
    status: 'Exercise',
    msgType: 'Alert',
    scope: 'Public',
    info: ['fr-MC', 'en-GB'].map((language) => ({
      language,
      category: ['Met'],
      event: 'Flood',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Observed',
      headline: 'Flash flood',
      instruction: 'Go upstairs.',
      area: [{ areaDesc: 'bench', polygon: [square(7.42, 43.73, 0.011)] }],
    })),
  },
} as unknown as AlertRecord;
t0 = performance.now();
// CPU time of the whole process (main and writer threads): a figure that holds on a shared, loaded machine.
const cpu0 = process.cpuUsage();
await new AlertDispatcher(vigil.ctx, subscribers, new Map([['email', counting]])).dispatch(alert);
const dispatchSec = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuUsPerMessage = +((cpu.user + cpu.system) / handed).toFixed(2);
console.log(`dispatch CPU: ${cpuUsPerMessage} µs per message (user ${Math.round(cpu.user / 1000)} ms, system ${Math.round(cpu.system / 1000)} ms)`);
const messagesPerSec = Math.round(handed / dispatchSec);
console.log(
  `dispatch: ${handed} messages handed to the e-mail adapter in ${dispatchSec.toFixed(1)} s = ${messagesPerSec}/s (targeting, language choice, text, progress in the log)`,
);
// What the progress costs in the log: bytes of delivery events per message.
let progressEvents = 0;
let progressBytes = 0;
for (let after = 0; ;) {
  const page = await vigil.ctx.log.read({ typePrefixes: ['alerts.delivery.'], afterSeq: after, limit: 1000 });
  if (page.length === 0) break;
  progressEvents += page.length;
  for (const e of page) progressBytes += JSON.stringify(e.data).length;
  after = page[page.length - 1]!.seq;
}
const logBytesPerMessage = +(progressBytes / handed).toFixed(1);
console.log(`delivery events in the log: ${progressEvents}, ${logBytesPerMessage} bytes per message`);
await vigil.close();
rmSync(dataDir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    bench: 'alert',
    subscribers: SUBSCRIBERS,
    targetingMs10M: timings['whole metropolis']!.ms,
    targeting: timings,
    bytesPerSubscriber,
    postgisRatio: postgisRatios?.['whole metropolis'] ?? null,
    postgisRatios,
    postgisMs: postgis ? Object.fromEntries(Object.entries(postgis).map(([k, v]) => [k, v.ms])) : null,
    messagesPerSec,
    cpuUsPerMessage,
    logBytesPerMessage,
    oneMillionQueuedSec: +(1_000_000 / messagesPerSec).toFixed(1),
  }),
);
