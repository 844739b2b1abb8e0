// Heavy requests do not hold the main thread: each runs in the worker pool or a
// bounded pool, equal requests share one run, and /api/health answers while they
// run. Assertions are on structure (threads, runs, refusals, bounds), never on time.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { PdfPrinter, CHROMIUM } from '../../src/adapters/pdf/print-pdf.js';
import { capValidatorRuns, capValidators, validateCapXml } from '../../src/alerts/cap/cap-validate.js';
import { VoiceCache, voiceRenders } from '../../src/alerts/messages/voice.js';
import { lastCapParse } from '../../src/alerts/cap/cap-worker.js';
import { MAX_CAP_BYTES } from '../../src/alerts/cap/cap-xml.js';
import type { RunningVigil } from '../../src/app.js';
import type { Position } from '../../src/kernel/geo.js';
import { workerTasksFinished } from '../../src/platform/heavy/worker-pool.js';
import { alertEvacuationGuidance } from '../../src/routing/index.js';
import { readOsm } from '../../src/adapters/osm/osm-reader.js';
import { buildRoadGraph } from '../../src/routing/road-graph.js';
import { Router } from '../../src/routing/router.js';
import type { AlertRecord } from '../../src/alerts/contract.js';
import { signInCookie, signedIn, type ApiCall } from '../support/api-client.js';
import { startTestNode, stopTestNode } from '../support/test-node.js';

let vigil: RunningVigil;

before(async () => {
  vigil = await startTestNode('heavy');
  await vigil.capabilities.routing.loaded;
  assert.equal(vigil.capabilities.routing.service.loadError, null);
});

after(() => stopTestNode(vigil));

/** Starts the calls and reports, once /api/health has answered, how many of them had already finished. */
async function healthWhile<T>(calls: Promise<T>[]): Promise<{ finishedBeforeHealth: number; results: T[] }> {
  let finished = 0;
  calls.forEach(
    (c) =>
      void c.then(
        () => finished++,
        () => finished++,
      ),
  );
  const health = await vigil.server.app.inject({ method: 'GET', url: '/api/health' });
  assert.equal(health.statusCode, 200);
  const finishedBeforeHealth = finished;
  return { finishedBeforeHealth, results: await Promise.all(calls) };
}

const FIRE = { circles: [{ center: [7.4215, 43.7335] as Position, radiusM: 120 }], spreadMPerMin: 10 };

test('evacuation: six equal plans in flight are one run in a worker thread, and /api/health answers before it ends', async () => {
  const responder = await signedIn(vigil, 'responder');
  const gate = vigil.capabilities.routing.service.offThread.evacuationGate;
  const runsBefore = gate.stats.runs;
  const calls = Array.from({ length: 6 }, () => responder('POST', '/api/routing/evacuation', { hazard: FIRE, horizonMin: 10 }));
  // Once the plan is being made, health is asked and answers while it still is.
  while (gate.stats.running === 0) await new Promise((r) => setImmediate(r));
  assert.equal((await vigil.server.app.inject({ method: 'GET', url: '/api/health' })).statusCode, 200);
  assert.equal(gate.stats.running, 1, 'health answered while the plan was being made');
  const { finishedBeforeHealth, results } = await healthWhile(calls);
  for (const r of results) assert.equal(r.status, 200, r.body);
  assert.deepEqual(
    results.map((r) => r.json.totals.origins),
    Array(6).fill(results[0]!.json.totals.origins),
  );
  assert.ok(results[0]!.json.totals.origins > 5);
  assert.equal(finishedBeforeHealth, 0, 'health answered while the plan was being made');
  assert.equal(gate.stats.runs - runsBefore, 1, 'one run for six equal requests');
  const worker = vigil.capabilities.routing.service.offThread.lastThreadId;
  assert.ok(worker !== null && worker !== threadId, 'planned in a worker thread');
});

test('evacuation: a user asking for a third different plan while two run is refused with 429 and Retry-After', async () => {
  const operator = await signedIn(vigil, 'operator');
  const plan = (horizonMin: number): ReturnType<ApiCall> => operator('POST', '/api/routing/evacuation', { hazard: FIRE, horizonMin });
  const gate = vigil.capabilities.routing.service.offThread.evacuationGate;
  const refusedBefore = gate.stats.refused;
  const results = await Promise.all([plan(11), plan(12), plan(13)]);
  assert.deepEqual(
    results.map((r) => r.status),
    [200, 200, 429],
  );
  assert.match(results[2]!.json.error.message, /already have 2 evacuation plan requests running/);
  assert.equal(gate.stats.refused - refusedBefore, 1);
  const again = await plan(13);
  assert.equal(again.status, 200, 'the quota is given back when the runs end');
});

test('an Evacuate alert’s guidance over every building of the city is planned once, in a worker thread, from the building snapshot', async () => {
  const routing = vigil.capabilities.routing.service;
  let listed = 0;
  const sites = () => (listed++, vigil.capabilities.city.reads.sites.values());
  const guidance = alertEvacuationGuidance(routing, sites, vigil.capabilities.routing.buildings);
  const alert = {
    alertId: 'alt_heavy_test',
    cap: {
      msgType: 'Alert',
      info: [{ language: 'en-GB', responseType: ['Evacuate'], area: [{ areaDesc: 'La Condamine', circle: ['43.7335,7.4215 0.15'] }] }],
    },
  } as unknown as AlertRecord;
  routing.offThread.lastThreadId = null;
  const before = workerTasksFinished('evacuationInWorker') + workerTasksFinished('evacuationJsonInWorker');
  await Promise.all([guidance.prepare!(alert), guidance.prepare!(alert), guidance.prepare!(alert)]);
  assert.equal(workerTasksFinished('evacuationInWorker') + workerTasksFinished('evacuationJsonInWorker') - before, 1, 'three preparations, one plan');
  const worker = routing.offThread.lastThreadId;
  assert.ok(worker !== null && worker !== threadId, 'planned in a worker thread');
  assert.match(guidance(alert, null, 'en-GB') ?? '', /^Assembly points: .+\.$/);
  assert.equal(listed, 0, 'the buildings came from the snapshot: the main thread listed none for the alert');
});

test('coverage of 20 000 given points runs in a worker thread while /api/health answers', async () => {
  const analyst = await signedIn(vigil, 'responder');
  const points = Array.from({ length: 20_000 }, (_, i) => ({ position: [7.41 + (i % 200) * 0.0001, 43.725 + Math.floor(i / 200) * 0.0002], weight: 1 }));
  const { finishedBeforeHealth, results } = await healthWhile([
    analyst('POST', '/api/routing/coverage', { stations: [[7.416, 43.7305]], targetMinutes: 3, points }),
  ]);
  assert.equal(results[0]!.status, 200, results[0]!.body);
  assert.equal(results[0]!.json.points, 20_000);
  assert.equal(finishedBeforeHealth, 0);
  const worker = vigil.capabilities.routing.service.offThread.lastThreadId;
  assert.ok(worker !== null && worker !== threadId);
  // The points crossed as one transferred Float64Array (detached here after the transfer), not 20 000 cloned objects.
  const sent = vigil.capabilities.routing.service.offThread.lastCoverageInput;
  assert.ok(sent instanceof Float64Array);
  assert.equal(sent.byteLength, 0, 'transferred to the worker');
});

test('the cockpit’s fire-station coverage (every residential building) is searched in a worker thread, with the live weights', async () => {
  const offThread = vigil.capabilities.routing.service.offThread;
  offThread.lastThreadId = null;
  const feed = vigil.capabilities.cockpit.fireCoverage!;
  const coverage = await feed.run();
  assert.ok(coverage, 'the demo city has fire stations');
  assert.ok(coverage.residentialSites > 100 && coverage.covered.size > 0, `${coverage.covered.size} of ${coverage.residentialSites}`);
  assert.ok(offThread.lastThreadId !== null && offThread.lastThreadId !== threadId, 'searched in a worker thread');
});

test('road graphs are built in a worker thread: three loads of the extract at once are one build, /api/health answers meanwhile, routes agree with a graph built here', async () => {
  const service = vigil.capabilities.routing.service;
  const file = service.info!.file;
  const before = workerTasksFinished('buildGraphsInWorker');
  const joinedBefore = service.buildGate.stats.joined;
  service.lastBuildThreadId = null;
  const { finishedBeforeHealth, results } = await healthWhile([service.load(file), service.load(file), service.load(file)]);
  assert.equal(finishedBeforeHealth, 0, '/api/health answered while the graphs were being built');
  assert.equal(new Set(results).size, 1, 'the three loads share one result');
  assert.equal(service.buildGate.stats.joined - joinedBefore, 2, 'two loads joined the first');
  assert.equal(workerTasksFinished('buildGraphsInWorker') - before, 1, 'one pool task');
  assert.ok(service.lastBuildThreadId !== null && service.lastBuildThreadId !== threadId, 'built in a worker thread');
  // The moved graph, grid and landmarks route exactly as a router built on this thread from the same extract.
  const here = new Router(buildRoadGraph(await readOsm(file, statSync(file).size), 'car', service.info!.sha256));
  const from: Position = [7.4215, 43.7335],
    to: Position = [7.4128, 43.7312];
  const moved = service.router('car').route(from, to);
  assert.ok(moved, 'a route');
  assert.deepEqual(moved, here.route(from, to));
  assert.equal(service.router('car').graph.graphId, here.graph.graphId);
});

test('audit verification: eight concurrent requests walk the log once, in one pool task that reads the log itself', async () => {
  const admin = await signedIn(vigil, 'admin');
  const before = workerTasksFinished('walkChainInWorker');
  let mainThreadReads = 0;
  const log = vigil.ctx.log;
  const read = log.read.bind(log);
  log.read = async (options) => {
    if (options?.limit === 5000) mainThreadReads++;
    return read(options);
  };
  // The walk of this small log takes milliseconds: hold its start a second so that all eight requests,
  // sent together but read one by one on a loaded machine, arrive while it is in flight.
  const lastSeq = log.lastSeq.bind(log);
  log.lastSeq = async () => {
    await new Promise((r) => setTimeout(r, 1000));
    return lastSeq();
  };
  try {
    const { finishedBeforeHealth, results } = await healthWhile(Array.from({ length: 8 }, () => admin('POST', '/api/audit/verify')));
    for (const r of results) {
      assert.equal(r.status, 200, r.body);
      assert.equal(r.json.ok, true);
    }
    assert.equal(finishedBeforeHealth, 0);
  } finally {
    log.read = read;
    log.lastSeq = lastSeq;
  }
  assert.equal(workerTasksFinished('walkChainInWorker') - before, 1, 'one walk for eight callers, one task');
  assert.equal(mainThreadReads, 0, 'the main thread read no batch of the log');
});

const CAP = (i: number) => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>TEST-HEAVY-${i}</identifier>
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

test('twelve CAP validations at once: at most two validator runs at a time, waiting documents share a run, a bad one fails alone', async () => {
  const runsBefore = capValidatorRuns.count;
  const docs = Array.from({ length: 12 }, (_, i) => (i === 7 ? CAP(i).replace('<severity>Moderate', '<severity>Orange') : CAP(i)));
  const { finishedBeforeHealth, results } = await healthWhile(docs.map((xml) => validateCapXml(xml)));
  assert.deepEqual(
    results.map((r) => r.valid),
    docs.map((_, i) => i !== 7),
  );
  assert.match(results[7]!.errors[0]!, /severity/);
  assert.ok(finishedBeforeHealth < 12);
  assert.equal(capValidators.peak, 2);
  // Twelve documents, fewer runs (plus one for the bad document checked alone).
  assert.ok(capValidatorRuns.count - runsBefore < 12, `${capValidatorRuns.count - runsBefore} runs`);
});

test('CAP import: the document is read and checked in a worker thread; one over 1 MiB is a 413 that says the limit, before any work', async () => {
  const officer = await signedIn(vigil, 'alert-officer');
  lastCapParse.threadId = -1;
  lastCapParse.checkedOnThread = -1;
  const areas = '<area><areaDesc>Quartier</areaDesc><polygon>43.72,7.41 43.73,7.41 43.73,7.42 43.72,7.41</polygon></area>'.repeat(2000);
  const xml = CAP(900).replace('<area><areaDesc>Alpes-Maritimes</areaDesc></area>', areas);
  const imported = await officer('POST', '/api/alerts/import', xml, 'application/xml');
  assert.equal(imported.status, 201, imported.body);
  assert.equal(imported.json.alert.cap.info[0].area.length, 2000);
  assert.ok(lastCapParse.threadId > 0 && lastCapParse.threadId !== threadId, 'parsed in a worker thread');
  assert.ok(lastCapParse.checkedOnThread > 0 && lastCapParse.checkedOnThread !== threadId, 'the rules and the record copy ran in a worker thread');
  // The same bytes again: the same alert, recognised by the received document's hash.
  const again = await officer('POST', '/api/alerts/import', xml, 'application/xml');
  assert.equal(again.status, 200, again.body);
  assert.equal(again.json.alert.alertId, imported.json.alert.alertId);

  const runsBefore = capValidatorRuns.count;
  const bomb = CAP(901).replace('<area><areaDesc>Alpes-Maritimes</areaDesc></area>', areas.repeat(6));
  assert.ok(Buffer.byteLength(bomb) > MAX_CAP_BYTES);
  const budget = vigil.capabilities.alerts.service.uploadBudget;
  const officerActor = (await officer('GET', '/api/auth/me')).json.actor as string;
  const availableBefore = budget.available(officerActor);
  for (const type of ['application/xml', 'text/plain']) {
    const refused = await officer('POST', '/api/alerts/import', bomb, type);
    assert.equal(refused.status, 413, `${type}: ${refused.body}`);
    assert.equal(refused.json.error.code, 'payload_too_large');
    assert.match(refused.json.error.message, /a CAP document is at most 1 MiB \(1048576 bytes\)/);
  }
  assert.equal(capValidatorRuns.count, runsBefore, 'an oversized document is not validated');
  assert.ok(budget.available(officerActor) >= availableBefore, 'nor counted against its sender’s upload budget');
});

test('voice: the same message asked in case variants at once is rendered by one espeak-ng', async () => {
  const voices = new VoiceCache();
  const before = voiceRenders.started;
  const text = 'Flood warning for the harbour. Move to higher ground.';
  const wavs = await Promise.all(['en-GB', 'EN-gb', 'en-gb', 'En-Gb', 'en-GB', 'EN-GB'].map((lang) => voices.get(text, lang)));
  assert.equal(voiceRenders.started - before, 1);
  assert.ok(wavs.every((w) => w === wavs[0]));
  await voices.get(text, 'en-gb');
  assert.equal(voiceRenders.started - before, 1, 'cached afterwards');
  assert.equal(VoiceCache.key(text, 'en-GB'), VoiceCache.key(text, 'en-gb'));
});

test('PDF: five exports at once share one Chromium and at most two pages', { skip: !existsSync(CHROMIUM) && !process.env.CI }, async () => {
  const printer = new PdfPrinter(2, 1000);
  try {
    const pdfs = await Promise.all(Array.from({ length: 5 }, (_, i) => printer.print(`<h1>Timeline ${i}</h1>`)));
    assert.ok(pdfs.every((p) => p.subarray(0, 4).toString() === '%PDF'));
    assert.equal(printer.launches, 1);
    assert.equal(printer.pages.peak, 2);
  } finally {
    await printer.close();
  }
});

// Last in the file: it spends the alert officer's upload budget for the minute.
test('CAP import: a user who uploads more than VIGIL_CAP_IMPORT_MIB_PER_MIN a minute is refused with 429 and Retry-After before any validation', async () => {
  const areas = '<area><areaDesc>Quartier</areaDesc><polygon>43.72,7.41 43.73,7.41 43.73,7.42 43.72,7.41</polygon></area>'.repeat(9500);
  const xml = CAP(950).replace('<area><areaDesc>Alpes-Maritimes</areaDesc></area>', areas);
  const bytes = Buffer.byteLength(xml);
  assert.ok(bytes > 900 * 1024 && bytes <= MAX_CAP_BYTES);
  const budget = vigil.capabilities.alerts.service.uploadBudget;
  const fits = Math.floor(budget.bytesPerMinute / bytes);
  const cookie = (await signInCookie(vigil, 'alert-officer'))!;
  const post = () =>
    vigil.server.app.inject({ method: 'POST', url: '/api/alerts/import', headers: { cookie, 'content-type': 'application/xml' }, payload: xml });
  // The budget refills while these run (a sixteenth of it every 3.75 s), so a few more may fit than a full budget holds.
  let accepted = 0;
  let runsBefore = capValidatorRuns.count;
  let again = await post();
  while (again.statusCode !== 429 && accepted < fits + 8) {
    assert.ok([200, 201].includes(again.statusCode), again.body);
    accepted++;
    runsBefore = capValidatorRuns.count;
    again = await post();
  }
  // (earlier tests in this file spent a little of the budget: one fewer may have fitted)
  assert.ok(accepted >= fits - 1, `${accepted} accepted before the refusal, ${fits} fit in the budget`);
  assert.equal(again.statusCode, 429, again.body);
  assert.equal(again.json().error.code, 'rate_limited');
  assert.match(again.json().error.message, /more than 16 MiB of CAP documents in the last minute; try again in \d+ s/);
  assert.match(String(again.headers['retry-after']), /^\d+$/);
  assert.equal(again.headers.connection, 'close', 'refused from its Content-Length, before the body is read: the connection closes');
  assert.equal(capValidatorRuns.count, runsBefore, 'refused before any validation');
});
