/**
 * How long the main thread is blocked while a max-size upload is imported: an SBOM (CycloneDX 1.6
 * JSON, ~4 MiB, 4 900 components) and a STIX indicator import (~9 MiB, 9 000 indicators), each sent
 * through the API of a node started in this process. Event-loop delay (perf_hooks histogram, 1 ms
 * resolution) and the longest gap of a 2 ms timer while the request runs. Not a test: figures only
 * (docs/benchmarks.md, "Uploads off the main thread"). Usage: node --import tsx bench/uploads.bench.ts [runs]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serveVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';

const runs = Number(process.argv[2] ?? 3);

function sbom(n: number, pad: number, firmware: string): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { type: 'firmware', name: 'Bench controller', version: firmware, manufacturer: { name: 'Bench Vendor' } } },
    components: Array.from({ length: n }, (_, i) => ({
      type: 'library',
      'bom-ref': `lib-${i}`,
      name: `libbench${i}`,
      version: `1.${i % 50}.${i % 7}`,
      purl: `pkg:generic/libbench${i}@1.${i % 50}.${i % 7}`,
      description: 'x'.repeat(pad),
    })),
  });
}

function bundle(n: number, pad: number, run: number): Record<string, unknown> {
  return {
    type: 'bundle',
    id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
    objects: Array.from({ length: n }, (_, i) => ({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${String(i).padStart(8, '0')}-0000-4000-8000-${String(run).padStart(12, '0')}`,
      name: `Bad host ${i}`,
      description: 'y'.repeat(pad),
      pattern: `[ipv4-addr:value = '10.${run}.${(i >> 8) & 255}.${i & 255}']`,
      pattern_type: 'stix',
      valid_from: '2026-01-01T00:00:00Z',
    })),
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-uploads-'));
const vigil = await serveVigil({
  ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_DEMO_SINKS: 'false', VIGIL_ROUTING_OSM: 'off' }),
  dataDir,
  port: 0,
  host: '127.0.0.1',
});
try {
  const { token } = await vigil.capabilities.identity.service.login({ username: 'csirt', password: 'vigil-demo' }, '127.0.0.1');
  const cookie = `vigil_session=${token}`;
  const base = vigil.url;
  async function measure(label: string, url: string, body: string): Promise<void> {
    const h = monitorEventLoopDelay({ resolution: 1 });
    let last = performance.now();
    let gap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
    }, 2);
    h.enable();
    const t0 = performance.now();
    const r = await fetch(base + url, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
    await r.text();
    const ms = performance.now() - t0;
    h.disable();
    clearInterval(timer);
    const load = loadavg()[0]!.toFixed(2);
    console.log(
      `${label}: status ${r.status}, ${(body.length / 1048576).toFixed(1)} MiB, request ${ms.toFixed(0)} ms, event-loop delay p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms max ${(h.max / 1e6).toFixed(1)} ms, longest 2 ms-timer gap ${gap.toFixed(1)} ms, load ${load}`,
    );
  }
  for (let run = 1; run <= runs; run++) {
    await measure(`sbom #${run}`, '/api/device-security/sboms', JSON.stringify({ document: sbom(4900, 700, `9.9.${run}`) }));
    await measure(`stix #${run}`, '/api/csirt/indicators', JSON.stringify({ source: `bench-${run}`, bundle: bundle(9000, 900, run) }));
  }
} finally {
  await vigil.close();
  rmSync(dataDir, { recursive: true, force: true });
}
