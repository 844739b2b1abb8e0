import type { AppContext, Capability } from '../platform/app-context.js';
import type { DeviceSecurityReadPort } from './contract.js';
import { deviceSecurityLiveView } from './live-view.js';
import type { Finding } from './model.js';
import { deviceSecurityRoutes } from './routes.js';
import { DeviceSecurityService, type DeviceSecurityDeps } from './service.js';
import { DeviceSecurityState } from './state.js';

export { DeviceSecurityService } from './service.js';
export { DeviceSecurityState } from './state.js';
export type { DeviceSecurityDeps } from './service.js';

export interface DeviceSecurityCapability extends Capability {
  service: DeviceSecurityService;
  reads: DeviceSecurityReadPort;
}

/** Device security: inventory with what runs inside, offline vulnerability intelligence, findings, triage, VEX. */
export function createDeviceSecurityCapability(ctx: AppContext, deps: DeviceSecurityDeps): DeviceSecurityCapability {
  const state = new DeviceSecurityState();
  const service = new DeviceSecurityService(ctx, state, deps);
  const open = (f: Finding) => f.triage.state === 'new' || f.triage.state === 'confirmed';
  const of = (orgId: string | null) => [...state.allFindings()].filter((f) => orgId === null || f.orgId === orgId);
  const reads: DeviceSecurityReadPort = {
    asset: (id) => state.assets.get(id)?.asset,
    finding: (id) => state.finding(id),
    cveTitle: (id) => state.cves.get(id)?.title ?? null,
    findingsOfCve: (cveId) => state.findingsOfCve(cveId),
    findingsOfAsset: (id) => state.findingsOfAsset(id),
    findingsOf: of,
    // Open = all, counted per group of devices alike, less the few findings triaged closed (no finding is built).
    countsByPriority: (orgId) => {
      const c = state.totalCounts(orgId).counts;
      for (const [id, t] of state.triage) {
        if (t.state === 'new' || t.state === 'confirmed') continue;
        const f = state.assets.has(id.split('~')[0]!) ? state.finding(id) : undefined;
        if (f && (orgId === null || f.orgId === orgId)) c[f.priority]--;
      }
      return c;
    },
    knownExploitedShare: (orgId) => {
      let devices = 0;
      for (const t of state.assets.values()) if (orgId === null || t.asset.orgId === orgId) devices++;
      const withKnownExploited = new Set(
        of(orgId)
          .filter((f) => f.kev && open(f))
          .map((f) => f.assetId),
      ).size;
      return { devices, withKnownExploited };
    },
    // All findings from the kept counts (no finding built); resolved from the few triaged ones.
    patchCoverage: (orgId) => {
      const counts = state.totalCounts(orgId).counts;
      let findings = 0;
      for (const n of Object.values(counts)) findings += n;
      let resolved = 0;
      for (const [id, t] of state.triage) {
        if (t.state !== 'fixed' && t.state !== 'mitigated' && t.state !== 'not-affected') continue;
        const f = state.assets.has(id.split('~')[0]!) ? state.finding(id) : undefined;
        if (f && (orgId === null || f.orgId === orgId)) resolved++;
      }
      return { findings, resolved };
    },
  };
  return {
    name: 'device-security',
    projections: [state],
    routes: deviceSecurityRoutes(service),
    liveViews: [deviceSecurityLiveView],
    service,
    reads,
  };
}
