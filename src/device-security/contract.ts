/**
 * The public face of device security for other capabilities and the web UI: the model
 * (inventory, catalogue, findings, triage), its events, the read port the CSIRT desk and
 * the cockpit may hold, and the priority rule. Cheap to import (no node: module, no npm
 * package).
 */
import type { Asset, Finding, Priority } from './model.js';

export * from './model.js';
export type { DeviceSecurityEvents, NoticeItem } from './events.js';
export { PRIORITY_WEIGHTS, priorityOf, defaultSafetyRole } from './priority.js';
export type { InventoryRow, FindingView, AssetInput, TriageInput, FindingFilter, FindingCaseRef } from './service.js';

/**
 * What other capabilities may read of device security (the CSIRT desk: findings to open
 * cases from; the cockpit: share of devices with known exploited vulnerabilities). No
 * principal here: a holder that shows these to people asks the policy with
 * `{ orgId, confidential: 'security' }` first.
 */
export interface DeviceSecurityReadPort {
  asset(assetId: string): Asset | undefined;
  finding(findingId: string): Finding | undefined;
  /** A CVE record's title (null: not in the catalogue). */
  cveTitle(cveId: string): string | null;
  /** Findings of every device on this CVE. */
  findingsOfCve(cveId: string): Finding[];
  /** Findings of one device. */
  findingsOfAsset(assetId: string): readonly Finding[];
  /** Findings of one owner organisation (all organisations when null). */
  findingsOf(orgId: string | null): Finding[];
  /** Open findings (new or confirmed) per priority, for one organisation or all. */
  countsByPriority(orgId: string | null): Record<Priority, number>;
  /** Devices described, and those with an open finding on a known exploited vulnerability. */
  knownExploitedShare(orgId: string | null): { devices: number; withKnownExploited: number };
  /** Findings, and those triaged fixed, mitigated or not affected (the patch coverage the cockpit reports). */
  patchCoverage(orgId: string | null): { findings: number; resolved: number };
}
