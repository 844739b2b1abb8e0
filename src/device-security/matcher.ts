/**
 * Matching devices and SBOM components against the catalogue's affected products, by index:
 * affected entries are kept by vendor key and by product key, and the things matched
 * ("profiles": one per distinct vendor/model/platform/firmware or component name/version,
 * however many devices share it) by the same keys, so a new CVE is checked only against
 * the profiles of its vendors and products, and a new device only against its vendor's
 * entries — never a scan. `referenceMatch` is the brute force the index is tested against.
 */
import type { AffectedProduct, CveRecord, MatchBasis } from './model.js';
import { parseCpe, productKey, productMatches, productPattern, vendorKey } from './names.js';
import { decideStatus } from './versions.js';

/** One name a thing is known by: vendor + product, or a product alone (a component without supplier). */
export interface SubjectName {
  vendor: string | null;
  product: string;
}

/** What is matched: a device's firmware or a component, under all its names, at one version. */
export interface Subject {
  names: SubjectName[];
  version: string;
}

export interface Hit {
  cveId: string;
  source: string;
  basis: MatchBasis;
}

interface Entry {
  cveId: string;
  aff: AffectedProduct;
  vendors: Set<string>;
  products: Set<string>;
}

function entryOf(cveId: string, aff: AffectedProduct): Entry {
  const vendors = new Set([vendorKey(aff.vendor)]);
  const products = new Set(productPattern(aff.product).exact);
  if (aff.packageName) products.add(productKey(aff.packageName));
  for (const c of aff.cpes) {
    const cpe = parseCpe(c);
    if (!cpe) continue;
    vendors.add(vendorKey(cpe.vendor));
    products.add(productKey(cpe.product));
  }
  vendors.delete('na');
  products.delete('na');
  vendors.delete('');
  products.delete('');
  return { cveId, aff, vendors, products };
}

/** Whether an affected entry names this subject (vendor and product, or the product alone). */
function applies(name: SubjectName, e: Entry): boolean {
  const pk = productKey(name.product);
  if (pk === '') return false;
  if (name.vendor === null) return e.products.has(pk);
  if (!e.vendors.has(vendorKey(name.vendor))) return false;
  return e.products.has(pk) || productMatches(name.product, e.aff.product);
}

type Decision = { status: 'affected' | 'undecided' | 'unaffected' | 'unknown'; basis: MatchBasis; source: string };

function decide(subject: Subject, e: Entry): Decision {
  const d = decideStatus(subject.version, e.aff.versions, e.aff.defaultStatus);
  if (d.status === 'undecided') return { status: 'undecided', basis: 'undecided', source: e.aff.source };
  const entry = d.entry >= 0 ? e.aff.versions[d.entry]! : null;
  const basis: MatchBasis =
    entry === null
      ? 'default-status'
      : d.bestEffort || entry.text !== undefined
        ? 'best-effort'
        : entry.lessThan !== undefined || entry.lessThanOrEqual !== undefined
          ? 'version-range'
          : 'exact-version';
  return { status: d.status, basis, source: e.aff.source };
}

const BASIS_RANK: Record<MatchBasis, number> = { 'exact-version': 0, 'version-range': 1, 'default-status': 2, 'best-effort': 3, undecided: 4 };

/**
 * Several entries of one CVE may name the subject (the CNA's and CISA-ADP's): affected wins,
 * with the firmest basis; undecided stands only if no entry says it is unaffected.
 */
function merge(cveId: string, decisions: Decision[]): Hit | null {
  let best: Decision | null = null;
  let unaffected = false;
  for (const d of decisions) {
    if (d.status === 'unaffected') unaffected = true;
    if (d.status !== 'affected' && d.status !== 'undecided') continue;
    if (d.status === 'undecided' && best?.status === 'affected') continue;
    if (!best || (d.status === 'affected' && best.status === 'undecided') || BASIS_RANK[d.basis] < BASIS_RANK[best.basis]) best = d;
  }
  if (!best || (best.status === 'undecided' && unaffected)) return null;
  return { cveId, source: best.source, basis: best.basis };
}

/** The signature of a subject: profiles with the same one are matched once. */
export function subjectKey(s: Subject): string {
  return `${s.names.map((n) => `${n.vendor === null ? '*' : vendorKey(n.vendor)}|${productKey(n.product)}`).join(',')}@${s.version.trim()}`;
}

export interface Profile {
  subject: Subject;
  /** Null while it has none (most components): a million profiles hold no empty maps. */
  hits: Map<string, Hit> | null;
  refs: number;
  /** Its slot in `hitCounts` (reused once the profile is gone). */
  id: number;
}

export class Matcher {
  private readonly entriesOf = new Map<string, Entry[]>();
  private readonly byVendor = new Map<string, Set<Entry>>();
  private readonly byProduct = new Map<string, Set<Entry>>();
  private readonly profiles = new Map<string, Profile>();
  private readonly profilesByVendor = new Map<string, Set<string>>();
  private readonly profilesByProduct = new Map<string, Set<string>>();
  /** cveId → profiles holding a hit of it (so a newer copy of a record clears old hits without a scan). */
  private readonly holders = new Map<string, Set<string>>();
  /**
   * How many hits each profile holds, by profile id: an SBOM's thousand components are checked for
   * hits in one typed array (a few cache lines) instead of a thousand profile objects.
   */
  private counts = new Int32Array(1024);
  private readonly freeIds: number[] = [];
  private nextId = 0;

  /** Hits held, by profile id (read it again after profiles are added: it grows). */
  get hitCounts(): Int32Array {
    return this.counts;
  }

  private newId(): number {
    const id = this.freeIds.pop() ?? this.nextId++;
    if (id >= this.counts.length) {
      const grown = new Int32Array(this.counts.length * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    return id;
  }

  private synced(p: Profile): void {
    this.counts[p.id] = p.hits?.size ?? 0;
  }

  get cveCount(): number {
    return this.entriesOf.size;
  }

  get profileCount(): number {
    return this.profiles.size;
  }

  /** Indexes a record (replacing an older version of it); returns the profiles whose hits changed. */
  addCve(record: CveRecord): string[] {
    this.removeEntries(record.cveId);
    const entries = record.affected.map((a) => entryOf(record.cveId, a));
    this.entriesOf.set(record.cveId, entries);
    const candidates = new Set<string>();
    for (const e of entries) {
      for (const v of e.vendors) {
        add(this.byVendor, v, e);
        for (const k of this.profilesByVendor.get(v) ?? []) candidates.add(k);
      }
      for (const p of e.products) {
        add(this.byProduct, p, e);
        for (const k of this.profilesByProduct.get(p) ?? []) candidates.add(k);
      }
    }
    const changed: string[] = [];
    for (const key of candidates) {
      const profile = this.profiles.get(key)!;
      const before = profile.hits?.get(record.cveId);
      const hit = this.matchOne(profile.subject, entries, record.cveId);
      if (hit) {
        (profile.hits ??= new Map()).set(record.cveId, hit);
        add(this.holders, record.cveId, key);
      } else if (profile.hits?.delete(record.cveId)) this.holders.get(record.cveId)?.delete(key);
      this.synced(profile);
      if (!sameHit(before, hit)) changed.push(key);
    }
    // Profiles that had a hit from the older version but are no longer candidates.
    for (const key of [...(this.holders.get(record.cveId) ?? [])]) {
      if (candidates.has(key)) continue;
      const profile = this.profiles.get(key);
      profile?.hits?.delete(record.cveId);
      if (profile) this.synced(profile);
      this.holders.get(record.cveId)!.delete(key);
      changed.push(key);
    }
    return changed;
  }

  /** Takes a subject in (counted); its key. Matched at once when it is a new profile. */
  addSubject(subject: Subject): string {
    const key = subjectKey(subject);
    const existing = this.profiles.get(key);
    if (existing) {
      existing.refs++;
      return key;
    }
    const profile: Profile = { subject, hits: null, refs: 1, id: this.newId() };
    this.profiles.set(key, profile);
    for (const n of subject.names) {
      if (n.vendor !== null) add(this.profilesByVendor, vendorKey(n.vendor), key);
      add(this.profilesByProduct, productKey(n.product), key);
    }
    for (const hit of this.matchSubject(subject)) {
      (profile.hits ??= new Map()).set(hit.cveId, hit);
      add(this.holders, hit.cveId, key);
    }
    this.synced(profile);
    return key;
  }

  removeSubject(key: string): void {
    const p = this.profiles.get(key);
    if (!p || --p.refs > 0) return;
    this.profiles.delete(key);
    this.counts[p.id] = 0;
    this.freeIds.push(p.id);
    for (const cveId of p.hits?.keys() ?? []) this.holders.get(cveId)?.delete(key);
    for (const n of p.subject.names) {
      if (n.vendor !== null) this.profilesByVendor.get(vendorKey(n.vendor))?.delete(key);
      this.profilesByProduct.get(productKey(n.product))?.delete(key);
    }
  }

  /** The profile itself (stable while it is held): callers that read its hits often keep it instead of its key. */
  profile(key: string): Profile | undefined {
    return this.profiles.get(key);
  }

  /** Profiles holding a hit of this CVE. */
  holdersOf(cveId: string): Iterable<string> {
    return this.holders.get(cveId) ?? [];
  }

  hits(key: string): ReadonlyMap<string, Hit> {
    return this.profiles.get(key)?.hits ?? EMPTY;
  }

  /** The subject's hits, from the index (without registering it). */
  matchSubject(subject: Subject): Hit[] {
    const byCve = new Map<string, Entry[]>();
    for (const n of subject.names) {
      const bucket = n.vendor === null ? this.byProduct.get(productKey(n.product)) : this.byVendor.get(vendorKey(n.vendor));
      for (const e of bucket ?? []) {
        if (!applies(n, e)) continue;
        const list = byCve.get(e.cveId);
        if (!list) byCve.set(e.cveId, [e]);
        else if (!list.includes(e)) list.push(e);
      }
    }
    const out: Hit[] = [];
    for (const [cveId, entries] of byCve) {
      // In the record's order, as the brute force and the incremental path see them: a tie between a CNA's and an ADP's entry names the same source.
      if (entries.length > 1) {
        const order = this.entriesOf.get(cveId) ?? [];
        entries.sort((a, b) => order.indexOf(a) - order.indexOf(b));
      }
      const hit = merge(
        cveId,
        entries.map((e) => decide(subject, e)),
      );
      if (hit) out.push(hit);
    }
    return out;
  }

  private matchOne(subject: Subject, entries: Entry[], cveId: string): Hit | null {
    const named = entries.filter((e) => subject.names.some((n) => applies(n, e)));
    return named.length === 0
      ? null
      : merge(
          cveId,
          named.map((e) => decide(subject, e)),
        );
  }

  private removeEntries(cveId: string): void {
    for (const e of this.entriesOf.get(cveId) ?? []) {
      for (const v of e.vendors) this.byVendor.get(v)?.delete(e);
      for (const p of e.products) this.byProduct.get(p)?.delete(e);
    }
    this.entriesOf.delete(cveId);
  }
}

const EMPTY: ReadonlyMap<string, Hit> = new Map();

function add<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function sameHit(a: Hit | undefined, b: Hit | null): boolean {
  if (!a || !b) return !a && !b;
  return a.source === b.source && a.basis === b.basis;
}

/** The brute force: every affected entry of every record against the subject. For tests and the benchmark's check. */
export function referenceMatch(subject: Subject, records: Iterable<CveRecord>): Hit[] {
  const out: Hit[] = [];
  for (const r of records) {
    const decisions: Decision[] = [];
    for (const a of r.affected) {
      const e = entryOf(r.cveId, a);
      if (subject.names.some((n) => applies(n, e))) decisions.push(decide(subject, e));
    }
    const hit = decisions.length > 0 ? merge(r.cveId, decisions) : null;
    if (hit) out.push(hit);
  }
  return out;
}
