/**
 * The device-security model: the inventory (what runs where, who owns it, how exposed it
 * is), the vulnerability catalogue in the compact form Vigil keeps of CVE JSON 5 records
 * and CISA KEV entries, and findings with their triage. Pure types and constants: the web
 * UI imports them through contract.ts.
 */
import type { Position } from '../kernel/geo.js';

export const EXPOSURES = ['internet-facing', 'private', 'isolated'] as const;
export type Exposure = (typeof EXPOSURES)[number];

/** The device's part in keeping people safe: what a compromise would silence. */
export const SAFETY_ROLES = ['life-safety', 'alarm-path', 'security', 'other'] as const;
export type SafetyRole = (typeof SAFETY_ROLES)[number];

/** Kinds of device the inventory knows beyond the city model's (recorders, gateways, controllers, panels). */
export const ASSET_KINDS = [
  'alarm-panel',
  'fire-panel',
  'siren',
  'siren-controller',
  'loudspeaker',
  'camera',
  'video-recorder',
  'access-controller',
  'alarm-transmitter',
  'router',
  'gateway',
  'building-controller',
  'sensor',
  'server',
  'other',
] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** A device as device security knows it: identity, firmware, exposure. */
export interface Asset {
  assetId: string;
  /** The city model's device it describes (position, site and owner come from it), or null for a device added here. */
  cityDeviceId: string | null;
  orgId: string;
  label: string;
  kind: AssetKind;
  siteId: string | null;
  position: Position | null;
  vendor: string;
  /** Model (product) name as the vendor writes it: "DS-2CD2143G2-I", "Controller 6000". */
  model: string;
  /** The software product the firmware is, when it has its own name: "AXIS OS", "RouterOS", "ALEOS". */
  platform: string | null;
  firmware: string;
  /** CPE 2.3 formatted string. */
  cpe: string | null;
  /** Package URL. */
  purl: string | null;
  exposure: Exposure;
  safetyRole: SafetyRole;
  /** ISO time the device was last heard of (import, sign-in, poll), or null. */
  lastSeen: string | null;
}

/** A software component inside a model/firmware (from a CycloneDX SBOM). */
export interface Component {
  /** bom-ref, or a ref Vigil made. */
  ref: string;
  name: string;
  version: string;
  group: string | null;
  supplier: string | null;
  purl: string | null;
  cpe: string | null;
  type: string;
}

/** An SBOM kept per vendor + model + firmware: every device running that firmware has these components. */
export interface Sbom {
  sbomId: string;
  /**
   * Its owner: the importing organisation, whose devices of this firmware run it; null for a city-wide
   * SBOM (published by the city CSIRT), run by the devices of organisations without their own.
   * Absent in SBOMs imported before SBOMs had an owner (the importing organisation's).
   */
  orgId?: string | null;
  vendor: string;
  model: string;
  firmware: string;
  format: 'json' | 'xml';
  specVersion: string;
  serialNumber: string | null;
  components: Component[];
  importedAt: string;
}

export type VersionStatus = 'affected' | 'unaffected' | 'unknown';

/** One entry of `versions[]` in a CVE JSON 5 affected product. */
export interface VersionEntry {
  version: string;
  status: VersionStatus;
  versionType?: string;
  lessThan?: string;
  lessThanOrEqual?: string;
  changes?: { at: string; status: VersionStatus }[];
  /** The vendor's prose this range was read from ("V5.0.3 and prior", "AXIS OS 6.50 – 11.5"). */
  text?: string;
}

/** One affected product of a CVE record, as Vigil keeps it. */
export interface AffectedProduct {
  /** 'cna' or the ADP container's short name ('CISA-ADP'). */
  source: string;
  vendor: string;
  product: string;
  packageName: string | null;
  cpes: string[];
  versions: VersionEntry[];
  defaultStatus?: VersionStatus;
}

/** A CVE record reduced to what matching and priority need. */
export interface CveRecord {
  cveId: string;
  title: string;
  description: string;
  published: string | null;
  updated: string | null;
  assigner: string | null;
  /** Highest CVSS base score found (v4, v3.1, v3.0, v2), with its vector; null when none. */
  cvss: { score: number; version: string; vector: string } | null;
  affected: AffectedProduct[];
}

export interface KevEntry {
  cveId: string;
  vendorProject: string;
  product: string;
  name: string;
  dateAdded: string;
  dueDate: string;
  requiredAction: string;
  ransomware: boolean;
}

export const TRIAGE_STATES = ['new', 'confirmed', 'not-affected', 'mitigated', 'fixed'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];

/** CycloneDX `analysis.justification` values (with their OpenVEX counterparts in vex.ts). */
export const VEX_JUSTIFICATIONS = [
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
] as const;
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** What a finding's match rests on. */
export type MatchBasis = 'version-range' | 'exact-version' | 'default-status' | 'best-effort' | 'undecided';

export interface Triage {
  state: TriageState;
  justification: VexJustification | null;
  detail: string;
  by: string;
  at: string;
}

/** A CVE affecting a device (through its firmware, or a component inside it). */
export interface Finding {
  findingId: string;
  assetId: string;
  orgId: string;
  cveId: string;
  /** The component it came through (SBOM), or null for the device itself. */
  component: { ref: string; name: string; version: string } | null;
  /** Which container said so ('cna', 'CISA-ADP'). */
  source: string;
  basis: MatchBasis;
  kev: boolean;
  cvss: number | null;
  priority: Priority;
  score: number;
  triage: Triage;
}
