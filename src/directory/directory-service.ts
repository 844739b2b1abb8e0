import type { Principal } from '../platform/access.js';
import { CITY_WIDE, filterVisible } from '../platform/policy.js';
import type { Directory, DirectoryEntry } from './contract.js';
import { partsOf, sitePlace, type GeneratedLabel } from '../city/contract.js';

/** What the directory reads of other capabilities (filled in capabilities.ts). */
export interface DirectorySources {
  users(): readonly { id: string; displayName: string; orgId: string }[];
  orgs(): readonly { id: string; name: string }[];
  platformOrgId(): string | null;
  sites(): Iterable<{ id: string; name: string | null; address: string | null; category: string; areaId: string | null }>;
  areaName(areaId: string): string | null;
  devices(): Iterable<{ id: string; label: string; orgId: string; siteId: string | null; account?: string | null; labelParts?: GeneratedLabel | null }>;
  /** The units the principal may see (their own policy). */
  units(p: Principal): readonly { unitId: string; callSign: string; orgId: string }[];
  /** The incidents the principal may read (their own policy), open and closed. */
  incidents(p: Principal): readonly { incidentId: string; title: string; orgId: string }[];
}

/**
 * The names a principal may see, decided by the one policy: people and devices of the
 * organisations it may read (the platform organisation's staff, who sign public alerts, are
 * city-wide), every organisation's name (as GET /api/identity/orgs), named sites and the sites
 * of its devices (city-wide map data), its visible units and the titles of the incidents it may read.
 */
export class DirectoryService {
  constructor(private readonly sources: DirectorySources) {}

  for(p: Principal): Directory {
    const platform = this.sources.platformOrgId();
    const users = filterVisible(p, this.sources.users(), (u) => (u.orgId === platform ? CITY_WIDE : u.orgId)).map((u): DirectoryEntry => ({
      id: u.id,
      name: u.displayName,
      orgId: u.orgId,
    }));
    const orgs = p.kind === 'public' ? [] : this.sources.orgs().map((o): DirectoryEntry => ({ id: o.id, name: o.name, orgId: o.id }));
    const devices = filterVisible(p, this.sources.devices(), (d) => d.orgId);
    const siteIds = new Set(devices.map((d) => d.siteId).filter((s): s is string => s !== null));
    const sites: DirectoryEntry[] = [];
    if (p.kind !== 'public') {
      for (const s of this.sources.sites()) {
        if (!s.name && !s.address && !siteIds.has(s.id)) continue;
        // An unnamed site's name is made up (its category in its area): its parts go with it, for the reader's language.
        const place = sitePlace(s, s.areaId ? this.sources.areaName(s.areaId) : null);
        sites.push({ id: s.id, name: place.name, orgId: null, ...(place.parts ? { parts: place.parts } : {}) });
      }
    }
    const units = this.sources.units(p).map((u): DirectoryEntry => ({ id: u.unitId, name: u.callSign, orgId: u.orgId }));
    const incidents = p.kind === 'public' ? [] : this.sources.incidents(p).map((i): DirectoryEntry => ({ id: i.incidentId, name: i.title, orgId: i.orgId }));
    return {
      users,
      orgs,
      sites,
      // Alarm panels also under `account:<number>`: signals and alarm accounts name them so.
      // A generated label with its parts (while it is still the one generated), for the reader's language.
      devices: devices.flatMap((d): DirectoryEntry[] => {
        const parts = partsOf(d.label, d.labelParts);
        const entry = { name: d.label, orgId: d.orgId, ...(parts ? { parts } : {}) };
        return [{ id: d.id, ...entry }, ...(d.account ? [{ id: `account:${d.account}`, ...entry }] : [])];
      }),
      units,
      incidents,
    };
  }
}
