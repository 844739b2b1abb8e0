import type { Device, Site } from '../city/contract.js';
import type { AssetInput } from '../device-security/contract.js';
import { siteDisplayName } from '../directory/contract.js';

/**
 * The demo city's installed base for device security: invented devices with real vendor,
 * model and firmware names, chosen so that matching finds real CVE records of the
 * offline pack — a known exploited one (Linux kernel CVE-2024-1086) inside the siren
 * controllers' firmware, GeoVision CVE-2024-11120 (KEV) on a police video server — and
 * records Vigil cannot decide (Dahua's "build time before …").
 */
export interface DemoSecurityOrgs {
  city: string;
  police: string;
  marc: string;
  fire: string;
}

/** SBOMs of two firmwares, as their vendors' build tools would write them (CycloneDX 1.6 JSON and 1.5 XML). */
export const DEMO_SIREN_SBOM = JSON.stringify({
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  version: 1,
  metadata: {
    component: { type: 'firmware', name: 'Bleeper Sonic 1600', version: '4.2.0', manufacturer: { name: 'Telegrafia' } },
  },
  components: [
    { type: 'operating-system', name: 'linux-kernel', version: '5.10.120', purl: 'pkg:generic/linux-kernel@5.10.120', 'bom-ref': 'kernel' },
    { type: 'library', name: 'glibc', version: '2.31', purl: 'pkg:generic/glibc@2.31', 'bom-ref': 'glibc' },
    { type: 'library', name: 'openssl', version: '3.0.7', purl: 'pkg:generic/openssl@3.0.7', 'bom-ref': 'openssl' },
    { type: 'application', name: 'busybox', version: '1.33.1', purl: 'pkg:generic/busybox@1.33.1', 'bom-ref': 'busybox' },
    { type: 'application', name: 'lighttpd', version: '1.4.50', purl: 'pkg:generic/lighttpd@1.4.50', 'bom-ref': 'lighttpd' },
    { type: 'application', name: 'dropbear', version: '2020.81', purl: 'pkg:generic/dropbear@2020.81', 'bom-ref': 'dropbear' },
  ],
});

export const DEMO_GATEWAY_SBOM_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" serialNumber="urn:uuid:9b1e4a0c-7f0e-4d7b-9a57-5b8f1f6f2c11" version="1">
  <metadata>
    <component type="firmware">
      <supplier><name>Moxa</name></supplier>
      <name>OnCell G3150A-LTE</name>
      <version>1.3</version>
    </component>
  </metadata>
  <components>
    <component type="operating-system" bom-ref="kernel"><name>linux-kernel</name><version>4.4.180</version></component>
    <component type="library" bom-ref="openssl"><name>openssl</name><version>1.1.1w</version><purl>pkg:generic/openssl@1.1.1w</purl></component>
    <component type="application" bom-ref="busybox"><name>busybox</name><version>1.31.1</version></component>
  </components>
</bom>
`;

const ofKind = (devices: Iterable<Device>, kind: Device['kind'], orgId: string) => [...devices].filter((d) => d.kind === kind && d.orgId === orgId);

export function demoSecurityAssets(
  devices: Iterable<Device>,
  sites: Iterable<Site>,
  orgs: DemoSecurityOrgs,
): { org: keyof DemoSecurityOrgs; asset: AssetInput }[] {
  const all = [...devices];
  const siteList = [...sites].filter((s) => s.areaId !== null).sort((a, b) => (a.id < b.id ? -1 : 1));
  const out: { org: keyof DemoSecurityOrgs; asset: AssetInput }[] = [];
  const seen = '2026-12-03T22:00:00Z';
  // Sirens: Telegrafia Bleeper Sonic 1600 (embedded Linux), each with a Moxa cellular gateway beside it.
  ofKind(all, 'siren', orgs.city).forEach((d, i) => {
    out.push({
      org: 'city',
      asset: {
        cityDeviceId: d.id,
        kind: 'siren-controller',
        vendor: 'Telegrafia',
        model: 'Bleeper Sonic 1600',
        platform: 'Linux',
        firmware: '4.2.0',
        exposure: i % 4 === 0 ? 'internet-facing' : 'private',
        lastSeen: seen,
      },
    });
    out.push({
      org: 'city',
      asset: {
        assetId: `ast_demo_gw_${i + 1}`,
        label: `Cellular gateway — ${d.label}`,
        kind: 'gateway',
        siteId: d.siteId,
        position: d.position,
        vendor: 'Moxa',
        model: 'OnCell G3150A-LTE',
        firmware: '1.3',
        cpe: 'cpe:2.3:h:moxa:oncell_g3150a-lte:-:*:*:*:*:*:*:*',
        exposure: 'internet-facing',
        safetyRole: 'life-safety',
        lastSeen: seen,
      },
    });
  });
  for (const d of ofKind(all, 'loudspeaker', orgs.city))
    out.push({
      org: 'city',
      asset: { cityDeviceId: d.id, vendor: 'Bosch', model: 'PRAESENSA PRA-SCL', firmware: '2.10', exposure: 'private', lastSeen: seen },
    });
  // Police street cameras: AXIS OS 11.11 (CVE-2024-6979 by semver range) and older 10.12 ones.
  ofKind(all, 'camera', orgs.police).forEach((d, i) =>
    out.push({
      org: 'police',
      asset: {
        cityDeviceId: d.id,
        vendor: 'Axis Communications AB',
        model: 'AXIS Q1656-LE',
        platform: 'AXIS OS',
        firmware: i % 3 === 0 ? '10.12.153' : '11.11.73',
        cpe: 'cpe:2.3:o:axis:axis_os:*:*:*:*:*:*:*:*',
        exposure: 'private',
        lastSeen: seen,
      },
    }),
  );
  // The monitoring centre's panels and lobby cameras.
  for (const d of ofKind(all, 'alarm-panel', orgs.marc).slice(0, 60))
    out.push({
      org: 'marc',
      asset: { cityDeviceId: d.id, vendor: 'Honeywell', model: 'Galaxy Flex 50', firmware: '3.55', exposure: 'private', lastSeen: seen },
    });
  for (const d of ofKind(all, 'camera', orgs.marc).slice(0, 30))
    out.push({
      org: 'marc',
      asset: { cityDeviceId: d.id, vendor: 'Hikvision', model: 'DS-2CD2143G2-I', firmware: 'V5.7.3', exposure: 'private', safetyRole: 'other', lastSeen: seen },
    });
  const site = (category: string, n = 0) => siteList.filter((s) => s.category === category)[n] ?? siteList[n]!;
  const at = (s: Site) => ({ siteId: s.id, position: s.position });
  const hall = site('town-hall');
  const transport = site('transport');
  const hospital = site('hospital');
  const fireStation = site('fire-station');
  out.push(
    {
      org: 'city',
      asset: {
        label: `Access controller — ${siteDisplayName(hall, null)}`,
        kind: 'access-controller',
        ...at(hall),
        vendor: 'Gallagher',
        model: 'Controller 6000',
        firmware: 'vCR9.10.231204b',
        exposure: 'private',
        lastSeen: seen,
      },
    },
    {
      org: 'city',
      asset: {
        label: `Edge router — ${siteDisplayName(hall, null)}`,
        kind: 'router',
        ...at(hall),
        vendor: 'MikroTik',
        model: 'CCR2004-1G-12S+2XS',
        platform: 'RouterOS',
        firmware: '6.48.6',
        exposure: 'internet-facing',
        lastSeen: seen,
      },
    },
    {
      org: 'city',
      asset: {
        label: `Building controller — ${siteDisplayName(hospital, null)}`,
        kind: 'building-controller',
        ...at(hospital),
        vendor: 'Schneider Electric',
        model: 'SpaceLogic AS-P',
        firmware: '5.0.2',
        exposure: 'private',
        lastSeen: seen,
      },
    },
    {
      org: 'police',
      asset: {
        label: `Video server — ${siteDisplayName(transport, null)}`,
        kind: 'video-recorder',
        ...at(transport),
        vendor: 'GeoVision',
        model: 'GV-VS12',
        firmware: '2.1',
        exposure: 'internet-facing',
        lastSeen: seen,
      },
    },
    {
      org: 'police',
      asset: {
        label: `Recorder — ${siteDisplayName(transport, null)}`,
        kind: 'video-recorder',
        ...at(transport),
        vendor: 'Dahua',
        model: 'NVR4208-4KS2',
        firmware: 'V4.001.0000001.0.R.231010',
        exposure: 'private',
        lastSeen: seen,
      },
    },
    {
      org: 'marc',
      asset: {
        label: 'Recorder — monitoring centre',
        kind: 'video-recorder',
        ...at(site('building', 3)),
        vendor: 'Hikvision',
        model: 'DS-7604NI-K1',
        firmware: 'V4.30.090 build 220801',
        exposure: 'private',
        lastSeen: seen,
      },
    },
    {
      org: 'marc',
      asset: {
        label: 'Alarm transmitter router — monitoring centre',
        kind: 'alarm-transmitter',
        ...at(site('building', 3)),
        vendor: 'Sierra Wireless',
        model: 'AirLink RV50X',
        platform: 'ALEOS',
        firmware: '4.9.7',
        exposure: 'internet-facing',
        lastSeen: seen,
      },
    },
    {
      org: 'fire',
      asset: {
        label: `Fire alarm radio subscriber — ${siteDisplayName(fireStation, null)}`,
        kind: 'fire-panel',
        ...at(fireStation),
        vendor: 'Siemens',
        model: 'InterMesh 7707 Fire Subscriber',
        firmware: 'V7.2.10',
        exposure: 'private',
        lastSeen: seen,
      },
    },
  );
  return out;
}

/** A line of the siren controller's kernel log when the nf_tables flaw (CVE-2024-1086) is exploited: what the desk saw first. */
export const DEMO_KERNEL_LOG = `Dec  3 23:41:07 siren-ctl kernel: [1843211.402117] BUG: KASAN: use-after-free in nft_verdict_init+0x1d4/0x2a0 [nf_tables]
Dec  3 23:41:07 siren-ctl kernel: [1843211.402160] Read of size 8 at addr ffff8880063c1e00 by task exp/4127
Dec  3 23:41:07 siren-ctl kernel: [1843211.402201] CPU: 0 PID: 4127 Comm: exp Not tainted 5.10.120 #1
Dec  3 23:41:09 siren-ctl dropbear[4119]: Password auth succeeded for 'maint' from 203.0.113.77:51522
Dec  3 23:41:12 siren-ctl kernel: [1843216.118002] exp[4127]: uid changed from 1001 to 0
`;

/**
 * Security events the demo city's CSIRT desk starts with: a password spray on the city's VPN
 * portal from one address (JSON, as its log shipper sends them), and RFC 5424 syslog lines — a
 * siren controller's maintenance login from outside and its kernel reporting a use-after-free in
 * nf_tables, and the core firewall blocking the same address.
 */
export function demoSecurityEvents(
  sirenDeviceId: string | null,
  at: number,
): {
  json: { message: string; kind: string; severity: number; host: string; app: string; srcIp: string; user: string; fields: Record<string, string> }[];
  syslog: string[];
} {
  const json = ['admin', 'j.martin', 'operator', 'svc-backup', 'c.rossi', 'it-support'].map((user, i) => ({
    message: `VPN portal: authentication failed for ${user}`,
    kind: 'login-failed',
    severity: 4,
    host: 'vpn-portal',
    app: 'openconnect',
    srcIp: '185.220.101.34',
    user,
    fields: { attempt: String(i + 1) },
  }));
  const time = (s: number) => new Date(at - 600_000 + s * 1000).toISOString();
  const line = (s: number, facility: number, severity: number, host: string, app: string, message: string, src: string) =>
    `<${facility * 8 + severity}>1 ${time(s)} ${host} ${app} - - [origin@32473 src="${src}"] ${message}`;
  const syslog = [
    line(0, 4, 6, 'fw-city-core', 'filterlog', 'block in on wan0 proto udp from 198.51.100.23 to 10.20.0.12 port 161', '198.51.100.23'),
    ...(sirenDeviceId
      ? [
          line(60, 4, 5, sirenDeviceId, 'dropbear', "Password auth succeeded for 'maint' from 203.0.113.77:51522", '203.0.113.77'),
          line(
            65,
            0,
            2,
            sirenDeviceId,
            'kernel',
            'BUG: KASAN: use-after-free in nft_verdict_init [nf_tables]; exp[4127]: uid changed from 1001 to 0',
            '203.0.113.77',
          ),
        ]
      : []),
    line(240, 4, 6, 'fw-city-core', 'filterlog', 'block in on wan0 proto tcp from 203.0.113.77 to 10.20.0.0/16 port 22', '203.0.113.77'),
  ];
  return { json, syslog };
}
