/**
 * Hot paths of the channels of issue 4: packing cell-broadcast pages, finding the
 * cells whose coverage meets an area, and deciding whether a noise reading is
 * recorded (sensors report every second; most readings must cost next to nothing).
 */
import { performance } from 'node:perf_hooks';
import { cbsContents } from '../src/alerts/messages/cbs-pages.js';
import { AmbientNoise, AmbientNoiseState } from '../src/alerts/channels/sirens/ambient-noise.js';
import { coverageIntersects } from '../src/alerts/targeting/coverage.js';
import { areaBounds, targetAreaOf } from '../src/alerts/targeting/area-geometry.js';
import { sectorRing } from '../src/demo/demo-devices.js';
import type { Device } from '../src/city/model.js';
import type { AppContext } from '../src/platform/app-context.js';

const perSec = (n: number, ms: number): number => Math.round((n / ms) * 1000);
const time = (n: number, fn: (i: number) => void): number => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return performance.now() - t0;
};

const gsm = 'Crue rapide à Fontvieille : montez aux étages, ne prenez pas votre véhicule. '.repeat(18).slice(0, 93 * 15);
const ucs2 = 'Fenêtres fermées, restez à l’intérieur. '.repeat(16).slice(0, 41 * 15);
const N = 20_000;
const gsmMs = time(N, () => cbsContents(gsm, 'fr-MC'));
const ucsMs = time(N, () => cbsContents(ucs2, 'fr-MC'));

// 10 000 sectors on a grid over a 10 km square around Monaco, against the Fontvieille polygon.
const sectors: [number, number][][] = [];
for (let i = 0; i < 10_000; i++) sectors.push(sectorRing([7.37 + (i % 100) * 0.0012, 43.69 + Math.floor(i / 100) * 0.0009], (i * 120) % 360, 120, 450));
const area = targetAreaOf([{ areaDesc: 'Fontvieille', polygon: ['43.7270,7.4130 43.7310,7.4130 43.7310,7.4200 43.7270,7.4200 43.7270,7.4130'] }]);
let hits = 0;
const bounds = areaBounds(area);
const covMs = time(10, () => (hits = sectors.filter((s) => coverageIntersects(s, area, bounds)).length));

// Noise readings: 1 000 loudspeakers, readings every second fluctuating ±1 dB around 65.
let now = Date.UTC(2026, 11, 1);
let recorded = 0;
const devices = new Map<string, Device>();
for (let i = 0; i < 1000; i++)
  devices.set(`ls${i}`, {
    id: `ls${i}`,
    kind: 'loudspeaker',
    label: '',
    siteId: null,
    zoneId: null,
    position: [7.42, 43.73],
    orgId: 'org',
    account: null,
    protocol: 'mqtt',
    parentId: null,
  });
const state = new AmbientNoiseState();
let seq = 0;
const ctx = {
  clock: { now: () => now },
  logger: { warn: () => {} },
  record: async (events: { type: string; subject: string; orgId: string; actor: string; data: unknown }[]) => {
    recorded += events.length;
    for (const e of events) state.apply({ ...e, seq: ++seq, id: String(seq), at: new Date(now).toISOString(), reason: null, prevHash: '', hash: '' } as never);
    return [];
  },
} as unknown as AppContext;
const ambient = new AmbientNoise(ctx, state, (id) => devices.get(id));
const readings = 600_000;
const t0 = performance.now();
for (let i = 0; i < readings; i++) {
  if (i % 1000 === 0) now += 1000;
  await ambient.reading(`ls${i % 1000}`, 65 + Math.sin(i), now);
}
const ambMs = performance.now() - t0;

console.log(
  JSON.stringify({
    bench: 'channels',
    cbsPack15PagesPerSec: { gsm7: perSec(N, gsmMs), ucs2: perSec(N, ucsMs) },
    coverage: { sectors: sectors.length, matched: hits, msPerArea: Math.round((covMs / 10) * 10) / 10 },
    noise: { readings, devices: 1000, seconds: readings / 1000, recordedEvents: recorded, readingsPerSec: perSec(readings, ambMs) },
  }),
);
