/**
 * The public face of the directory: the display names of what a principal may see
 * (people, organisations, sites, devices, units), so screens and exports show names, not ids.
 * Pure: the web UI bundles it.
 */

import type { GeneratedLabel } from '../city/contract.js';

/** One named thing: its id, the name people know it by, and the organisation that owns it (null: city-wide). */
export interface DirectoryEntry {
  id: string;
  name: string;
  orgId: string | null;
  /** What `name` is made of when Vigil generated it (a demo device, an unnamed site): a screen words it in its reader's language. */
  parts?: GeneratedLabel;
}

/** GET /api/directory: what the caller may see, by kind. */
export interface Directory {
  users: DirectoryEntry[];
  orgs: DirectoryEntry[];
  sites: DirectoryEntry[];
  devices: DirectoryEntry[];
  units: DirectoryEntry[];
  /**
   * The titles of the incidents the caller may read (the incident policy: owner, origin and assigned organisations),
   * open and closed; an incident it may not read is not here, so its title never reaches it.
   */
  incidents: DirectoryEntry[];
}

export const EMPTY_DIRECTORY: Directory = { users: [], orgs: [], sites: [], devices: [], units: [], incidents: [] };

/** Fast lookups over a directory. */
export interface DirectoryIndex {
  user(id: string): string | null;
  org(id: string): string | null;
  site(id: string): string | null;
  device(id: string): string | null;
  unit(id: string): string | null;
  /** An incident's title, when the caller may read the incident. */
  incident(id: string): string | null;
  /** The people, by name (for pickers). */
  readonly people: readonly DirectoryEntry[];
}

/**
 * `word` says a generated name in the reader's language (the web UI's, from its parts); without it, or for a
 * name a person gave, the name as the server wrote it.
 */
export function indexDirectory(d: Directory, word?: (parts: GeneratedLabel) => string): DirectoryIndex {
  const map = (entries: DirectoryEntry[]): Map<string, string> => new Map(entries.map((e) => [e.id, e.parts && word ? word(e.parts) : e.name]));
  const users = map(d.users);
  const orgs = map(d.orgs);
  const sites = map(d.sites);
  const devices = map(d.devices);
  const units = map(d.units);
  // An older node's directory has no incidents.
  const incidents = map(d.incidents ?? []);
  return {
    user: (id) => users.get(id) ?? null,
    org: (id) => orgs.get(id) ?? null,
    site: (id) => sites.get(id) ?? null,
    device: (id) => devices.get(id) ?? null,
    unit: (id) => units.get(id) ?? null,
    incident: (id) => incidents.get(id) ?? null,
    people: [...d.users].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Words used when a reference names no one the caller may see. */
export interface NameWords {
  system: string;
  someone: string;
  apiKey: string;
  public: string;
}
const ENGLISH: NameWords = { system: 'Vigil', someone: 'someone', apiKey: 'an API key', public: 'a member of the public' };

/**
 * The name of an actor or subject reference as events write them: `user:<id>`, `apikey:<id>`,
 * `system`, `public`, `site:<id>`, `device:<id>`, `unit:<id>`, `org:<id>`, or a bare user id.
 * Unknown references become a neutral word, never the id (the id stays for tooltips).
 */
export function nameOf(dir: DirectoryIndex, ref: string | null | undefined, words: NameWords = ENGLISH): string {
  if (!ref) return words.someone;
  if (ref === 'system' || ref.startsWith('system:')) return words.system;
  if (ref === 'public') return words.public;
  const colon = ref.indexOf(':');
  const kind = colon > 0 ? ref.slice(0, colon) : '';
  const id = colon > 0 ? ref.slice(colon + 1) : ref;
  switch (kind) {
    case 'user':
      return dir.user(id) ?? words.someone;
    case 'apikey':
      return words.apiKey;
    case 'site':
      return dir.site(id) ?? dir.site(ref) ?? words.someone;
    case 'device':
    case 'dev':
      // Signals are recorded as from `device:<account>`: the panel transmitting with that account.
      return dir.device(id) ?? dir.device(ref) ?? dir.device(`account:${id}`) ?? words.someone;
    case 'account':
      return dir.device(ref) ?? words.someone;
    case 'unit':
      return dir.unit(id) ?? words.someone;
    case 'org':
      return dir.org(id) ?? words.someone;
    default:
      return dir.user(ref) ?? dir.site(ref) ?? dir.device(ref) ?? dir.unit(ref) ?? dir.org(ref) ?? words.someone;
  }
}

/** What a site is called when it has no name: its address, else its kind and neighbourhood ("building in Fontvieille"). */
export function siteDisplayName(site: { name: string | null; address: string | null; category: string }, areaName: string | null): string {
  if (site.name) return site.name;
  if (site.address) return site.address;
  const kind = site.category.replace(/-/g, ' ');
  return areaName ? `${kind} in ${areaName}` : kind;
}
