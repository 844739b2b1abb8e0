// npm run bench:reports — citizen reports at city scale. First 1 000 000 reports are stored
// (appended durably to the SQLite log in batches, spread over a year, applied to the
// projection like any replay); then Open311 POSTs go through the whole HTTP path (form
// parsing, validation, duplicate check, the reporter sealed under its own key, durable
// append, read-your-write) with 64 in flight; then the duplicate check alone at that size.
// Ends with one JSON line {"bench":"reports",...}.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';
import { SAFETY_SERVICES, type CitizenReport } from '../src/citizen-reports/contract.js';
import type { NewEvent } from '../src/platform/event-log.js';

const STORED = Number(process.env.BENCH_STORED ?? 1_000_000);
const POSTS = Number(process.env.BENCH_POSTS ?? 5000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);
const CHECKS = Number(process.env.BENCH_CHECKS ?? 20_000);
const DAY = 86_400_000;
// Monaco's box, a little larger.
const [W, S, E, N] = [7.405, 43.724, 7.44, 43.752];
let seed = 42;
const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const randomPosition = (): [number, number] => [Number((W + random() * (E - W)).toFixed(6)), Number((S + random() * (N - S)).toFixed(6))];
const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-reports-'));
const vigil = await serveVigil({
  ...loadConfig({
    VIGIL_DC09_PORT: 'off',
    VIGIL_MQTT_EMBEDDED_PORT: 'off',
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_DEMO: 'false',
    VIGIL_ROUTING_OSM: 'off',
    VIGIL_REPORTS_PER_IP: '1000000',
    VIGIL_REPORTS_PER_DEVICE: '1000000',
  }),
  dataDir: dir,
  port: 0,
  host: '127.0.0.1',
});
try {
  const identity = vigil.capabilities.identity.service;
  const orgs = [
    await identity.createOrg({ name: 'Bench City', kind: 'city', platform: true }, 'system'),
    await identity.createOrg({ name: 'Bench Police', kind: 'police' }, 'system'),
    await identity.createOrg({ name: 'Bench Fire', kind: 'fire' }, 'system'),
  ];
  const orgOf = new Map(orgs.map((o) => [o.kind, o.id]));
  const state = vigil.capabilities.citizenReports.state;

  // 1. A year of reports, stored durably.
  const s0 = performance.now();
  const now = Date.now();
  const BATCH = 5000;
  for (let i = 0; i < STORED; i += BATCH) {
    const events: NewEvent[] = [];
    for (let k = i; k < Math.min(STORED, i + BATCH); k++) {
      const service = SAFETY_SERVICES[k % SAFETY_SERVICES.length]!;
      const reportId = `rep_bench${String(k).padStart(8, '0')}`;
      const report: CitizenReport = {
        reportId,
        serviceCode: service.code,
        orgId: orgOf.get(service.responsible)!,
        position: randomPosition(),
        address: null,
        description: 'bench',
        attributes: {},
        mediaUrl: null,
        photo: null,
        photoPosition: null,
        requestedAt: new Date(now - 365 * DAY + Math.floor((k * 365 * DAY) / STORED)).toISOString(),
        token: `tok_bench${k}`,
        followHash: `bench${k}`,
        via: 'bench',
        nearbyOf: null,
      };
      events.push({
        type: 'citizen-reports.report.submitted',
        subject: `citizen-report:${reportId}`,
        orgId: report.orgId,
        actor: 'public',
        data: { report, reporter: null },
        reason: null,
      });
    }
    const stored = await vigil.ctx.log.append(events);
    await vigil.ctx.projections.waitFor(stored.at(-1)!.seq);
  }
  const storeS = (performance.now() - s0) / 1000;
  console.log(
    `stored ${state.reports.size} reports in ${storeS.toFixed(1)} s (${Math.round(STORED / storeS)}/s appended and applied), RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
  );

  // 2. Open311 POSTs through HTTP, 64 in flight.
  const app = vigil.server.app;
  let next = 0;
  let failed = 0;
  const latencies: number[] = [];
  const worker = async (): Promise<void> => {
    while (next < POSTS) {
      const n = next++;
      const [lon, lat] = randomPosition();
      const service = SAFETY_SERVICES[n % SAFETY_SERVICES.length]!;
      const attrs = Object.fromEntries(service.attributes.filter((a) => a.required).map((a) => [`attribute[${a.code}]`, a.values[0]?.key ?? 'x']));
      const t0 = performance.now();
      const r = await app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          api_key: 'vigil-citizen-app',
          service_code: service.code,
          lat: String(lat),
          long: String(lon),
          description: `bench report ${n}`,
          email: `reporter${n}@example.org`,
          device_id: `device-${n % 1000}`,
          ...attrs,
        }).toString(),
      });
      latencies.push(performance.now() - t0);
      if (r.statusCode !== 201) failed++;
    }
  };
  const p0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const postS = (performance.now() - p0) / 1000;
  const reportsPerSec = Math.round((POSTS - failed) / postS);
  console.log(
    `${POSTS} Open311 POSTs (${failed} failed) in ${postS.toFixed(1)} s: ${reportsPerSec} reports/s accepted and durable; latency p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`,
  );

  // 3. The duplicate check alone, at that size.
  const checks: number[] = [];
  let found = 0;
  for (let i = 0; i < CHECKS; i++) {
    const service = SAFETY_SERVICES[i % SAFETY_SERVICES.length]!;
    const p = randomPosition();
    const t0 = performance.now();
    if (state.nearbyOpen(service.code, p, Date.now())) found++;
    checks.push(performance.now() - t0);
  }
  const dupP50 = percentile(checks, 0.5);
  const dupP99 = percentile(checks, 0.99);
  console.log(
    `duplicate check over ${state.reports.size} reports: p50 ${dupP50.toFixed(4)} ms, p99 ${dupP99.toFixed(4)} ms (${found} of ${CHECKS} found a nearby open report)`,
  );
  const load = loadavg().map((l) => l.toFixed(2));
  console.log(`load average ${load.join(' ')}`);
  console.log(
    JSON.stringify({
      bench: 'reports',
      reportsPerSec,
      storedReports: state.reports.size,
      duplicateCheckMs: Number(dupP99.toFixed(4)),
      duplicateCheckMsP50: Number(dupP50.toFixed(4)),
      postLatencyMsP99: Number(percentile(latencies, 0.99).toFixed(1)),
      storeSeconds: Number(storeS.toFixed(1)),
      rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
      loadAverage: Number(load[0]),
    }),
  );
} finally {
  await vigil.close();
  rmSync(dir, { recursive: true, force: true });
}
