import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CityReadPort, Device } from '../city/contract.js';
import { type VigilError } from '../kernel/errors.js';
import type { Principal } from '../platform/access.js';
import { MemoryEventLog } from '../../test/support/memory-event-log.js';
import { testDevice } from '../../test/support/devices.js';
import { fakePrincipal, testContext } from '../../test/support/test-context.js';
import { DEMO_GATEWAY_SBOM_XML, DEMO_SIREN_SBOM } from '../demo/demo-security.js';
import { deviceSecurityLiveView } from './live-view.js';
import { readSbom } from './sbom.js';
import { createDeviceSecurityCapability } from './index.js';

const PACK = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'vuln');

function cityWith(devices: Device[]): CityReadPort {
  return {
    city: null,
    areas: new Map(),
    sites: new Map(),
    zones: new Map(),
    devices: new Map(devices.map((d) => [d.id, d])),
    devicesByAccount: new Map(),
    population: null,
    populationOf: () => null,
  };
}

const device = testDevice;

async function setup(log = new MemoryEventLog()) {
  const ctx = testContext(log);
  const cap = createDeviceSecurityCapability(ctx, {
    city: cityWith([device('dev:siren:1', 'siren', 'org_city'), device('dev:camera:2', 'camera', 'org_police')]),
    orgName: (id) => ({ org_city: 'City', org_police: 'Police' })[id] ?? null,
  });
  for (const p of cap.projections!) ctx.projections.register(p);
  await ctx.projections.start();
  const cityAdmin = { ...fakePrincipal(['admin'], 'org_city'), platformOrg: true };
  const police = fakePrincipal(['supervisor'], 'org_police');
  const csirt = { ...fakePrincipal(['csirt'], 'org_city'), actor: 'user:csirt', platformOrg: true };
  return { ctx, log, cap, service: cap.service, cityAdmin, police, csirt };
}

test('device security end to end: SBOMs (JSON and XML), the offline pack, a KEV finding on a siren first, triage with VEX, owners told, confidentiality', async () => {
  const { service, log, cityAdmin, police, csirt, cap } = await setup();
  await service.importSbom(DEMO_SIREN_SBOM, {}, csirt);
  const xml = await service.importSbom(DEMO_GATEWAY_SBOM_XML, {}, csirt);
  assert.equal(xml.vendor, 'Moxa');
  assert.equal(xml.components.length, 3);
  await service.registerAsset(
    {
      cityDeviceId: 'dev:siren:1',
      kind: 'siren-controller',
      vendor: 'Telegrafia',
      model: 'Bleeper Sonic 1600',
      firmware: '4.2.0',
      exposure: 'internet-facing',
    },
    cityAdmin,
  );
  await service.registerAsset(
    { cityDeviceId: 'dev:camera:2', vendor: 'Axis Communications AB', model: 'AXIS Q1656-LE', platform: 'AXIS OS', firmware: '11.11.73', exposure: 'private' },
    police,
  );
  // Nobody but the owner describes a device (the CSIRT reads and acts, never configures).
  await assert.rejects(
    service.registerAsset({ cityDeviceId: 'dev:camera:2', vendor: 'x', model: 'y', firmware: '1', exposure: 'private' }, csirt),
    (e: VigilError) => e.code === 'forbidden',
  );
  const result = await service.importPath(PACK, 'user:csirt');
  assert.equal(result.cves, 154);
  assert.equal(result.kev, 1404);
  // The same pack again appends nothing.
  const before = await log.lastSeq();
  assert.equal((await service.importPath(PACK, 'user:csirt')).cves, 0);
  assert.equal(await log.lastSeq(), before);

  const all = service.findings(csirt).findings;
  const top = all[0]!;
  assert.equal(top.cveId, 'CVE-2024-1086', 'the known exploited kernel flaw inside the siren controller comes first');
  assert.equal(top.assetId, 'dev:siren:1');
  assert.equal(top.kev, true);
  assert.equal(top.priority, 'P1');
  assert.equal(top.component?.name, 'linux-kernel');
  assert.ok(all.some((f) => f.cveId === 'CVE-2024-6979' && f.assetId === 'dev:camera:2' && f.basis === 'version-range'));
  const sirenScore = top.score;
  const cameraScores = all.filter((f) => f.assetId === 'dev:camera:2').map((f) => f.score);
  assert.ok(cameraScores.every((s) => s < sirenScore));

  // Confidential: the police see their camera's findings only; the CSIRT sees both organisations'.
  assert.ok(service.findings(police).findings.every((f) => f.orgId === 'org_police'));
  assert.ok(service.findings(police).total > 0);
  assert.throws(
    () => service.finding(top.findingId, police),
    (e: VigilError) => e.code === 'not_found',
  );
  assert.equal(new Set(service.findings(csirt).findings.map((f) => f.orgId)).size, 2);
  const noticed = await log.read({ afterSeq: 0, typePrefixes: ['device-security.owner.notified'] });
  assert.deepEqual(new Set(noticed.map((e) => e.orgId)), new Set(['org_city', 'org_police']));
  const view = deviceSecurityLiveView.view;
  const cityNotice = noticed.find((e) => e.orgId === 'org_city')!;
  assert.equal(view(police, cityNotice), null, "the police are not told of the city's findings");
  assert.ok(view(csirt, cityNotice));
  assert.equal(view(fakePrincipal(['operator'], 'org_city'), cityNotice), null, 'an operator of the owner is not on the page');

  // Triage: not affected needs a justification; who and why are kept.
  await assert.rejects(service.triage(top.findingId, { state: 'not-affected', detail: 'no' }, csirt), (e: VigilError) => e.code === 'bad_request');
  await assert.rejects(service.triage(top.findingId, { state: 'confirmed', detail: 'seen' }, police), (e: VigilError) => e.code === 'not_found');
  const triaged = await service.triage(
    top.findingId,
    { state: 'not-affected', justification: 'code_not_reachable', detail: 'nf_tables is not built into this kernel' },
    csirt,
  );
  assert.equal(triaged.triage.state, 'not-affected');
  assert.equal(triaged.triage.by, 'user:csirt');
  const vex = JSON.parse(service.exportVex(csirt)) as { vulnerabilities: { id: string; analysis: { state: string; justification?: string } }[] };
  assert.ok(
    vex.vulnerabilities.some((v) => v.id === 'CVE-2024-1086' && v.analysis.state === 'not_affected' && v.analysis.justification === 'code_not_reachable'),
  );
  assert.equal(cap.reads.countsByPriority('org_city').P1 + cap.reads.countsByPriority('org_city').P2 >= 0, true);

  // The aggregate SBOM validates against the CycloneDX 1.6 schema and reads back with every component.
  const sbom = service.exportSbom(csirt);
  const back = await readSbom(sbom);
  assert.equal(back.specVersion, '1.6');
  assert.equal(back.components.length, 2 + 6, 'two devices and the siren firmware’s six components');

  // A rebuilt projection (replay) gives the same findings and triage.
  const replay = createDeviceSecurityCapability(testContext(log), {
    city: cityWith([device('dev:siren:1', 'siren', 'org_city'), device('dev:camera:2', 'camera', 'org_police')]),
    orgName: () => null,
  });
  for (const e of await log.read({ afterSeq: 0, limit: 100_000 })) replay.projections![0]!.apply(e);
  assert.equal(replay.service.findings(csirt).total, service.findings(csirt).total);
  assert.equal(replay.service.finding(top.findingId, csirt).triage.state, 'not-affected');
});

test('SBOM import refuses what is not CycloneDX or does not validate', async () => {
  await assert.rejects(readSbom('{"bomFormat":"SPDX"}'), /not a CycloneDX/);
  await assert.rejects(readSbom('{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"name":"x"}]}'), /does not validate/);
  await assert.rejects(
    readSbom('<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components><component><name>x</name></component></components></bom>'),
    /does not validate/,
  );
  await assert.rejects(readSbom('<!DOCTYPE x [<!ENTITY a "b">]><bom/>'), /DOCTYPE/);
});

test('a city organisation without the role of the page is refused by the live view; a new CVE reaches the matching devices only', async () => {
  const { service, cityAdmin, csirt } = await setup();
  await service.registerAsset({ cityDeviceId: 'dev:siren:1', vendor: 'Moxa', model: 'OnCell G3150A-LTE', firmware: '1.3', exposure: 'private' }, cityAdmin);
  assert.equal(service.findings(csirt).total, 0);
  await service.importDocument(
    {
      dataType: 'CVE_RECORD',
      cveMetadata: { cveId: 'CVE-2099-0002' },
      containers: {
        cna: {
          title: 'Test',
          affected: [
            {
              vendor: 'Moxa',
              product: 'OnCell G3150A-LTE Series',
              defaultStatus: 'unaffected',
              versions: [{ version: '1.0', lessThanOrEqual: '1.3', status: 'affected', versionType: 'custom' }],
            },
          ],
          metrics: [{ cvssV3_1: { baseScore: 9.8, version: '3.1', vectorString: 'CVSS:3.1/AV:N' } }],
        },
      },
    },
    'test',
    csirt as Principal,
  );
  const f = service.findings(csirt).findings;
  assert.equal(f.length, 1);
  assert.equal(f[0]!.cvss, 9.8);
  assert.equal(f[0]!.basis, 'best-effort');
});

test('CycloneDX round trip: SBOMs imported as JSON and XML come back in the city SBOM, exported as JSON and as XML (each validated against the CycloneDX 1.6 schema), component for component', async () => {
  const { service, cityAdmin, police, csirt } = await setup();
  const imported = [await service.importSbom(DEMO_SIREN_SBOM, {}, csirt), await service.importSbom(DEMO_GATEWAY_SBOM_XML, {}, csirt)];
  await service.registerAsset(
    { cityDeviceId: 'dev:siren:1', vendor: 'Telegrafia', model: 'Bleeper Sonic 1600', firmware: '4.2.0', exposure: 'private' },
    cityAdmin,
  );
  await service.registerAsset({ cityDeviceId: 'dev:camera:2', vendor: 'Moxa', model: 'OnCell G3150A-LTE', firmware: '1.3', exposure: 'private' }, police);
  const key = (c: { name: string; version: string; purl: string | null; cpe: string | null; type: string; group: string | null; supplier: string | null }) =>
    [c.type, c.group, c.name, c.version, c.purl, c.cpe, c.supplier].join('|');
  const expected = imported.flatMap((s) => s.components.map(key)).sort();
  for (const format of ['json', 'xml'] as const) {
    const text = service.exportSbom(csirt, format);
    assert.ok(format === 'xml' ? text.startsWith('<?xml') : text.startsWith('{'), format);
    const back = await readSbom(text); // validated against the schema of its spec version
    assert.equal(back.format, format);
    assert.equal(back.specVersion, '1.6');
    const devices = back.components.filter((c) => c.type === 'device');
    assert.deepEqual(devices.map((d) => `${d.supplier} ${d.name} ${d.version}`).sort(), ['Moxa OnCell G3150A-LTE 1.3', 'Telegrafia Bleeper Sonic 1600 4.2.0']);
    assert.deepEqual(
      back.components
        .filter((c) => c.type !== 'device')
        .map(key)
        .sort(),
      expected,
      `${format}: every imported component, unchanged`,
    );
    // And imported again, the export is an SBOM like any other.
    const again = await service.importSbom(text, { vendor: 'Vigil', model: `city ${format}`, firmware: '1' }, csirt);
    assert.equal(again.components.length, back.components.length);
  }
});

test("an assetId naming a city device describes that device, its owner's: another organisation cannot take its place in the owner's inventory", async () => {
  const { service, cityAdmin, police } = await setup();
  const squat = { assetId: 'dev:siren:1', vendor: 'Acme', model: 'Decoy', firmware: '1.0', exposure: 'private' as const };
  await assert.rejects(service.registerAsset(squat, police), (e: VigilError) => e.code === 'not_found');
  assert.equal(service.state.assets.has('dev:siren:1'), false);
  // The owner still sees its city device as not yet described; the police do not see it at all.
  assert.equal(service.inventory(cityAdmin).find((r) => r.cityDeviceId === 'dev:siren:1')?.assetId, null);
  assert.equal(
    service.inventory(police).some((r) => r.cityDeviceId === 'dev:siren:1'),
    false,
  );
  // Its owner describing it by that id describes the city device (linked to the city model, the owner's organisation).
  const described = await service.registerAsset({ ...squat, vendor: 'Telegrafia', model: 'Bleeper Sonic 1600', firmware: '4.2.0' }, cityAdmin);
  assert.equal(described.orgId, 'org_city');
  assert.equal(described.cityDeviceId, 'dev:siren:1');
  // An asset of the caller's own (no city device of that id) is described with an assetId as before.
  const own = await service.registerAsset(
    { assetId: 'ast_gateway_7', vendor: 'Moxa', model: 'OnCell G3150A-LTE', firmware: '1.3', exposure: 'private' },
    police,
  );
  assert.equal(own.orgId, 'org_police');
  assert.equal(own.cityDeviceId, null);
});

test("an organisation's SBOM applies to its own devices only; the city CSIRT's applies city-wide to the others", async () => {
  const { service, log, cityAdmin, police, csirt } = await setup();
  const siren = { kind: 'siren-controller', vendor: 'Telegrafia', model: 'Bleeper Sonic 1600', firmware: '4.2.0', exposure: 'private' } as const;
  await service.importSbom(DEMO_SIREN_SBOM, {}, csirt);
  await service.registerAsset({ cityDeviceId: 'dev:siren:1', ...siren }, cityAdmin);
  await service.registerAsset({ assetId: 'police-siren', ...siren }, police);
  await service.importPath(PACK, 'user:csirt');
  const componentFindings = (assetId: string) =>
    service
      .findings(csirt)
      .findings.filter((f) => f.assetId === assetId && f.component)
      .map((f) => f.findingId)
      .sort();
  const cityBefore = componentFindings('dev:siren:1');
  assert.ok(cityBefore.length > 0, "the city-wide SBOM's components have findings on the city's siren");
  assert.ok(componentFindings('police-siren').length > 0, "and on the police's siren of the same firmware");
  const components = (p: Principal, assetId: string) => service.inventory(p).find((r) => r.assetId === assetId)?.components;
  const cityComponents = components(cityAdmin, 'dev:siren:1');

  // The police import their own SBOM of that firmware (nothing vulnerable in it).
  const own = JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    components: [{ type: 'library', name: 'police-lib', version: '9.9.9' }],
  });
  const sbom = await service.importSbom(own, { vendor: siren.vendor, model: siren.model, firmware: siren.firmware }, police);
  assert.equal(sbom.orgId, 'org_police');
  // The city's siren keeps the city-wide SBOM and its findings; the police's takes the police's SBOM.
  assert.deepEqual(componentFindings('dev:siren:1'), cityBefore);
  assert.equal(components(cityAdmin, 'dev:siren:1'), cityComponents);
  assert.deepEqual(componentFindings('police-siren'), []);
  assert.equal(components(police, 'police-siren'), 1);
  // Each organisation lists the city-wide SBOMs and its own; the CSIRT all of them.
  assert.deepEqual(
    service.sboms(cityAdmin).map((s) => s.orgId),
    [null],
  );
  assert.deepEqual(
    service
      .sboms(police)
      .map((s) => s.orgId)
      .sort(),
    ['org_police', null].sort(),
  );
  assert.equal(service.sboms(csirt).length, 2);
  // A new city-wide SBOM of that firmware changes the city's devices, not the police's own.
  const empty = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] });
  await service.importSbom(empty, { vendor: siren.vendor, model: siren.model, firmware: siren.firmware }, csirt);
  assert.deepEqual(componentFindings('dev:siren:1'), []);
  assert.equal(components(police, 'police-siren'), 1);
  // Read again from the log, the same.
  const replayed = (await setup(log)).service;
  assert.equal(replayed.inventory(csirt).find((r) => r.assetId === 'police-siren')?.components, 1);
  assert.equal(replayed.inventory(csirt).find((r) => r.assetId === 'dev:siren:1')?.components, 0);
});
