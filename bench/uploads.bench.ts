/**
 * How long the main thread is blocked while a max-size upload is imported: an SBOM (CycloneDX 1.6
 * JSON, ~4 MiB, 4 900 components) and a STIX indicator import (~9 MiB, 9 000 indicators), each sent
 * through the API of a node started in this process. Event-loop delay (perf_hooks histogram, 1 ms
 * resolution) and the longest gap of a 2 ms timer while the request runs. Not a test: figures only
 * (docs/benchmarks.md, "Uploads off the main thread"). Usage: node --import tsx bench/uploads.bench.ts [runs]
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTestNode, stopTestNode } from '../test/support/test-node.js';
import { bigBundle, bigSbom } from '../test/support/upload-documents.js';

const runs = Number(process.argv[2] ?? 3);

const vigil = await startTestNode('bench-uploads', { VIGIL_DEMO_SINKS: 'false', VIGIL_ROUTING_OSM: 'off' });
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
    await measure(`sbom #${run}`, '/api/device-security/sboms', JSON.stringify({ document: bigSbom(4900, 700, `9.9.${run}`) }));
    await measure(`stix #${run}`, '/api/csirt/indicators', JSON.stringify({ source: `bench-${run}`, bundle: bigBundle(9000, 900, run) }));
  }
} finally {
  await stopTestNode(vigil);
}
