import type { NewEvent } from '../platform/event-log.js';
import type { Asset, CveRecord, KevEntry, Priority, Sbom, TriageState, VexJustification } from './model.js';

/** A finding as the owner organisation is told about it. */
export interface NoticeItem {
  findingId: string;
  assetId: string;
  label: string;
  cveId: string;
  priority: Priority;
  kev: boolean;
}

/** Event payloads of the device-security capability (type → data). */
export interface DeviceSecurityEvents {
  /** A device's security profile (new or changed); orgId is its owner. */
  'device-security.asset.registered': { asset: Asset };
  'device-security.asset.removed': { assetId: string };
  /** An SBOM for a vendor + model + firmware (replaces the previous one of the same firmware). */
  'device-security.sbom.imported': { sbom: Sbom };
  /** CVE records (CVE JSON 5, reduced), in parts under the event size limit; a newer copy of a record replaces the older. */
  'device-security.cves.imported': { importId: string; source: string; part: number; parts: number; records: CveRecord[] };
  /** The CISA KEV catalogue (whole, in parts: part 0 starts a new catalogue). */
  'device-security.kev.imported': { importId: string; catalogVersion: string; dateReleased: string; part: number; parts: number; entries: KevEntry[] };
  /** Who moved a finding to which state, and why (the event's reason is the detail too). */
  'device-security.finding.triaged': {
    findingId: string;
    assetId: string;
    cveId: string;
    state: TriageState;
    justification: VexJustification | null;
    detail: string;
  };
  /** What an owner organisation was told: its new findings (orgId is that organisation). */
  'device-security.owner.notified': { total: number; findings: NoticeItem[] };
}

export function securityEvent<K extends keyof DeviceSecurityEvents>(
  type: K,
  subject: string,
  orgId: string | null,
  actor: string,
  data: DeviceSecurityEvents[K],
  reason?: string | null,
  id?: string,
): NewEvent {
  return { ...(id ? { id } : {}), type, subject, orgId, actor, data, reason: reason ?? null };
}
