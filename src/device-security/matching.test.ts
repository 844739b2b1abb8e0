import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Device, Site } from '../city/contract.js';
import { readCveRecord, readKevCatalogue, proseToRange } from './intel.js';
import { Matcher, referenceMatch, type Hit, type Subject } from './matcher.js';
import type { CveRecord, VersionEntry, VersionStatus } from './model.js';
import { parseCpe, parsePurl, productMatches } from './names.js';
import { priorityOf } from './priority.js';
import { compareSemver, compareVersions, decideStatus } from './versions.js';
import { testDevice } from '../../test/support/devices.js';

const PACK = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'vuln');
const packRecords = (): CveRecord[] =>
  readdirSync(join(PACK, 'cve'))
    .sort()
    .map((f) => readCveRecord(JSON.parse(readFileSync(join(PACK, 'cve', f), 'utf8'))));
const sortHits = (h: Hit[]) => [...h].sort((a, b) => (a.cveId < b.cveId ? -1 : 1));

test('the CVE 5 status algorithm on real records: ranges, vendor strings, defaults, undecided prose', () => {
  const records = packRecords();
  assert.equal(records.length, 154);
  const m = new Matcher();
  for (const r of records) m.addCve(r);
  const ids = (s: Subject) =>
    m
      .matchSubject(s)
      .map((h) => `${h.cveId}:${h.basis}`)
      .sort();
  // AXIS OS 11.11.0 ≤ v < 11.11.94 (semver): 11.11.73 affected, 11.11.94 not.
  assert.deepEqual(ids({ names: [{ vendor: 'Axis Communications AB', product: 'AXIS OS' }], version: '11.11.73' }), ['CVE-2024-6979:version-range']);
  assert.deepEqual(ids({ names: [{ vendor: 'axis', product: 'axis_os' }], version: '11.11.94' }), []);
  // OpenSSL 3.0.7: four records by semver range; 3.0.16 none.
  assert.equal(ids({ names: [{ vendor: null, product: 'openssl' }], version: '3.0.7' }).length, 4);
  assert.deepEqual(ids({ names: [{ vendor: null, product: 'openssl' }], version: '3.0.16' }), []);
  // Linux kernel 3.15 ≤ v < 6.8 (custom: best effort) — in KEV.
  assert.deepEqual(ids({ names: [{ vendor: null, product: 'linux-kernel' }], version: '5.10.120' }), ['CVE-2024-1086:best-effort']);
  assert.deepEqual(ids({ names: [{ vendor: null, product: 'linux-kernel' }], version: '6.8.1' }), []);
  // MikroTik: range and the defaultStatus affected of CVE-2023-30800.
  assert.deepEqual(ids({ names: [{ vendor: 'MikroTik', product: 'RouterOS' }], version: '6.49.10' }), []);
  // Dahua "Build time before 2024/1/22": Vigil cannot decide and says so.
  assert.ok(ids({ names: [{ vendor: 'Dahua', product: 'NVR4208-4KS2' }], version: 'V4.001.0000001.0.R.231010' }).every((s) => s.endsWith(':undecided')));
  // Gallagher vendor strings: vCR9.10.231204b < vCR9.10.240520a.
  assert.ok(ids({ names: [{ vendor: 'Gallagher', product: 'Controller 6000' }], version: 'vCR9.10.231204b' }).includes('CVE-2024-23485:best-effort'));
  // A fixed build falls outside every range; the record's defaultStatus "affected" then decides, and the finding says so.
  assert.ok(ids({ names: [{ vendor: 'Gallagher', product: 'Controller 6000' }], version: 'vCR9.10.240816a' }).includes('CVE-2024-23485:default-status'));
  // Ranges only in the CISA-ADP container count (GeoVision, in KEV).
  assert.deepEqual(m.matchSubject({ names: [{ vendor: 'GeoVision', product: 'GV-VS12' }], version: '2.1' }), [
    { cveId: 'CVE-2024-11120', source: 'CISA-ADP', basis: 'version-range' },
  ]);
});

test('vendor prose becomes ranges; CPE and purl names are read', () => {
  assert.deepEqual(proseToRange('V5.0.3 and prior'), { versionType: 'custom', text: 'V5.0.3 and prior', version: '0', lessThanOrEqual: 'V5.0.3' });
  assert.equal(proseToRange('AXIS OS 6.50 – 11.5')?.lessThanOrEqual, '11.5');
  assert.equal(proseToRange('All versions')?.lessThan, '*');
  assert.equal(proseToRange('Versions below V2.5.1 (including V2.5.1)')?.lessThanOrEqual, 'V2.5.1');
  assert.equal(proseToRange('IPC-HX8XXX and NVR4XXX Versions which Build time before 2024/2/2'), null);
  assert.deepEqual(parseCpe('cpe:2.3:o:axis:axis_os:11.11.0:*:*:*:*:*:*:*'), { part: 'o', vendor: 'axis', product: 'axis_os', version: '11.11.0' });
  assert.equal(parseCpe('cpe:2.3:o:axis'), null);
  assert.deepEqual(parsePurl('pkg:generic/busybox@1.31.1'), { type: 'generic', namespace: null, name: 'busybox', version: '1.31.1' });
  assert.ok(productMatches('NVR4208-4KS2', 'NVR4XXX'));
  assert.ok(productMatches('Controller 7000', 'Controller 6000 and Controller 7000'));
  assert.ok(productMatches('OnCell G3150A-LTE-EU', 'OnCell G3150A-LTE Series'));
  assert.ok(!productMatches('NetBox Quatro', 'NVR4XXX'));
  const kev = readKevCatalogue(JSON.parse(readFileSync(join(PACK, 'kev', 'known_exploited_vulnerabilities.json'), 'utf8')));
  assert.equal(kev.entries.length, 1404);
  assert.ok(kev.entries.some((e) => e.cveId === 'CVE-2024-1086'));
});

test('priority: a KEV siren on the internet before a lobby camera with the same CVE', () => {
  const siren = priorityOf({ cvss: 7.8, kev: true, ransomware: true, exposure: 'internet-facing', safetyRole: 'life-safety', basis: 'version-range' });
  const lobby = priorityOf({ cvss: 7.8, kev: true, ransomware: true, exposure: 'private', safetyRole: 'other', basis: 'version-range' });
  const isolated = priorityOf({ cvss: 4.6, kev: false, ransomware: false, exposure: 'isolated', safetyRole: 'other', basis: 'best-effort' });
  assert.equal(siren.priority, 'P1');
  assert.ok(siren.score > lobby.score);
  assert.equal(isolated.priority, 'P4');
});

// ---- properties ----

const tuple = fc.array(fc.nat({ max: 12 }), { minLength: 1, maxLength: 4 });
const show = (t: number[]) => t.join('.');
/** Reference order of dotted integer versions: lexicographic on numbers, a missing part first. */
function refCompare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === undefined) return -1;
    if (b[i] === undefined) return 1;
    return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

test('property: the vendor ordering of dotted versions is the numeric tuple order, with or without a v prefix', () => {
  fc.assert(
    fc.property(tuple, tuple, fc.boolean(), (a, b, v) => {
      assert.equal(compareVersions((v ? 'v' : '') + show(a), show(b), 'custom').order, refCompare(a, b));
    }),
  );
  fc.assert(
    fc.property(fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)), fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)), (a, b) => {
      assert.equal(compareSemver(show(a), show(b)), refCompare(a, b));
    }),
  );
});

const statusArb = fc.constantFrom<VersionStatus>('affected', 'unaffected', 'unknown');
const entryArb = fc.oneof(
  fc.record({ version: tuple.map(show), status: statusArb }),
  fc.record({ lo: fc.option(tuple), hi: tuple, inclusive: fc.boolean(), status: statusArb }).map(({ lo, hi, inclusive, status }) => {
    const e: VersionEntry = { version: lo ? show(lo) : '0', status, versionType: 'custom' };
    if (inclusive) e.lessThanOrEqual = show(hi);
    else e.lessThan = show(hi);
    return e;
  }),
);

/** The status written straight from the format's definition, on integer tuples. */
function refStatus(v: number[], entries: VersionEntry[], def: VersionStatus | undefined): VersionStatus {
  const parse = (s: string) => s.split('.').map(Number);
  for (const e of entries) {
    const upper = e.lessThan ?? e.lessThanOrEqual;
    if (upper === undefined) {
      if (refCompare(v, parse(e.version)) === 0) return e.status;
      continue;
    }
    const above = e.version === '0' || refCompare(v, parse(e.version)) >= 0;
    const below = e.lessThan !== undefined ? refCompare(v, parse(upper)) < 0 : refCompare(v, parse(upper)) <= 0;
    if (above && below) return e.status;
  }
  return def ?? 'unknown';
}

test('property: decideStatus follows the CVE 5 definition (first matching entry, else the default)', () => {
  fc.assert(
    fc.property(tuple, fc.array(entryArb, { maxLength: 6 }), fc.option(statusArb, { nil: undefined }), (v, entries, def) => {
      assert.equal(decideStatus(show(v), entries, def).status, refStatus(v, entries, def));
    }),
    { numRuns: 2000 },
  );
});

const VENDORS = ['Axis', 'Hikvision', 'Moxa', 'Siemens'];
const PRODUCTS = ['AXIS OS', 'NVR4XXX', 'NPort 6000 Series', 'Controller 6000 and Controller 7000', 'openssl', 'busybox'];
const recordArb = (i: number) =>
  fc
    .record({
      affected: fc.array(
        fc.record({
          vendor: fc.constantFrom(...VENDORS, 'n/a'),
          product: fc.constantFrom(...PRODUCTS),
          versions: fc.array(entryArb, { maxLength: 3 }),
          defaultStatus: fc.option(statusArb, { nil: undefined }),
          source: fc.constantFrom('cna', 'CISA-ADP'),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    })
    .map(({ affected }): CveRecord => ({
      cveId: `CVE-2024-${1000 + i}`,
      title: '',
      description: '',
      published: null,
      updated: null,
      assigner: null,
      cvss: null,
      affected: affected.map((a) => ({ ...a, packageName: null, cpes: [] })),
    }));
const subjectArb: fc.Arbitrary<Subject> = fc.record({
  names: fc.array(
    fc.record({
      vendor: fc.option(fc.constantFrom(...VENDORS), { nil: null }),
      product: fc.constantFrom('AXIS OS', 'NVR4208-4KS2', 'NPort 6150', 'NPort 6000', 'Controller 7000', 'openssl', 'busybox', 'other'),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  version: tuple.map(show),
});

test('property: the index finds exactly what the brute force finds, for full and incremental matching', () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat(30), { minLength: 1, maxLength: 12 }).chain((ns) => fc.tuple(...ns.map((_, i) => recordArb(i)))),
      fc.array(subjectArb, { minLength: 1, maxLength: 8 }),
      fc.nat(),
      (records, subjects, split) => {
        const cut = split % (records.length + 1);
        const m = new Matcher();
        // Some records before the subjects, the rest after them (the incremental path).
        for (const r of records.slice(0, cut)) m.addCve(r);
        const keys = subjects.map((s) => m.addSubject(s));
        for (const r of records.slice(cut)) m.addCve(r);
        subjects.forEach((s, i) => {
          const expected = sortHits(referenceMatch(s, records));
          assert.deepEqual(sortHits([...m.hits(keys[i]!).values()]), expected);
          assert.deepEqual(sortHits(m.matchSubject(s)), expected);
          // The typed hit counts the SBOM scan reads agree with the hits.
          assert.equal(m.hitCounts[m.profile(keys[i]!)!.id], expected.length);
        });
        // Subjects let go: their slots are emptied and reused, never counted for another subject.
        for (const k of keys) m.removeSubject(k);
        assert.equal(m.profileCount, 0);
        assert.ok(m.hitCounts.every((n) => n === 0));
      },
    ),
    { numRuns: 300 },
  );
});

test('a tie between a CNA entry and an ADP entry names the same source whichever of the subject’s names found them (fast-check counterexample)', () => {
  const record = (cveId: string, affected: { vendor: string; source: string; defaultStatus?: 'affected' }[]): CveRecord => ({
    cveId,
    title: '',
    description: '',
    published: null,
    updated: null,
    assigner: null,
    cvss: null,
    affected: affected.map((a) => ({ ...a, product: 'AXIS OS', versions: [], packageName: null, cpes: [] })),
  });
  const records = [
    record('CVE-2024-1000', [{ vendor: 'Axis', source: 'cna' }]),
    record('CVE-2024-1001', [
      { vendor: 'Axis', source: 'cna', defaultStatus: 'affected' },
      { vendor: 'Moxa', source: 'CISA-ADP', defaultStatus: 'affected' },
    ]),
  ];
  const subject: Subject = {
    names: [
      { vendor: 'Moxa', product: 'AXIS OS' },
      { vendor: null, product: 'AXIS OS' },
    ],
    version: '0',
  };
  const m = new Matcher();
  const key = m.addSubject(subject);
  for (const r of records) m.addCve(r);
  const expected = sortHits(referenceMatch(subject, records));
  assert.equal(expected[0]!.source, 'cna');
  assert.deepEqual(sortHits(m.matchSubject(subject)), expected);
  assert.deepEqual(sortHits([...m.hits(key).values()]), expected);
});

test("the real snapshot against the demo's installed base: every device and SBOM component matched by the index as by the brute-force reference; the known exploited ones found by version range", async () => {
  const { DEMO_GATEWAY_SBOM_XML, DEMO_SIREN_SBOM, demoSecurityAssets } = await import('../demo/demo-security.js');
  const { readSbom } = await import('./sbom.js');
  const { assetSubject, componentSubject } = await import('./state.js');
  const device = (id: string, kind: Device['kind'], orgId: string): Device => testDevice(id, kind, orgId, id);
  const site = (id: string, category: string): Site => ({ id, name: id, category, position: [7.42, 43.73], areaId: 'area', address: null }) as unknown as Site;
  const orgs = { city: 'org_city', police: 'org_police', marc: 'org_marc', fire: 'org_fire' };
  const devices = [
    device('siren-1', 'siren', orgs.city),
    device('loudspeaker-1', 'loudspeaker', orgs.city),
    ...[1, 2, 3].map((n) => device(`camera-${n}`, 'camera', orgs.police)),
    device('panel-1', 'alarm-panel', orgs.marc),
    device('lobby-camera-1', 'camera', orgs.marc),
  ];
  const sites = ['town-hall', 'transport', 'hospital', 'fire-station'].map((c) => site(`site-${c}`, c));
  const assets = demoSecurityAssets(devices, sites, orgs).map((a) => a.asset);
  const components = [...(await readSbom(DEMO_SIREN_SBOM)).components, ...(await readSbom(DEMO_GATEWAY_SBOM_XML)).components];
  const subjects: { what: string; subject: Subject }[] = [
    ...assets.map((a) => ({ what: `${a.vendor} ${a.model} ${a.firmware}`, subject: assetSubject({ platform: null, cpe: null, purl: null, ...a }) })),
    ...components.map((c) => ({ what: `${c.name} ${c.version}`, subject: componentSubject(c) })),
  ];
  const records = packRecords();
  const kev = new Set(
    readKevCatalogue(JSON.parse(readFileSync(join(PACK, 'kev', 'known_exploited_vulnerabilities.json'), 'utf8'))).entries.map((e) => e.cveId),
  );
  const m = new Matcher();
  for (const r of records) m.addCve(r);
  const found = new Map<string, Hit[]>();
  for (const { what, subject } of subjects) {
    const hits = sortHits(m.matchSubject(subject));
    assert.deepEqual(hits, sortHits(referenceMatch(subject, records)), what);
    found.set(what, [...(found.get(what) ?? []), ...hits]);
  }
  const hit = (what: string, cveId: string) => found.get(what)?.find((h) => h.cveId === cveId);
  // The siren controller's kernel: CVE-2024-1086 (known exploited), in its range 3.15 ≤ v < 6.8 (versionType
  // "custom": compared as vendor-style dotted versions, so best-effort); a kernel past the range is not hit.
  assert.equal(hit('linux-kernel 5.10.120', 'CVE-2024-1086')?.basis, 'best-effort');
  assert.ok(kev.has('CVE-2024-1086'));
  const newer = componentSubject({ ...components.find((c) => c.name === 'linux-kernel')!, version: '6.8.1' });
  assert.equal(
    m.matchSubject(newer).find((h) => h.cveId === 'CVE-2024-1086'),
    undefined,
  );
  assert.deepEqual(sortHits(m.matchSubject(newer)), sortHits(referenceMatch(newer, records)));
  // The GeoVision video server: CVE-2024-11120 (known exploited) by the ADP's semantic range.
  assert.equal(hit('GeoVision GV-VS12 2.1', 'CVE-2024-11120')?.basis, 'version-range');
  assert.ok(kev.has('CVE-2024-11120'));
  // The MikroTik router: CVE-2023-30799 by its range.
  assert.equal(hit('MikroTik CCR2004-1G-12S+2XS 6.48.6', 'CVE-2023-30799')?.basis, 'version-range');
  // AXIS OS 11.11 cameras are in CVE-2024-6979's range; the older 10.12 ones are not.
  assert.equal(hit('Axis Communications AB AXIS Q1656-LE 11.11.73', 'CVE-2024-6979')?.basis, 'version-range');
  assert.equal(hit('Axis Communications AB AXIS Q1656-LE 10.12.153', 'CVE-2024-6979'), undefined);
  // At least one demo device or component matches a known exploited vulnerability through a version range.
  const kevByRange = [...found.values()].flat().filter((h) => kev.has(h.cveId) && h.basis === 'version-range');
  assert.ok(kevByRange.length > 0);
});
