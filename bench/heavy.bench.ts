// npm run bench:heavy — how long /api/health takes while heavy requests run: quiet,
// then 40 concurrent CAP imports, then 20 concurrent evacuation plans of the whole
// demo city (distinct hazards, four users). Health is asked every 20 ms over real
// HTTP; reports p50/p99/max per phase and how the heavy requests ended (200, 429 …;
// 0: the connection was dropped).
// Uses only the HTTP API, so the same file runs against an older checkout to compare.
// Ends with one JSON line {"bench":"heavy",...}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';

const CAP_IMPORTS = Number(process.env.BENCH_CAP_IMPORTS ?? 40);
const PLANS = Number(process.env.BENCH_PLANS ?? 20);
const QUIET_MS = 3000;

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-heavy-'));
const vigil = await serveVigil({
  ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' }),
  dataDir,
  port: 0,
  host: '127.0.0.1',
});
await vigil.capabilities.routing.loaded;
const url = vigil.url;

async function login(username: string): Promise<Record<string, string>> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'vigil-demo' }),
  });
  // The session is the cookie (sessions are cookies only).
  const cookie = /^(vigil_session=[^;]+)/.exec(r.headers.getSetCookie().find((c) => c.startsWith('vigil_session=')) ?? '')?.[1];
  if (!cookie) throw new Error(`${username} could not sign in: ${r.status}`);
  return { cookie };
}

/** Asks /api/health every 20 ms until `stop` resolves; returns the latencies (ms). */
async function healthDuring(stop: Promise<unknown>): Promise<number[]> {
  let done = false;
  void stop.finally(() => (done = true));
  const samples: number[] = [];
  while (!done) {
    const t = performance.now();
    // A dropped health request counts as the time it took to fail.
    await fetch(`${url}/api/health`).then(
      (r) => r.arrayBuffer(),
      () => null,
    );
    samples.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return samples.sort((a, b) => a - b);
}

function summary(samples: number[]): { n: number; p50: number; p99: number; max: number } {
  return { n: samples.length, p50: +pct(samples, 50).toFixed(1), p99: +pct(samples, 99).toFixed(1), max: +(samples.at(-1) ?? NaN).toFixed(1) };
}

const statuses = (list: number[]): Record<string, number> => list.reduce<Record<string, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});

const cap = (i: number): string => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>BENCH-HEAVY-${Date.now()}-${i}</identifier>
  <sender>vigilance@meteo.example</sender>
  <sent>2026-11-23T06:00:00+01:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>Vent violent</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Likely</certainty>
    <area><areaDesc>Alpes-Maritimes</areaDesc></area>
  </info>
</alert>`;

try {
  const officer = await login('alert-officer');
  const planners = await Promise.all(['responder', 'operator', 'commander', 'analyst'].map(login));

  // Warm up: one plan (a worker builds its road graph once) and one import (the validator loads).
  await fetch(`${url}/api/routing/evacuation`, {
    method: 'POST',
    headers: { ...planners[0], 'content-type': 'application/json' },
    body: JSON.stringify({ hazard: { circles: [{ center: [7.4215, 43.7335], radiusM: 100 }] } }),
  });
  await fetch(`${url}/api/alerts/import`, { method: 'POST', headers: { ...officer, 'content-type': 'application/cap+xml' }, body: cap(-1) });

  const quiet = summary(await healthDuring(new Promise((r) => setTimeout(r, QUIET_MS))));

  let t = performance.now();
  const imports = Promise.all(
    Array.from({ length: CAP_IMPORTS }, (_, i) =>
      fetch(`${url}/api/alerts/import`, { method: 'POST', headers: { ...officer, 'content-type': 'application/cap+xml' }, body: cap(i) }).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status;
        },
        () => 0, // the connection was dropped
      ),
    ),
  );
  const capHealth = summary(await healthDuring(imports));
  const capMs = Math.round(performance.now() - t);
  const capStatuses = statuses(await imports);

  t = performance.now();
  const plans = Promise.all(
    Array.from({ length: PLANS }, (_, i) =>
      fetch(`${url}/api/routing/evacuation`, {
        method: 'POST',
        headers: { ...planners[i % planners.length], 'content-type': 'application/json' },
        body: JSON.stringify({ hazard: { circles: [{ center: [7.4215, 43.7335], radiusM: 100 + i * 10 }], spreadMPerMin: 10 } }),
      }).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status;
        },
        () => 0, // the connection was dropped
      ),
    ),
  );
  const planHealth = summary(await healthDuring(plans));
  const planMs = Math.round(performance.now() - t);
  const planStatuses = statuses(await plans);

  console.log(`health while quiet: p50 ${quiet.p50} ms, p99 ${quiet.p99} ms (${quiet.n} samples)`);
  console.log(
    `health during ${CAP_IMPORTS} CAP imports: p50 ${capHealth.p50} ms, p99 ${capHealth.p99} ms, max ${capHealth.max} ms; imports took ${capMs} ms`,
    capStatuses,
  );
  console.log(
    `health during ${PLANS} evacuation plans: p50 ${planHealth.p50} ms, p99 ${planHealth.p99} ms, max ${planHealth.max} ms; plans took ${planMs} ms`,
    planStatuses,
  );
  console.log(
    JSON.stringify({
      bench: 'heavy',
      quiet,
      capImports: { ...capHealth, totalMs: capMs, statuses: capStatuses },
      plans: { ...planHealth, totalMs: planMs, statuses: planStatuses },
    }),
  );
} finally {
  await vigil.close();
  rmSync(dataDir, { recursive: true, force: true });
}
