import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import type { RunningVigil } from '../../src/app.js';
import { signInCookie } from '../support/api-client.js';
import { startCluster } from '../support/cluster.js';
import { POSTGRES_URL, requireNats, requirePostgres } from '../support/services.js';
import { until } from '../support/until.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * CSIRT artefacts on a cluster: a file too large for the log is stored in the cluster's
 * PostgreSQL before the upload is answered, so any node serves it — also once the node that
 * received it is gone — and erasing it (by hand or by retention) deletes the shared bytes and
 * every node's cached copy. Two nodes on the real PostgreSQL and NATS.
 */
test('csirt artefacts in a cluster: uploaded on A, the same bytes from B (also with A stopped); erased, both refuse and the shared bytes are gone', async (t) => {
  if (!(await requirePostgres(t)) || !(await requireNats(t))) return;
  const cluster = await startCluster('art', { demo: true, env: { VIGIL_ROUTING_OSM: 'off' } });
  const [a, b] = cluster.nodes as [RunningVigil, RunningVigil];
  const db = new pg.Client({ connectionString: POSTGRES_URL });
  await db.connect();
  const s = cluster.isolation.pgSchema;
  const rows = async (table: string, hash: string): Promise<number> =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${s}.${table} WHERE sha256 = $1`, [hash])).rows[0]!.n);
  const cached = (node: RunningVigil, hash: string): boolean => existsSync(join(node.ctx.config.dataDir, 'csirt', 'artefacts', hash.slice(0, 2), hash));
  try {
    await a.demoLoaded;
    const cookie = (await signInCookie(a, 'csirt'))!;
    await until(async () => (await fetch(`${b.url}/api/auth/me`, { headers: { cookie } })).status === 200, 'the session started on A to be valid on B');
    const call = async (node: RunningVigil, method: string, path: string, body?: Buffer | object): Promise<Response> =>
      fetch(`${node.url}${path}`, {
        method,
        headers: { cookie, 'content-type': Buffer.isBuffer(body) ? 'application/vnd.tcpdump.pcap' : 'application/json' },
        ...(body === undefined ? {} : { body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) }),
      });
    const opened = await call(a, 'POST', '/api/csirt/cases', { title: 'Siren controller beaconing out' });
    assert.equal(opened.status, 201);
    const caseId = ((await opened.json()) as { case: { caseId: string } }).case.caseId;
    const upload = async (node: RunningVigil, name: string, bytes: Buffer): Promise<{ artefactId: string; sha256: string }> => {
      const sent = await call(node, 'POST', `/api/csirt/cases/${caseId}/artefacts?name=${name}`, bytes);
      assert.equal(sent.status, 201, await sent.clone().text());
      const { artefacts } = ((await sent.json()) as { case: { artefacts: { artefactId: string; name: string; sha256: string }[] } }).case;
      return artefacts.find((x) => x.name === name)!;
    };
    const download = async (node: RunningVigil, artefactId: string): Promise<{ status: number; bytes: Buffer; sha: string | null }> => {
      const r = await call(node, 'GET', `/api/csirt/artefacts/${artefactId}`);
      return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()), sha: r.headers.get('x-content-sha256') };
    };

    // 3 MiB (past the log's 512 KiB): in PostgreSQL before A answers, in pieces of 1 MiB.
    const capture = randomBytes(3 * MiB);
    const first = await upload(a, 'egress.pcap', capture);
    assert.equal(first.sha256, sha(capture));
    assert.equal(await rows('shared_files', first.sha256), 1, 'stored in the cluster before the upload was answered');
    assert.equal(await rows('shared_file_chunks', first.sha256), 3);
    assert.equal(cached(b, first.sha256), false, 'B has no copy of its own yet');

    // B serves the same bytes (fetched from the shared store into its cache, checked against the hash).
    await until(() => b.capabilities.csirt.service.state.artefacts.has(first.artefactId), 'B to know the artefact');
    const fromB = await download(b, first.artefactId);
    assert.equal(fromB.status, 200);
    assert.equal(fromB.sha, first.sha256);
    assert.ok(fromB.bytes.equals(capture), 'the same bytes from B');
    assert.ok(cached(b, first.sha256), 'B keeps a cached copy');

    // Erased on B: recorded, then the shared bytes and both nodes' copies go; both refuse.
    const erased = await call(b, 'POST', `/api/csirt/artefacts/${first.artefactId}/erase`, { note: 'captured a resident’s traffic' });
    assert.equal(erased.status, 200);
    assert.equal(await rows('shared_files', first.sha256), 0, 'the shared bytes are deleted');
    assert.equal(await rows('shared_file_chunks', first.sha256), 0);
    assert.equal(await rows('shared_file_holders', first.sha256), 0);
    await until(() => !a.capabilities.csirt.service.state.artefacts.has(first.artefactId), 'A to apply the erasure');
    for (const node of [a, b]) assert.equal((await download(node, first.artefactId)).status, 404, `node ${node.ctx.config.nodeId} refuses it`);
    await until(() => !cached(a, first.sha256), "A's copy to go when it hears of the erasure");
    assert.equal(cached(b, first.sha256), false);

    // The receiving node is lost: B still serves what A acknowledged, and the retention erases it from the cluster.
    const image = randomBytes(2 * MiB + 17);
    const second = await upload(a, 'firmware.bin', image);
    await until(() => b.capabilities.csirt.service.state.artefacts.has(second.artefactId), 'B to know the second artefact');
    await cluster.stop(a);
    const served = await download(b, second.artefactId);
    assert.equal(served.status, 200);
    assert.ok(served.bytes.equals(image), 'served by B with A gone');
    const closed = await call(b, 'POST', `/api/csirt/cases/${caseId}/close`, { resolution: 'true-positive', note: 'firmware re-flashed' });
    assert.equal(closed.status, 200, await closed.clone().text());
    assert.equal(await b.capabilities.csirt.service.runArtefactRetention(1, b.ctx.clock.now() + 2 * 86_400_000), 1);
    assert.equal(await rows('shared_files', second.sha256), 0, 'the retention deleted the shared bytes');
    assert.equal((await download(b, second.artefactId)).status, 404);
    assert.equal(cached(b, second.sha256), false);
  } finally {
    await db.end();
    await cluster.close();
  }
});
