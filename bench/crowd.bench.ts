// npm run bench:crowd — crowd density at city scale: 1 000 zones fed by 10 000 counters
// (8 occupancy cameras and 2 gate line counters per zone). Readings go through the real
// MQTT message path (parse, aggregate per zone per window, evaluate density levels with
// hysteresis, raise crowd alarms, durable in the SQLite log). Then the latency from one
// reading to the level change it causes, with the configured window.
// Ends with one JSON line {"bench":"crowd",...}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';
import type { Polygon } from '../src/kernel/geo.js';

const ZONES = Number(process.env.BENCH_ZONES ?? 1000);
const CAMERAS_PER_ZONE = 8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 10);
const WINDOW_MS = process.env.VIGIL_CROWD_WINDOW_MS ?? '1000';

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-crowd-'));
const vigil = await openVigil(
  {
    ...loadConfig({
      VIGIL_DC09_PORT: 'off',
      VIGIL_MQTT_EMBEDDED_PORT: 'off',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_DEMO: 'false',
      VIGIL_ROUTING_OSM: 'off',
      VIGIL_CROWD_WINDOW_MS: WINDOW_MS,
    }),
    dataDir: dir,
  },
  { logger: pino({ level: 'silent' }) },
);
const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
// The window timer is unref'd (it never keeps a node alive); in a bench nothing else would.
const keepAlive = setInterval(() => {}, 1000);
try {
  const org = await vigil.capabilities.identity.service.createOrg({ name: 'Bench organiser', kind: 'event-organiser' }, 'system');
  const by = { orgId: org.id, actor: 'system:bench' };
  const crowd = vigil.capabilities.crowd.service;
  const alarms = vigil.capabilities.alarms;
  const s0 = performance.now();
  // A grid of 50 m × 50 m zones (≈ 2 500 m²); each has an exit gate and a gate to the next zone.
  const side = 0.0006;
  for (let z = 0; z < ZONES; z++) {
    const lon = 7.4 + (z % 40) * side,
      lat = 43.72 + Math.floor(z / 40) * side * 0.75;
    const polygon: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [lon, lat],
          [lon + side, lat],
          [lon + side, lat + side * 0.75],
          [lon, lat + side * 0.75],
          [lon, lat],
        ],
      ],
    };
    await crowd.defineZone(
      { zoneId: `z${z}`, name: `Zone ${z}`, polygon, occupancyCounters: Array.from({ length: CAMERAS_PER_ZONE }, (_, k) => `cam-${z}-${k}`) },
      by,
    );
  }
  for (let z = 0; z < ZONES; z++) {
    const zone = crowd.state.zones.get(`z${z}`)!;
    const p = zone.polygon.coordinates[0]![0]!;
    await crowd.defineGate({ gateId: `exit${z}`, name: `Exit ${z}`, position: p, inside: `z${z}`, outside: null, lineCounters: [`line-exit-${z}`] }, by);
    await crowd.defineGate(
      { gateId: `link${z}`, name: `Link ${z}`, position: p, inside: `z${z}`, outside: `z${(z + 1) % ZONES}`, lineCounters: [`line-link-${z}`] },
      by,
    );
  }
  const setupMs = performance.now() - s0;
  const counters = crowd.state.counters.size;
  const area = crowd.state.zones.get('z0')!.areaM2;
  const message = (m: object) => Buffer.from(JSON.stringify({ type: 'people-count', state: 'normal', ...m }));

  // Rounds: every counter reports once; zones alternate between calm, warning and critical densities so levels change.
  const DENSITIES = [0.5, 2.5, 4.5, 3.0, 1.0];
  const before = await vigil.ctx.log.lastSeq();
  const changesBefore = crowd.state.levelChanges;
  let readings = 0;
  const started = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    const pending: Promise<unknown>[] = [];
    for (let z = 0; z < ZONES; z++) {
      const perCamera = Math.round((DENSITIES[(r + z) % DENSITIES.length]! * area) / CAMERAS_PER_ZONE);
      for (let k = 0; k < CAMERAS_PER_ZONE; k++) pending.push(alarms.mqtt.deliver(`vigil/sensors/cam-${z}-${k}/events`, message({ value: perCamera })));
      pending.push(alarms.mqtt.deliver(`vigil/sensors/line-exit-${z}/events`, message({ in: 3, out: 2 })));
      pending.push(alarms.mqtt.deliver(`vigil/sensors/line-link-${z}/events`, message({ in: 4, out: 1 })));
    }
    readings += pending.length;
    // One window per round, closed at once (not after the timer) once every message reached the batcher.
    await new Promise((resolve) => setImmediate(resolve));
    await crowd.counts.flush();
    await Promise.all(pending);
  }
  const ingestMs = performance.now() - started;
  const events = (await vigil.ctx.log.lastSeq()) - before;
  const levelChanges = crowd.state.levelChanges - changesBefore;
  let countEvents = 0;
  for (let after = before; ;) {
    const batch = await vigil.ctx.log.read({ afterSeq: after, typePrefixes: ['crowd.zone.counted'], limit: 5000 });
    if (batch.length === 0) break;
    countEvents += batch.length;
    after = batch.at(-1)!.seq;
  }
  const crowdAlarms = [...alarms.state.alarms.values()].filter((a) => a.kind === 'crowd').length;

  // Latency: one reading that pushes a calm zone to critical, until the level change is applied (window timer included).
  const latencies: number[] = [];

  for (let s = 0; s < LATENCY_SAMPLES; s++) {
    const z = s * 7;
    await Promise.all(Array.from({ length: CAMERAS_PER_ZONE }, (_, k) => alarms.mqtt.deliver(`vigil/sensors/cam-${z}-${k}/events`, message({ value: 0 }))));
    const zone = crowd.state.zones.get(`z${z}`)!;
    if (zone.level !== 'normal') throw new Error(`zone ${z} did not calm down`);
    const t0 = performance.now();
    await alarms.mqtt.deliver(`vigil/sensors/cam-${z}-0/events`, message({ value: Math.round(area * 5) }));
    if (crowd.state.zones.get(`z${z}`)!.level !== 'critical') throw new Error('no level change');
    latencies.push(performance.now() - t0);
  }
  const perSec = Math.round(readings / (ingestMs / 1000));
  console.log(`setup: ${ZONES} zones, ${ZONES * 2} gates, ${counters} counters in ${Math.round(setupMs)} ms`);
  console.log(
    `${readings} readings in ${ROUNDS} rounds in ${Math.round(ingestMs)} ms: ${perSec} readings/s parsed, aggregated, evaluated and durable, as ${countEvents} count events (one per zone per window: ${(readings / countEvents).toFixed(1)} readings each) in ${events} events in all with the level changes and alarms; ${levelChanges} level changes, ${crowdAlarms} crowd alarms`,
  );
  console.log(
    `reading → level change (window ${WINDOW_MS} ms + commit + projection): p50 ${percentile(latencies, 0.5).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms over ${latencies.length} samples`,
  );
  console.log(
    JSON.stringify({
      bench: 'crowd',
      zones: ZONES,
      gates: ZONES * 2,
      counters,
      readings,
      ingestMs: Math.round(ingestMs),
      readingsPerSec: perSec,
      events,
      countEvents,
      readingsPerCountEvent: Number((readings / countEvents).toFixed(1)),
      levelChanges,
      crowdAlarms,
      windowMs: Number(WINDOW_MS),
      latencyP50Ms: Math.round(percentile(latencies, 0.5)),
      latencyMaxMs: Math.round(Math.max(...latencies)),
    }),
  );
} finally {
  clearInterval(keepAlive);
  await vigil.close();
  rmSync(dir, { recursive: true, force: true });
}
