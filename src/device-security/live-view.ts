import { holds, liveView, withData, type LiveProjector, type LiveView } from '../platform/live-view.js';
import { can } from '../platform/policy.js';
import type { DeviceSecurityEvents } from './events.js';
import { SECURITY_VIEWERS } from './routes.js';

/** Security-confidential: the owner organisation and the city CSIRT, with the page's roles. */
const confidential: LiveProjector = (p, e) =>
  holds(p, SECURITY_VIEWERS) && e.orgId !== null && can(p, 'read', { orgId: e.orgId, confidential: 'security' }) ? e : null;

/** Public intelligence and SBOMs: that something arrived (counts), never the bulk. */
const arrived: LiveProjector = (p, e) => {
  if (!holds(p, SECURITY_VIEWERS)) return null;
  const d = e.data as Partial<DeviceSecurityEvents['device-security.cves.imported'] & DeviceSecurityEvents['device-security.kev.imported']> & {
    sbom?: { sbomId: string; orgId?: string | null; vendor: string; model: string; firmware: string; components: unknown[] };
  };
  // An organisation's SBOM is its own (security-confidential); a city-wide one is told to every viewer.
  if (d.sbom?.orgId && !can(p, 'read', { orgId: d.sbom.orgId, confidential: 'security' })) return null;
  if (d.sbom)
    return withData(e, { sbomId: d.sbom.sbomId, vendor: d.sbom.vendor, model: d.sbom.model, firmware: d.sbom.firmware, components: d.sbom.components.length });
  return withData(e, { importId: d.importId, part: d.part, parts: d.parts, records: d.records?.length ?? 0, entries: d.entries?.length ?? 0 });
};

/**
 * `device-security.*` on the live feed. Devices, findings' triage and the notice an owner
 * organisation gets are security-confidential (policy `confidential: 'security'`): only
 * that organisation and the CSIRT receive them.
 */
export const deviceSecurityLiveView: LiveView = liveView('device-security.', {
  'device-security.asset.registered': confidential,
  'device-security.asset.removed': confidential,
  'device-security.finding.triaged': confidential,
  'device-security.owner.notified': confidential,
  'device-security.sbom.imported': arrived,
  'device-security.cves.imported': arrived,
  'device-security.kev.imported': arrived,
} satisfies Record<keyof DeviceSecurityEvents, LiveProjector>);
