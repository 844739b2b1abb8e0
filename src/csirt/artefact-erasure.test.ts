import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { CityReadPort } from '../city/contract.js';
import type { VigilError } from '../kernel/errors.js';
import { isSealed } from '../platform/personal-data.js';
import { MemoryEventLog } from '../../test/support/memory-event-log.js';
import { fakePrincipal, testContext } from '../../test/support/test-context.js';
import { MAX_ARTEFACT_BYTES, type CsirtEvents } from './contract.js';
import { CsirtState } from './csirt-state.js';
import { createCsirtCapability } from './index.js';

const DAY = 86_400_000;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-erasure-'));
  const log = new MemoryEventLog();
  const ctx = testContext(log, { dataDir });
  const city: CityReadPort = {
    city: null,
    areas: new Map(),
    sites: new Map(),
    zones: new Map(),
    devices: new Map(),
    devicesByAccount: new Map(),
    population: null,
    populationOf: () => null,
  };
  const desk = createCsirtCapability(ctx, { city, orgName: () => 'Police', actorName: (a) => a });
  for (const p of desk.projections!) ctx.projections.register(p);
  await ctx.projections.start();
  await desk.start?.();
  const csirt = { ...fakePrincipal(['csirt'], 'org_city'), actor: 'user:csirt' };
  const police = fakePrincipal(['supervisor'], 'org_police');
  const store = join(dataDir, 'csirt', 'artefacts');
  return { log, ctx, desk, csirt, police, store, done: () => rmSync(dataDir, { recursive: true, force: true }) };
}

test('csirt artefact erasure: recorded first and audited, the sealed copy in the log shredded, the file on disk deleted once no case names its hash', async () => {
  const { log, ctx, desk, csirt, police, store, done } = await setup();
  try {
    const c1 = await desk.service.openCase(csirt, { title: 'Recorder beaconing', orgId: 'org_police' });
    const c2 = await desk.service.openCase(csirt, { title: 'Same capture, second site', orgId: 'org_police' });
    // A small file: into the log, sealed under a key of its own.
    const small = Buffer.from('Dec  4 03:12:09 nvr kernel: [ 12.3] eth0 beacon to 203.0.113.9\n');
    const a = (await desk.service.addArtefact(csirt, c1.caseId, { name: 'kernel.log', declaredType: 'text/plain', bytes: small })).artefacts[0]!;
    const [added] = await log.read({ afterSeq: 0, typePrefixes: ['csirt.case.artefact-added'] });
    const sealed = (added!.data as CsirtEvents['csirt.case.artefact-added']).base64;
    assert.ok(isSealed(sealed), 'the bytes in the log are sealed');
    assert.deepEqual((await desk.service.artefact(police, a.artefactId)).bytes, small);
    // Another organisation does not even learn the artefact exists (the route lets only CSIRT handlers in besides).
    await assert.rejects(desk.service.eraseArtefact(fakePrincipal(['supervisor'], 'org_fire'), a.artefactId), (e: VigilError) => e.code === 'not_found');
    const after = await desk.service.eraseArtefact(csirt, a.artefactId, 'personal data of a passer-by');
    assert.equal(after.artefacts.length, 0);
    assert.ok(
      after.timeline.some((t) => t.what === 'artefact kernel.log erased (erased on request) — personal data of a passer-by' && t.actor === 'user:csirt'),
    );
    await assert.rejects(desk.service.artefact(csirt, a.artefactId), (e: VigilError) => e.code === 'not_found');
    assert.equal(await ctx.personal.open(sealed as { key: string; sealed: string }), null, 'the key is shredded: every copy of the event reads as erased');
    const types = (await log.read({ afterSeq: added!.seq })).map((e) => e.type);
    assert.ok(types.indexOf('csirt.case.artefact-erased') < types.indexOf('privacy.record.erased'), 'recorded before the key goes');
    // The hash stays an observable of the case (what was seen), the bytes do not.
    assert.ok(after.observables.some((o) => o.type === 'sha256' && o.value === a.sha256));

    // A large file, the same capture in two cases: one file on disk, kept until both let it go.
    const large = Buffer.alloc(MAX_ARTEFACT_BYTES + 4096, 7);
    const upload = (caseId: string) =>
      desk.service.addArtefactUpload(csirt, caseId, { name: 'beacon.pcap', declaredType: 'application/vnd.tcpdump.pcap', body: Readable.from([large]) });
    const big1 = (await upload(c1.caseId)).artefacts[0]!;
    const big2 = (await upload(c2.caseId)).artefacts[0]!;
    const file = join(store, sha(large).slice(0, 2), sha(large));
    assert.ok(existsSync(file));
    await desk.service.eraseArtefact(csirt, big1.artefactId);
    assert.ok(existsSync(file), 'still named by the second case');
    assert.equal((await desk.service.artefact(csirt, big2.artefactId)).bytes.length, large.length);
    await desk.service.eraseArtefact(csirt, big2.artefactId);
    assert.ok(!existsSync(file), 'deleted with the last artefact naming it');
    await assert.rejects(desk.service.eraseArtefact(csirt, big2.artefactId), (e: VigilError) => e.code === 'not_found');

    // The desk rebuilt from the log agrees.
    const replay = new CsirtState();
    for (const e of await log.read({ afterSeq: 0 })) if (replay.typePrefixes.some((p) => e.type.startsWith(p))) replay.apply(e);
    assert.equal(replay.cases.get(c1.caseId)!.artefacts.length, 0);
    assert.equal(replay.artefacts.size, 0);
  } finally {
    done();
  }
});

test('csirt artefact retention: a case closed longer than the retention loses its artefacts (system actor, audited); open and recently closed cases keep theirs; files no artefact names are pruned', async () => {
  const { desk, csirt, store, done } = await setup();
  try {
    const old = await desk.service.openCase(csirt, { title: 'Old phishing wave' });
    const open = await desk.service.openCase(csirt, { title: 'Still investigating' });
    const file = (name: string) => ({ name, declaredType: 'text/plain', bytes: Buffer.from(`mail headers of ${name}\n`) });
    await desk.service.addArtefact(csirt, old.caseId, file('old.eml'));
    await desk.service.addArtefact(csirt, open.caseId, file('open.eml'));
    await desk.service.close(csirt, old.caseId, 'true-positive', 'blocked');
    const now = Date.now();
    assert.equal(await desk.service.runArtefactRetention(30, now + 29 * DAY), 0, 'not yet');
    assert.equal(await desk.service.runArtefactRetention(0, now + 999 * DAY), 0, '0 keeps them');
    assert.equal(await desk.service.runArtefactRetention(30, now + 31 * DAY), 1);
    const view = desk.service.caseView(csirt, old.caseId);
    assert.equal(view.artefacts.length, 0);
    assert.ok(view.timeline.some((t) => t.what === 'artefact old.eml erased (retention period reached)' && t.actor === 'system:csirt-retention'));
    assert.equal(desk.service.caseView(csirt, open.caseId).artefacts.length, 1);

    // A file left on disk by an erasure this node did not finish (or made elsewhere) goes at the next start.
    const stray = Buffer.from('left behind');
    mkdirSync(join(store, sha(stray).slice(0, 2)), { recursive: true });
    writeFileSync(join(store, sha(stray).slice(0, 2), sha(stray)), stray);
    assert.equal(await desk.service.pruneStore(), 1);
    assert.ok(!existsSync(join(store, sha(stray).slice(0, 2), sha(stray))));
  } finally {
    done();
  }
});
