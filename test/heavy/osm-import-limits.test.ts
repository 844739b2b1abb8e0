import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { readOsm } from '../../src/adapters/osm/osm-reader.js';
import { SqliteEventLog } from '../../src/adapters/stores/sqlite/sqlite-event-log.js';
import { buildApiServer } from '../../src/api/server.js';
import { Metrics } from '../../src/api/metrics.js';
import { createCityCapability } from '../../src/city/index.js';
import { streamToFile } from '../../src/city/routes.js';
import { VigilError } from '../../src/kernel/errors.js';
import { closeWorkerPool } from '../../src/platform/heavy/worker-pool.js';
import { fakePrincipal, testContext } from '../support/test-context.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-osm-limits-'));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeWorkerPool();
});

const LIMITS = { maxDecompressedBytes: 1_000_000, maxNodes: 1000, maxWays: 1000, maxRelations: 1000 };

/** A few kilobytes that inflate to 64 MB: an XML comment of spaces. */
function gzipBomb(): Buffer {
  return gzipSync(Buffer.concat([Buffer.from('<osm><!--'), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from('--></osm>')]), { level: 9 });
}

test('a gzip bomb stops at the decompressed-size limit with a clear error', async () => {
  const file = join(dir, 'bomb.osm.gz');
  const bomb = gzipBomb();
  assert.ok(bomb.length < 200_000, `${bomb.length} bytes compressed`);
  writeFileSync(file, bomb);
  await assert.rejects(readOsm(file, bomb.length, undefined, LIMITS), (e: unknown) => {
    assert.ok(e instanceof VigilError);
    assert.equal(e.code, 'payload_too_large');
    assert.match(e.message, /larger than 1000000 bytes uncompressed \(VIGIL_OSM_MAX_DECOMPRESSED_BYTES\)/);
    return true;
  });
});

test('an extract with more nodes than allowed is refused, naming the limit', async () => {
  const file = join(dir, 'many.osm');
  const nodes = Array.from({ length: 1500 }, (_, i) => `<node id="${i + 1}" lat="43.7" lon="7.4"/>`).join('\n');
  writeFileSync(file, `<osm>\n${nodes}\n</osm>`);
  await assert.rejects(readOsm(file, 0, undefined, LIMITS), /more than 1000 nodes \(VIGIL_OSM_MAX_NODES\)/);
});

test('an upload is streamed to disk and stops at the size limit, leaving no file behind', async () => {
  const file = join(dir, 'upload.osm');
  const body = Readable.from([Buffer.alloc(400, 0x20), Buffer.alloc(400, 0x20), Buffer.alloc(400, 0x20)]);
  await assert.rejects(streamToFile(body, file, 1000), (e: unknown) => e instanceof VigilError && e.status === 413);
  assert.equal(existsSync(file), false);
  assert.equal(await streamToFile(Readable.from([Buffer.from('<osm/>')]), file, 1000), 6);
});

async function setup() {
  const dataDir = mkdtempSync(join(dir, 'd'));
  const log = new SqliteEventLog(join(dataDir, 'vigil.sqlite'));
  const ctx = testContext(log, { dataDir, webDistDir: '/nonexistent' });
  const city = createCityCapability(ctx);
  city.projections!.forEach((p) => ctx.projections.register(p));
  await ctx.projections.start();
  // The city is city-wide data: its platform organisation's admin imports it.
  const admin = { ...fakePrincipal(['admin'], 'org_city'), platformOrg: true };
  const server = await buildApiServer({ ctx, metrics: new Metrics('t'), capabilities: [city], version: 't', resolvePrincipal: () => admin });
  const close = async (): Promise<void> => {
    await server.app.close();
    ctx.projections.stop();
    await log.close();
  };
  return { city, app: server.app, close };
}

const SMALL_CITY = `<?xml version="1.0"?>
<osm>
<node id="1" lat="43.730" lon="7.420"/><node id="2" lat="43.730" lon="7.421"/><node id="3" lat="43.731" lon="7.421"/><node id="4" lat="43.731" lon="7.420"/>
<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/><tag k="building" v="residential"/></way>
</osm>`;

async function followImport(app: Awaited<ReturnType<typeof setup>>['app'], importId: string) {
  for (;;) {
    const p = (await app.inject({ method: 'GET', url: `/api/city/imports/${importId}` })).json();
    if (p.phase === 'done' || p.phase === 'failed') return p;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('an uploaded extract is parsed in a worker thread; a bomb upload fails with the limit; a second import of one user waits its turn or is refused', async () => {
  const s = await setup();
  try {
    const upload = (name: string, payload: Buffer | string) =>
      s.app.inject({ method: 'POST', url: `/api/city/imports?name=${name}`, headers: { 'content-type': 'application/octet-stream' }, payload });
    const good = await upload('small.osm', SMALL_CITY);
    assert.equal(good.statusCode, 202, good.body);
    // The same admin again while the first import runs: refused with Retry-After, nothing started.
    const again = await upload('small.osm', SMALL_CITY);
    assert.equal(again.statusCode, 429, again.body);
    assert.ok(Number(again.headers['retry-after']) > 0);
    const done = await followImport(s.app, good.json().importId);
    assert.equal(done.phase, 'done', JSON.stringify(done));
    assert.ok(s.city.service.lastParseThreadId !== null && s.city.service.lastParseThreadId !== threadId, 'parsed off the main thread');

    process.env.VIGIL_OSM_MAX_DECOMPRESSED_BYTES = '1000000';
    try {
      const bomb = await upload('bomb.osm.gz', gzipBomb());
      assert.equal(bomb.statusCode, 202, bomb.body);
      const failed = await followImport(s.app, bomb.json().importId);
      assert.equal(failed.phase, 'failed');
      assert.match(failed.error, /larger than 1000000 bytes uncompressed/);
    } finally {
      delete process.env.VIGIL_OSM_MAX_DECOMPRESSED_BYTES;
    }
  } finally {
    await s.close();
  }
});
