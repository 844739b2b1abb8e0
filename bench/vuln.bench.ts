// npm run bench:vuln — matching the installed base against the offline vulnerability pack.
// 100 000 devices of real vendor/model/firmware combinations, 1 000 firmware SBOMs of 1 000
// components each (1 000 000 components), the pack's 154 CVE records and the 1 404-entry KEV
// catalogue, through the device-security projection (the same code the log feeds).
//   fullMatchMs / matchMs   every record and the KEV catalogue applied to the loaded base, findings built
//   newCveMs                one more CVE record (affecting one product line) — incremental
//   newDeviceMs             one more device (with its firmware's SBOM) — incremental
// A sample of profiles is checked against the brute-force reference. Ends with {"bench":"vuln",...}.
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { readCveRecord, readKevCatalogue } from '../src/device-security/intel.js';
import { referenceMatch } from '../src/device-security/matcher.js';
import type { Asset, Component, CveRecord, Sbom } from '../src/device-security/contract.js';
import { DeviceSecurityState, assetSubject, componentSubject } from '../src/device-security/state.js';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 100_000);
const SBOMS = Number(process.env.BENCH_SBOMS ?? 1000);
const COMPONENTS_PER_SBOM = Number(process.env.BENCH_COMPONENTS ?? 1000);
const PACK = process.env.VIGIL_VULN_DATA_DIR ?? join(import.meta.dirname, '..', '..', 'shared', 'data', 'vuln');

let seed = 20261204;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

const LINES: { vendor: string; model: string; platform: string | null; firmwares: string[]; kind: Asset['kind'] }[] = [
  {
    vendor: 'Axis Communications AB',
    model: 'AXIS Q1656-LE',
    platform: 'AXIS OS',
    firmwares: ['10.12.153', '11.5.64', '11.11.73', '11.11.94', '12.0.86'],
    kind: 'camera',
  },
  { vendor: 'Hikvision', model: 'DS-2CD2143G2-I', platform: null, firmwares: ['V5.7.3', 'V5.7.15'], kind: 'camera' },
  {
    vendor: 'Hikvision',
    model: 'DS-7604NI-K1',
    platform: null,
    firmwares: ['V4.30.090 build 220801', 'V4.30.096build221220', 'V4.31.000'],
    kind: 'video-recorder',
  },
  { vendor: 'Dahua', model: 'NVR4208-4KS2', platform: null, firmwares: ['V4.001.0000001.0.R.231010'], kind: 'video-recorder' },
  {
    vendor: 'Gallagher',
    model: 'Controller 6000',
    platform: null,
    firmwares: ['vCR9.10.231204b', 'vCR9.10.240816a', 'vCR8.90.240209b'],
    kind: 'access-controller',
  },
  { vendor: 'Moxa', model: 'OnCell G3150A-LTE', platform: null, firmwares: ['1.3', '1.7.7', '1.8'], kind: 'gateway' },
  { vendor: 'MikroTik', model: 'CCR2004-1G-12S+2XS', platform: 'RouterOS', firmwares: ['6.48.6', '6.49.7', '6.49.10', '7.12'], kind: 'router' },
  { vendor: 'Sierra Wireless', model: 'AirLink RV50X', platform: 'ALEOS', firmwares: ['4.9.7', '4.16.0', '4.17.0'], kind: 'alarm-transmitter' },
  { vendor: 'Siemens', model: 'InterMesh 7707 Fire Subscriber', platform: null, firmwares: ['V7.2.10', 'V7.2.12'], kind: 'fire-panel' },
  { vendor: 'Schneider Electric', model: 'SpaceLogic AS-P', platform: null, firmwares: ['5.0.2', '6.0.1'], kind: 'building-controller' },
  { vendor: 'GeoVision', model: 'GV-VS12', platform: null, firmwares: ['2.1'], kind: 'video-recorder' },
  { vendor: 'Telegrafia', model: 'Bleeper Sonic 1600', platform: 'Linux', firmwares: ['4.2.0', '4.3.1'], kind: 'siren-controller' },
  { vendor: 'Honeywell', model: 'Galaxy Flex 50', platform: null, firmwares: ['3.55', '3.62'], kind: 'alarm-panel' },
  { vendor: 'Teltonika', model: 'RUT model routers', platform: null, firmwares: ['00.07.02.7', '00.07.04.1'], kind: 'router' },
];
const OSS: [string, string[]][] = [
  ['linux-kernel', ['4.4.180', '5.4.219', '5.10.120', '6.1.55', '6.8.2']],
  ['openssl', ['1.1.1w', '3.0.7', '3.0.13', '3.2.1', '3.3.2']],
  ['busybox', ['1.31.1', '1.33.1', '1.36.1']],
  ['glibc', ['2.31', '2.35', '2.40']],
  ['lighttpd', ['1.4.50', '1.4.76']],
  ['dropbear', ['2020.81', '2022.83']],
];

function makeSbom(i: number, line: (typeof LINES)[number], firmware: string): Sbom {
  const components: Component[] = [];
  for (const [name, versions] of OSS)
    components.push({ ref: name, name, version: pick(versions), group: null, supplier: null, purl: null, cpe: null, type: 'library' });
  for (let c = components.length; c < COMPONENTS_PER_SBOM; c++) {
    const lib = Math.floor(random() * 5000);
    components.push({
      ref: `c${c}`,
      name: `libvendor${lib}`,
      version: `${lib % 7}.${c % 13}.${i % 5}`,
      group: null,
      supplier: null,
      purl: null,
      cpe: null,
      type: 'library',
    });
  }
  return {
    sbomId: `sbom${i}`,
    vendor: line.vendor,
    model: line.model,
    firmware,
    format: 'json',
    specVersion: '1.6',
    serialNumber: null,
    components,
    importedAt: '2026-12-04T00:00:00Z',
  };
}

const mb = () => Math.round(process.memoryUsage().heapUsed / 1e6);
const at = '2026-12-04T00:00:00Z';
const records: CveRecord[] = readdirSync(join(PACK, 'cve'))
  .sort()
  .map((f) => readCveRecord(JSON.parse(readFileSync(join(PACK, 'cve', f), 'utf8'))));
const kev = readKevCatalogue(JSON.parse(readFileSync(join(PACK, 'kev', 'known_exploited_vulnerabilities.json'), 'utf8')));

const state = new DeviceSecurityState();
// Firmware builds: each SBOM is one line's firmware with a build suffix, so 1 000 distinct firmwares exist.
const builds: { line: (typeof LINES)[number]; firmware: string }[] = [];
let t0 = performance.now();
for (let i = 0; i < SBOMS; i++) {
  const line = LINES[i % LINES.length]!;
  const firmware = `${pick(line.firmwares)}${i >= LINES.length * 3 ? `-b${i}` : ''}`;
  builds.push({ line, firmware });
  state.putSbom(makeSbom(i, line, firmware), at);
}
for (let d = 0; d < DEVICES; d++) {
  const { line, firmware } = pick(builds);
  state.putAsset(
    {
      assetId: `a${d}`,
      cityDeviceId: null,
      orgId: `org${d % 7}`,
      label: `${line.model} ${d}`,
      kind: line.kind,
      siteId: null,
      position: null,
      vendor: line.vendor,
      model: line.model,
      platform: line.platform,
      firmware,
      cpe: null,
      purl: null,
      exposure: pick(['internet-facing', 'private', 'private', 'isolated'] as const),
      safetyRole: line.kind === 'siren-controller' || line.kind === 'fire-panel' ? 'life-safety' : 'other',
      lastSeen: null,
    },
    at,
  );
}
const loadMs = performance.now() - t0;
console.log(
  `loaded ${DEVICES} devices, ${SBOMS} SBOMs × ${COMPONENTS_PER_SBOM} components, ${state.matcher.profileCount} distinct profiles in ${Math.round(loadMs)} ms (heap ${mb()} MB)`,
);

t0 = performance.now();
const cpu0 = process.cpuUsage();
const cpuMs = () => {
  const c = process.cpuUsage(cpu0);
  return (c.user + c.system) / 1000;
};
state.putCves(records, at);
const cveMs = performance.now() - t0;
const cveCpuMs = cpuMs();
state.putKev(kev.entries, kev, at);
const kevMs = performance.now() - t0 - cveMs;
const kevCpuMs = cpuMs() - cveCpuMs;
// Every device's findings counted by priority (the figures the page and the cockpit show), group by group
// (devices alike — same firmware profile, SBOM, exposure, role, owner — are counted once); finding objects are built when read.
const total = state.totalCounts();
const findings = total.counts.P1 + total.counts.P2 + total.counts.P3 + total.counts.P4;
const byPriority = total.counts;
const fullMatchMs = performance.now() - t0;
const fullCpu = process.cpuUsage(cpu0);
{
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  let again = 0;
  for (const id of state.assets.keys()) {
    const c = state.countsOf(id);
    again += c.P1 + c.P2 + c.P3 + c.P4;
  }
  const c1 = process.cpuUsage(c0);
  if (again !== findings) throw new Error(`per device ${again} findings, per group ${findings}`);
  console.log(
    `  every device's counts read one by one afterwards (the inventory listing): ${(performance.now() - w0).toFixed(0)} ms wall, ${((c1.user + c1.system) / 1000).toFixed(0)} ms CPU; ${state.groupCount} groups of devices alike`,
  );
}
const fullMatchCpuMs = (fullCpu.user + fullCpu.system) / 1000;
console.log(
  `  of which CVE records ${cveMs.toFixed(0)} ms (${cveCpuMs.toFixed(0)} ms CPU), KEV ${kevMs.toFixed(0)} ms (${kevCpuMs.toFixed(0)} ms CPU), counting per group ${(fullMatchMs - cveMs - kevMs).toFixed(0)} ms (${(fullMatchCpuMs - cveCpuMs - kevCpuMs).toFixed(0)} ms CPU)`,
);
console.log(`findings by priority: ${JSON.stringify(byPriority)}`);
t0 = performance.now();
let built = 0;
for (const id of state.assets.keys()) built += state.findingsOfAsset(id).length;
const buildAllMs = performance.now() - t0;
if (built !== findings) throw new Error(`built ${built} findings, counted ${findings}`);
console.log(`building every finding object (what a full listing costs): ${buildAllMs.toFixed(0)} ms`);
console.log(
  `full match: ${records.length} CVE records + ${kev.entries.length} KEV entries against the base: ${findings} findings in ${fullMatchMs.toFixed(1)} ms wall, ${fullMatchCpuMs.toFixed(0)} ms CPU (heap ${mb()} MB)`,
);

// Check a sample of profiles against the brute force.
let checked = 0;
for (let d = 0; d < DEVICES; d += Math.max(1, Math.floor(DEVICES / 200))) {
  const a = state.assets.get(`a${d}`)!;
  const want = referenceMatch(assetSubject(a.asset), records).length;
  const got = a.deviceKey ? state.matcher.hits(a.deviceKey).size : 0;
  if (want !== got) throw new Error(`device a${d}: index ${got} hits, reference ${want}`);
  for (const component of state.sboms.get(a.sbom)!.components.slice(0, 8)) {
    const w = referenceMatch(componentSubject(component), records).length;
    const got = state.matcher.matchSubject(componentSubject(component)).length;
    if (w !== got) throw new Error(`component ${component.name}@${component.version}: index ${got}, reference ${w}`);
  }
  checked++;
}
console.log(`checked ${checked} devices (and their first components) against the brute-force reference: same hits`);

// One new CVE: a record against one product line (Moxa OnCell).
const newCve: CveRecord = {
  cveId: 'CVE-2099-0001',
  title: 'bench',
  description: '',
  published: null,
  updated: null,
  assigner: null,
  cvss: { score: 9.1, version: '3.1', vector: '' },
  affected: [
    {
      source: 'cna',
      vendor: 'Moxa',
      product: 'OnCell G3150A-LTE Series',
      packageName: null,
      cpes: [],
      versions: [{ version: '1.0', lessThanOrEqual: '1.7.7', status: 'affected', versionType: 'custom' }],
      defaultStatus: 'unaffected',
    },
  ],
};
const cveTimes: number[] = [];
const cvePhases: [number, number, number][] = [];
for (let r = 0; r < 5; r++) {
  t0 = performance.now();
  state.putCves([{ ...newCve, cveId: `CVE-2099-000${r + 1}` }], at);
  const t1 = performance.now();
  // Until the affected devices' counts, and the city's totals, are known again.
  for (const id of state.touched) state.countsOf(id);
  const t2 = performance.now();
  state.totalCounts();
  cveTimes.push(performance.now() - t0);
  cvePhases.push([t1 - t0, t2 - t1, performance.now() - t2]);
}
{
  const mid = cvePhases.map((p, i) => [cveTimes[i]!, ...p] as const).sort((a, b) => a[0] - b[0])[2]!;
  console.log(
    `  one new CVE, the median run: record matched and devices marked ${mid[1].toFixed(2)} ms, ${state.touched.size} devices' counts ${mid[2].toFixed(2)} ms, the city's totals ${mid[3].toFixed(2)} ms`,
  );
}
const newCveMs = cveTimes.sort((a, b) => a - b)[2]!;
const newCveFindings = [...state.allFindings()].filter((f) => f.cveId === 'CVE-2099-0001').length;
console.log(`one new CVE (Moxa OnCell, ${newCveFindings} devices affected): median of 5 ${newCveMs.toFixed(2)} ms`);

// One new device, with an SBOM already known (1 000 components).
const devTimes: number[] = [];
for (let r = 0; r < 5; r++) {
  const { line, firmware } = builds[r * 7 + 11]!;
  t0 = performance.now();
  state.putAsset(
    { ...state.assets.get('a0')!.asset, assetId: `new${r}`, vendor: line.vendor, model: line.model, platform: line.platform, firmware, kind: line.kind },
    at,
  );
  state.findingsOfAsset(`new${r}`);
  devTimes.push(performance.now() - t0);
}
const newDeviceMs = devTimes.sort((a, b) => a - b)[2]!;
console.log(`one new device (firmware with ${COMPONENTS_PER_SBOM} components): median of 5 ${newDeviceMs.toFixed(2)} ms`);

const load = loadavg().map((x) => Math.round(x * 100) / 100);
console.log(`load average ${load.join(' ')}`);
console.log(
  JSON.stringify({
    bench: 'vuln',
    devices: DEVICES,
    components: SBOMS * COMPONENTS_PER_SBOM,
    cves: records.length,
    kev: kev.entries.length,
    profiles: state.matcher.profileCount,
    groups: state.groupCount,
    findings,
    matchMs: Math.round(fullMatchMs * 10) / 10,
    fullMatchMs: Math.round(fullMatchMs * 10) / 10,
    fullMatchCpuMs: Math.round(fullMatchCpuMs),
    incrementalMs: Math.round(Math.max(newCveMs, newDeviceMs) * 100) / 100,
    newCveMs: Math.round(newCveMs * 100) / 100,
    newDeviceMs: Math.round(newDeviceMs * 100) / 100,
    buildAllFindingsMs: Math.round(buildAllMs),
    loadMs: Math.round(loadMs),
    loadAverage: load,
  }),
);
