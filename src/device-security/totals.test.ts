import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Asset, CveRecord, KevEntry, Priority, Sbom } from './model.js';
import { DeviceSecurityState } from './state.js';

const at = '2026-12-04T00:00:00Z';
const asset = (id: string, firmware: string, orgId: string, exposure: Asset['exposure']): Asset => ({
  assetId: id,
  cityDeviceId: null,
  orgId,
  label: id,
  kind: 'gateway',
  siteId: null,
  position: null,
  vendor: 'Moxa',
  model: 'OnCell G3150A-LTE',
  platform: null,
  firmware,
  cpe: null,
  purl: null,
  exposure,
  safetyRole: 'other',
  lastSeen: null,
});
const cve = (id: string, upTo: string, score: number): CveRecord => ({
  cveId: id,
  title: id,
  description: '',
  published: null,
  updated: null,
  assigner: null,
  cvss: { score, version: '3.1', vector: '' },
  affected: [
    {
      source: 'cna',
      vendor: 'Moxa',
      product: 'OnCell G3150A-LTE Series',
      packageName: null,
      cpes: [],
      versions: [{ version: '1.0', lessThanOrEqual: upTo, status: 'affected', versionType: 'custom' }],
      defaultStatus: 'unaffected',
    },
  ],
});

/** The totals counted afresh, device by device, from each device's own findings. */
function byDevice(state: DeviceSecurityState, orgId: string | null): { devices: number; counts: Record<Priority, number> } {
  const counts: Record<Priority, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };
  let devices = 0;
  for (const [id, t] of state.assets) {
    if (orgId !== null && t.asset.orgId !== orgId) continue;
    devices++;
    for (const f of state.findingsOfAsset(id)) counts[f.priority]++;
  }
  return { devices, counts };
}

test('the kept totals (re-counting only the groups a change touched) equal counting every device afresh, after every kind of change', () => {
  const state = new DeviceSecurityState();
  const firmwares = ['1.3', '1.7.7', '1.8'];
  const exposures: Asset['exposure'][] = ['internet-facing', 'private', 'isolated'];
  for (let i = 0; i < 60; i++) state.putAsset(asset(`a${i}`, firmwares[i % 3]!, `org${i % 4}`, exposures[i % 3]!), at);
  const check = (what: string) => {
    for (const org of [null, 'org0', 'org1', 'org2', 'org3', 'org9'])
      assert.deepEqual(state.totalCounts(org), byDevice(state, org), `${what} (${org ?? 'city'})`);
  };
  check('empty catalogue');
  state.putCves([cve('CVE-2099-0001', '1.7.7', 9.8)], at);
  check('a first CVE');
  state.putCves([cve('CVE-2099-0002', '1.3', 5.0)], at);
  check('a second CVE');
  const kev: KevEntry = {
    cveId: 'CVE-2099-0002',
    vendorProject: 'Moxa',
    product: 'OnCell',
    name: 'x',
    dateAdded: '2026-12-01',
    dueDate: '2026-12-21',
    requiredAction: 'patch',
    ransomware: false,
  };
  state.putKev([kev], { catalogVersion: '1', dateReleased: at }, at);
  check('known exploited');
  state.putAsset(asset('a5', '1.8', 'org2', 'internet-facing'), at);
  check('a device upgraded and moved to another owner');
  state.dropAsset('a7');
  state.dropAsset('a8');
  check('devices removed');
  for (let i = 60; i < 70; i++) state.putAsset(asset(`a${i}`, '1.3', 'org9', 'internet-facing'), at);
  check('a new owner with devices');
  state.putCves([cve('CVE-2099-0001', '1.3', 4.0)], at);
  check('a CVE record revised');
  for (let i = 60; i < 70; i++) state.dropAsset(`a${i}`);
  check("the new owner's devices gone");
  // Firmware SBOMs: findings read before a change to a component's CVE are rebuilt after it.
  const sbom = (firmware: string, opensslVersion: string): Sbom => ({
    sbomId: `s-${firmware}`,
    vendor: 'Moxa',
    model: 'OnCell G3150A-LTE',
    firmware,
    format: 'json',
    specVersion: '1.6',
    serialNumber: null,
    components: [
      { ref: 'ssl', name: 'openssl', version: opensslVersion, group: null, supplier: null, purl: null, cpe: null, type: 'library' },
      { ref: 'other', name: 'libother', version: '1.0', group: null, supplier: null, purl: null, cpe: null, type: 'library' },
    ],
    importedAt: at,
  });
  state.putSbom(sbom('1.3', '3.0.7'), at);
  state.putSbom(sbom('1.8', '3.3.2'), at);
  check('SBOMs imported');
  const opensslCve: CveRecord = {
    ...cve('CVE-2099-0003', '1.0', 7.5),
    affected: [
      {
        source: 'cna',
        vendor: 'OpenSSL',
        product: 'OpenSSL',
        packageName: null,
        cpes: [],
        versions: [{ version: '3.0.0', lessThan: '3.0.16', status: 'affected', versionType: 'semver' }],
        defaultStatus: 'unaffected',
      },
    ],
  };
  state.putCves([opensslCve], at);
  check('a CVE on a component');
  assert.ok(state.findingsOfAsset('a0').some((f) => f.cveId === 'CVE-2099-0003' && f.component?.name === 'openssl'));
  assert.ok(!state.findingsOfAsset('a2').some((f) => f.cveId === 'CVE-2099-0003'));
  state.putKev([kev, { ...kev, cveId: 'CVE-2099-0003', ransomware: true }], { catalogVersion: '2', dateReleased: at }, at);
  check('the component CVE known exploited');
  assert.ok(state.findingsOfAsset('a0').find((f) => f.cveId === 'CVE-2099-0003')!.kev);
  state.putSbom(sbom('1.3', '3.0.16'), at);
  check('a fixed SBOM');
  assert.ok(!state.findingsOfAsset('a0').some((f) => f.cveId === 'CVE-2099-0003'));
});
