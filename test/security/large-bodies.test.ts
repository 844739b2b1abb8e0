import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { threadId } from 'node:worker_threads';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import { lastLargeBody } from '../../src/routing/large-body-off-thread.js';
import { loadConfig } from '../../src/kernel/config.js';
import { signInCookie } from '../support/api-client.js';
import { dc09Panel as panel } from '../support/dc09-panel.js';

/**
 * Issue 13, item 3: a flood of large JSON bodies from signed-in accounts cannot starve the
 * alarm path. Large bodies are taken a few at a time (two per caller, four for the node),
 * the rest refused before their body is read; small requests and DC-09 alarms go on. The
 * routes whose bodies are large by design have limits that fit their largest valid body.
 */

let vigil: RunningVigil;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-large-bodies-'));
  vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  await vigil.demoLoaded;
  await vigil.capabilities.routing.loaded;
});

after(async () => {
  await vigil.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `n` coverage points as JSON, about 60 bytes each. */
function coverageBody(n: number): string {
  const points = Array.from({ length: n }, (_, i) => ({
    position: [7.41 + (i % 300) * 0.0000123456789, 43.725 + Math.floor(i / 300) * 0.0000123456789],
    weight: 1.5,
  }));
  return JSON.stringify({ stations: [[7.416, 43.7305]], targetMinutes: 3, points });
}

interface Held {
  request: ClientRequest;
  response: Promise<IncomingMessage & { body: string }>;
  finish(): void;
}

/** A POST whose body is announced in full but sent only in part until `finish`: it holds its large-body slot. */
function heldPost(path: string, cookie: string, body: string): Held {
  const url = new URL(vigil.url);
  const request = httpRequest({
    host: url.hostname,
    port: url.port,
    method: 'POST',
    path,
    headers: { cookie, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const response = new Promise<IncomingMessage & { body: string }>((resolve, reject) => {
    request.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve(Object.assign(res, { body: text })));
    });
    request.on('error', reject);
  });
  request.write(body.slice(0, 1000));
  return { request, response, finish: () => request.end(body.slice(1000)) };
}

async function post(path: string, cookie: string, body: string): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  const r = await fetch(`${vigil.url}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
  return { status: r.status, headers: Object.fromEntries(r.headers) as IncomingMessage['headers'], body: await r.text() };
}

async function untilInFlight(n: number): Promise<void> {
  while (vigil.server.largeBodies.inFlight < n) await new Promise((r) => setTimeout(r, 10));
}

test('large bodies: two per caller and four for the node are read at once, more are refused before they are read, while small requests and DC-09 alarms go on', async () => {
  const responder = (await signInCookie(vigil, 'responder'))!;
  const operator = (await signInCookie(vigil, 'operator'))!;
  const supervisor = (await signInCookie(vigil, 'supervisor'))!;
  const big = coverageBody(20_000); // about 1.1 MB
  assert.ok(Buffer.byteLength(big) > 1_048_576, 'larger than the node-wide default limit');
  const stats = vigil.server.largeBodies;
  const refusedBefore = stats.refused;

  // The responder holds two large bodies: a third is refused at once with Retry-After.
  const held = [heldPost('/api/routing/coverage', responder, big), heldPost('/api/routing/coverage', responder, big)];
  await untilInFlight(vigil.server.largeBodies.limits.perCaller);
  const third = await post('/api/routing/coverage', responder, big);
  assert.equal(third.status, 429, third.body);
  assert.equal(third.headers['retry-after'], '2');
  assert.match(JSON.parse(third.body).error.message, /already have 2 large requests in progress/);

  // The same caller's small requests are not held up.
  const small = await post('/api/routing/coverage', responder, coverageBody(10));
  assert.equal(small.status, 200, small.body);

  // Others take the remaining slots of the node; beyond four in all, everyone waits.
  held.push(heldPost('/api/routing/coverage', operator, big), heldPost('/api/routing/coverage', operator, big));
  await untilInFlight(vigil.server.largeBodies.limits.atOnce);
  const fifth = await post('/api/routing/coverage', supervisor, big);
  assert.equal(fifth.status, 429, fifth.body);
  assert.match(JSON.parse(fifth.body).error.message, /busy with other large requests/);
  assert.ok(stats.refused - refusedBefore >= 2);

  // Meanwhile the alarm path answers: a panel's frames are acknowledged, health is up.
  const account = [...vigil.capabilities.city.service.state.devices.values()].find(
    (d) => d.kind === 'alarm-panel' && d.account && !vigil.capabilities.alarms.state.accounts.get(d.account)?.key,
  )!.account!;
  const p = panel(vigil.capabilities.alarms.receiver.tcpPort!);
  await p.ready;
  for (let seq = 1; seq <= 5; seq++) {
    assert.match(await p.reply(signalFrame({ id: 'SIA-DCS', seq, account, data: 'Nri1/BA001', now: Date.now() })), new RegExp(`"\\*?ACK"000${seq}`));
  }
  p.close();
  assert.equal((await fetch(`${vigil.url}/api/health`)).status, 200);

  // The held bodies complete and are answered; their slots are given back.
  held.forEach((h) => h.finish());
  const answers = await Promise.all(held.map((h) => h.response));
  for (const a of answers) assert.equal(a.statusCode, 200, a.body);
  assert.equal(JSON.parse(answers[0]!.body).points, 20_000);
  while (stats.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  assert.ok(stats.peak <= stats.limits.atOnce, `peak ${stats.peak}`);
  const again = await post('/api/routing/coverage', responder, big);
  assert.equal(again.status, 200, 'the slots were given back');
});

test('body limits fit the routes whose bodies are large by design: 200 000 coverage points are taken, more than the limit is a 413 that says it', async () => {
  const responder = (await signInCookie(vigil, 'responder'))!;
  const full = coverageBody(200_000);
  assert.ok(Buffer.byteLength(full) > 10 * 1024 * 1024);
  const ok = await post('/api/routing/coverage', responder, full);
  assert.equal(ok.status, 200, ok.body.slice(0, 300));
  assert.equal(JSON.parse(ok.body).points, 200_000);
  assert.ok(lastLargeBody.threadId > 0 && lastLargeBody.threadId !== threadId, 'the 12 MB body was parsed, checked and packed in a worker thread');
  // Checked there with the route's schema: a bad point is the route's own 400.
  const bad = JSON.parse(full) as { points: { weight: number }[] };
  bad.points[150_000]!.weight = -1;
  const refused = await post('/api/routing/coverage', responder, JSON.stringify(bad));
  assert.equal(refused.status, 400, refused.body.slice(0, 300));
  assert.equal(JSON.parse(refused.body).error.code, 'validation_failed');
  assert.match(JSON.parse(refused.body).error.message, /body\/points\/150000\/weight must be >= 0/);
  // A small body is still read by the route itself, and gives the same answer.
  const small = await post('/api/routing/coverage', responder, coverageBody(500));
  const smallOff = await post('/api/routing/coverage', responder, coverageBody(500) + ' '.repeat(300 * 1024));
  assert.equal(small.status, 200, small.body);
  assert.deepEqual(JSON.parse(smallOff.body), JSON.parse(small.body), 'the same points read in a worker (a body over 256 KiB) cover the same');
  const tooBig = await post('/api/routing/coverage', responder, full + ' '.repeat(8 * 1024 * 1024));
  assert.equal(tooBig.status, 413);
  assert.match(JSON.parse(tooBig.body).error.message, /at most 16 MiB \(16777216 bytes, VIGIL_COVERAGE_BODY_BYTES\)/);
  // A route without a large body keeps the node's 1 MiB limit.
  const closure = await post('/api/routing/closures', (await signInCookie(vigil, 'operator'))!, JSON.stringify({ reason: 'x'.repeat(1_100_000) }));
  assert.equal(closure.status, 413);
});

test('a large evacuation body is parsed and checked in a worker thread, its origins crossing as one JSON text: the same plan as the same body read by the route', async () => {
  const responder = (await signInCookie(vigil, 'responder'))!;
  const origins = Array.from({ length: 1500 }, (_, i) => ({
    id: `o${i}`,
    name: `Immeuble ${i}`,
    position: [7.415 + (i % 50) * 0.0002, 43.728 + Math.floor(i / 50) * 0.0002],
    people: i % 7,
  }));
  const body = JSON.stringify({ hazard: { circles: [{ center: [7.4215, 43.7335], radiusM: 120 }] }, origins });
  assert.ok(Buffer.byteLength(body) < 256 * 1024, 'read by the route');
  lastLargeBody.threadId = -1;
  const small = await post('/api/routing/evacuation', responder, body);
  assert.equal(small.status, 200, small.body.slice(0, 300));
  assert.equal(lastLargeBody.threadId, -1, 'a small body is read by the route');
  const large = await post('/api/routing/evacuation', responder, body + ' '.repeat(300 * 1024));
  assert.equal(large.status, 200, large.body.slice(0, 300));
  assert.ok(lastLargeBody.threadId > 0 && lastLargeBody.threadId !== threadId, 'the large body was read in a worker thread');
  assert.deepEqual(JSON.parse(large.body), JSON.parse(small.body));
  const bad = await post(
    '/api/routing/evacuation',
    responder,
    JSON.stringify({ hazard: {}, origins: [...origins, { id: '', position: [0, 0] }] }) + ' '.repeat(300 * 1024),
  );
  assert.equal(bad.status, 400, bad.body.slice(0, 300));
  assert.match(JSON.parse(bad.body).error.message, /body\/origins\/1500\/id must NOT have fewer than 1 characters/);
});
