// npm run bench:avl — AVL ingest (parse, batch per unit, durable in the SQLite log) for a
// fleet reporting at once, and dispatch recommendation over that fleet (straight-line
// fallback). Ends with one JSON line {"bench":"avl",...}.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';
import type { Principal } from '../src/platform/access.js';

const UNITS = Number(process.env.BENCH_UNITS ?? 2000);
const FIXES_PER_UNIT = Number(process.env.BENCH_FIXES_PER_UNIT ?? 25);

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-avl-'));
const vigil = await openVigil(
  { ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_DEMO: 'false' }), dataDir: dir },
  { logger: pino({ level: 'silent' }) },
);
try {
  const org = await vigil.capabilities.identity.service.createOrg({ name: 'Bench fleet', kind: 'fire' }, 'system');
  const by = { orgId: org.id, actor: 'system:bench' };
  const kinds = ['fire-engine', 'ambulance', 'police-car'] as const;
  const caps = { 'fire-engine': ['fire-suppression', 'rescue'], ambulance: ['basic-life-support'], 'police-car': ['law-enforcement'] } as const;
  const ids: string[] = [];
  for (let u = 0; u < UNITS; u++) {
    const kind = kinds[u % 3]!;
    const unit = await vigil.capabilities.units.service.register(
      { callSign: `B${u}`, kind, capabilities: [...caps[kind]], homePosition: [7.4 + (u % 50) * 0.001, 43.72 + Math.floor(u / 50) * 0.0005] },
      by,
    );
    ids.push(unit.unitId);
  }
  const units = vigil.capabilities.units.service;
  const before = await vigil.ctx.log.lastSeq();
  const logBytes = statSync(join(dir, 'vigil.sqlite')).size;
  const t0 = Date.now() - 60_000;
  // Every unit reports FIXES_PER_UNIT fixes, all units at once (one MQTT message each).
  const started = performance.now();
  // All messages in flight at once: this measures what one node absorbs; each is acknowledged when its window is durable.
  const pending: Promise<unknown>[] = [];
  for (let k = 0; k < FIXES_PER_UNIT; k++) {
    ids.forEach((id, u) =>
      pending.push(
        units.handleMqttPosition(
          id,
          Buffer.from(
            JSON.stringify({
              lon: 7.4 + (u % 50) * 0.001 + k * 1e-5,
              lat: 43.72 + k * 1e-5,
              speed: 12.3,
              heading: 87,
              at: new Date(t0 + k * 1000).toISOString(),
            }),
          ),
        ),
      ),
    );
  }
  const parsedMs = performance.now() - started;
  await units.avl.flush();
  await Promise.all(pending);
  const ingestMs = performance.now() - started;
  const fixes = UNITS * FIXES_PER_UNIT;
  const events = (await vigil.ctx.log.lastSeq()) - before;
  const bytesPerFix = (statSync(join(dir, 'vigil.sqlite')).size - logBytes) / fixes;
  // Recommendation over the whole fleet.
  const commander: Principal = {
    kind: 'user',
    actor: 'user:bench',
    userId: 'usr_bench',
    orgId: org.id,
    roles: ['commander'],
    authLevel: 2,
    displayName: 'bench',
    visibleOrgIds: new Set([org.id]),
    actableOrgIds: new Set([org.id]),
    platformOrg: false,
  };
  const incident = await vigil.capabilities.incidents.service.create({ type: 'fire', position: [7.42, 43.73], source: 'call' }, commander);
  const runs = 50;
  const r0 = performance.now();
  let ranked = 0;
  for (let k = 0; k < runs; k++) ranked = (await vigil.capabilities.incidents.service.recommend(incident.incidentId, commander)).ranked.length;
  const recommendMs = (performance.now() - r0) / runs;
  const trackStarted = performance.now();
  const track = await units.track(ids[0]!, t0 - 1, t0 + FIXES_PER_UNIT * 1000, commander);
  const trackMs = performance.now() - trackStarted;
  console.log(`parse + enqueue: ${Math.round(parsedMs)} ms; then the durable write of the window (flushed at once, not after the 2 s timer)`);
  console.log(
    `${fixes} fixes from ${UNITS} units in ${Math.round(ingestMs)} ms (${Math.round(fixes / (ingestMs / 1000))} fixes/s) as ${events} events (${(fixes / events).toFixed(1)} fixes per event), ≈ ${Math.round(bytesPerFix)} bytes of SQLite file per fix`,
  );
  console.log(
    `recommendation over ${UNITS} units (${ranked} qualify): ${recommendMs.toFixed(2)} ms; track of one unit (${track.length} fixes): ${trackMs.toFixed(1)} ms`,
  );
  console.log(
    JSON.stringify({
      bench: 'avl',
      units: UNITS,
      fixes,
      ingestMs: Math.round(ingestMs),
      parseMs: Math.round(parsedMs),
      fixesPerSec: Math.round(fixes / (ingestMs / 1000)),
      events,
      fixesPerEvent: Number((fixes / events).toFixed(1)),
      bytesPerFix: Math.round(bytesPerFix),
      recommendMs: Number(recommendMs.toFixed(2)),
      qualifying: ranked,
      trackMs: Number(trackMs.toFixed(1)),
    }),
  );
} finally {
  await vigil.close();
  rmSync(dir, { recursive: true, force: true });
}
