import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { DeviceSecurityEvents } from './events.js';
import { Matcher, type Hit, type Profile, type Subject } from './matcher.js';
import type { Asset, Component, CveRecord, Finding, KevEntry, Priority, Sbom, Triage } from './model.js';
import { norm, parseCpe, parsePurl } from './names.js';
import { baseScore, priorityOf, priorityOfScore, scoreWith } from './priority.js';

/** The owner of a city-wide SBOM (published by the city CSIRT) in `sbomKey`. */
export const CITY_SBOM = '*';

/**
 * The key an SBOM is kept under: its owner (the importing organisation, or `CITY_SBOM`) and the vendor,
 * model and firmware it describes. A device runs its organisation's SBOM of its firmware, else the
 * city-wide one: another organisation's never applies to it.
 */
export const sbomKey = (owner: string, vendor: string, model: string, firmware: string): string =>
  `${owner}|${norm(vendor)}|${norm(model)}|${firmware.trim().toLowerCase()}`;

/** The names a device's firmware is known by: vendor + model, vendor + platform, its CPE and package URL. */
export function assetSubject(a: Pick<Asset, 'vendor' | 'model' | 'platform' | 'firmware' | 'cpe' | 'purl'>): Subject {
  const names: Subject['names'] = [{ vendor: a.vendor, product: a.model }];
  if (a.platform) names.push({ vendor: a.vendor, product: a.platform });
  let version = a.firmware;
  const cpe = a.cpe ? parseCpe(a.cpe) : null;
  if (cpe) {
    names.push({ vendor: cpe.vendor, product: cpe.product });
    if (!version && cpe.version !== '*' && cpe.version !== '-') version = cpe.version;
  }
  const purl = a.purl ? parsePurl(a.purl) : null;
  if (purl) {
    names.push({ vendor: purl.namespace ?? a.vendor, product: purl.name });
    if (!version && purl.version) version = purl.version;
  }
  return { names, version };
}

/** A component's names: its name alone (open-source components carry no vendor), with its supplier or group, its CPE and package URL. */
export function componentSubject(c: Component): Subject {
  const names: Subject['names'] = [{ vendor: null, product: c.name }];
  if (c.supplier) names.push({ vendor: c.supplier, product: c.name });
  if (c.group) names.push({ vendor: c.group, product: c.name });
  let version = c.version;
  const cpe = c.cpe ? parseCpe(c.cpe) : null;
  if (cpe) {
    names.push({ vendor: cpe.vendor, product: cpe.product });
    if (!version && cpe.version !== '*') version = cpe.version;
  }
  const purl = c.purl ? parsePurl(c.purl) : null;
  if (purl) {
    if (purl.name.toLowerCase() !== c.name.toLowerCase()) names.push({ vendor: null, product: purl.name });
    if (!version && purl.version) version = purl.version;
  }
  return { names, version };
}

const NEW_TRIAGE = (at: string): Triage => ({ state: 'new', justification: null, detail: '', by: 'system', at });

interface Tracked {
  asset: Asset;
  deviceKey: string | null;
  sbom: string;
  /** Its findings, built when first read after a change (null: to be built; stale when `builtGen` is older than its profile's or SBOM's change). */
  findings: Finding[] | null;
  /** The generation its findings were built at. */
  builtGen: number;
  /** exposure|role: devices alike share cached counts under it. */
  suffix: string;
  /** The devices alike (same firmware profile, SBOM, exposure, role and owner): counted once for all of them. */
  group: Group;
}

/**
 * Devices that differ in nothing the findings depend on: the same device profile, the same
 * SBOM, exposure and safety role (and owner, for per-organisation figures). 100 000 devices are
 * a few thousand groups; counts by priority are kept per group, not per device.
 */
interface Group {
  key: string;
  deviceKey: string | null;
  sbom: string;
  suffix: string;
  orgId: string;
  exposure: Asset['exposure'];
  safetyRole: Asset['safetyRole'];
  size: number;
  /** Counts by priority of one device of the group (null: to be counted again). */
  counts: Record<Priority, number> | null;
  /** What the group adds to the kept totals (its counts × its size; null: not in them). */
  contrib: Totals | null;
}

interface Totals {
  devices: number;
  counts: Record<Priority, number>;
}

/** An SBOM's components as matched once for every device that runs the firmware. */
interface SbomProfiles {
  components: { component: Component; key: string; profile: Profile }[];
  /** The components' profile ids, in the same order (scanned against the matcher's hit counts). */
  ids: Int32Array;
  /** The components with hits and their hits, rebuilt when a hit of one of them changes (null: stale). */
  hits: { component: Component; hits: Hit[] }[] | null;
  /** Those hits' device-independent scores (null: stale with `hits`). */
  scored: Scored | null;
  /** Counts by priority of those hits, per exposure|role (devices differ only in these). */
  counts: Map<string, Record<Priority, number>>;
}

/** Hits' scores before the device's exposure and role are added, and which are undecided. */
interface Scored {
  base: Float64Array;
  undecided: Uint8Array;
}

/** Inventory, SBOMs, the catalogue (CVE records and KEV), findings and their triage, rebuilt from `device-security.*`. */
export class DeviceSecurityState implements Projection {
  readonly name = 'device-security';
  readonly typePrefixes = ['device-security.'];
  readonly matcher = new Matcher();
  readonly assets = new Map<string, Tracked>();
  readonly sboms = new Map<string, Sbom>();
  readonly cves = new Map<string, CveRecord>();
  kev = new Map<string, KevEntry>();
  kevVersion: { catalogVersion: string; dateReleased: string } | null = null;
  readonly triage = new Map<string, Triage>();
  /**
   * A change marks the device profiles and SBOMs it touched with a new generation, not the devices
   * one by one: a device's findings are stale when built before its profile's or SBOM's mark.
   */
  private gen = 0;
  private readonly profileGen = new Map<string, number>();
  private readonly sbomGen = new Map<string, number>();
  /** The profiles and SBOMs the last catalogue change touched (their devices: `touched`). */
  private lastTouched: { profiles: string[]; sboms: string[] } = { profiles: [], sboms: [] };
  /** When findings built from now on are dated (the catalogue's or inventory's last change). */
  private changedAt = '1970-01-01T00:00:00.000Z';
  /** Findings each owner organisation was told about. */
  readonly notified = new Set<string>();
  private readonly assetsBySbom = new Map<string, Set<string>>();
  private readonly assetsByProfile = new Map<string, Set<string>>();
  private readonly sbomProfiles = new Map<string, SbomProfiles>();
  private readonly sbomsByProfile = new Map<string, Set<string>>();
  /** Devices alike (Group), by key, by device profile and by SBOM. */
  private readonly groups = new Map<string, Group>();
  private readonly groupsByProfile = new Map<string, Set<Group>>();
  private readonly groupsBySbom = new Map<string, Set<Group>>();
  /** Counts by priority of a device profile's hits per exposure|role (shared by groups differing only in SBOM or owner). */
  private readonly profileCounts = new Map<string, Map<string, Record<Priority, number>>>();
  private pendingKev: KevEntry[] = [];

  apply(e: StoredEvent): void {
    switch (e.type as keyof DeviceSecurityEvents) {
      case 'device-security.asset.registered': {
        const { asset } = e.data as DeviceSecurityEvents['device-security.asset.registered'];
        this.putAsset(asset, e.at);
        break;
      }
      case 'device-security.asset.removed': {
        const { assetId } = e.data as DeviceSecurityEvents['device-security.asset.removed'];
        this.dropAsset(assetId);
        break;
      }
      case 'device-security.sbom.imported': {
        const { sbom } = e.data as DeviceSecurityEvents['device-security.sbom.imported'];
        // Imported before SBOMs had an owner: the importing organisation's.
        this.putSbom(sbom.orgId === undefined ? { ...sbom, orgId: e.orgId } : sbom, e.at);
        break;
      }
      case 'device-security.cves.imported': {
        const d = e.data as DeviceSecurityEvents['device-security.cves.imported'];
        this.putCves(d.records, e.at);
        break;
      }
      case 'device-security.kev.imported': {
        const d = e.data as DeviceSecurityEvents['device-security.kev.imported'];
        if (d.part === 0) this.pendingKev = [];
        this.pendingKev.push(...d.entries);
        if (d.part === d.parts - 1) this.putKev(this.pendingKev, d, e.at);
        break;
      }
      case 'device-security.finding.triaged': {
        const d = e.data as DeviceSecurityEvents['device-security.finding.triaged'];
        const t: Triage = { state: d.state, justification: d.justification, detail: d.detail, by: e.actor, at: e.at };
        this.triage.set(d.findingId, t);
        const tracked = this.assets.get(d.assetId);
        const f = tracked && this.fresh(tracked)?.find((x) => x.findingId === d.findingId);
        if (f) f.triage = t;
        break;
      }
      case 'device-security.owner.notified': {
        const d = e.data as DeviceSecurityEvents['device-security.owner.notified'];
        for (const f of d.findings) this.notified.add(f.findingId);
        break;
      }
    }
  }

  putAsset(asset: Asset, at: string): void {
    this.dropAsset(asset.assetId);
    const sbom = this.sbomKeyOf(asset);
    const suffix = `${asset.exposure}|${asset.safetyRole}`;
    const t = { asset, deviceKey: null, sbom, findings: null, builtGen: 0, suffix } as Omit<Tracked, 'group'> as Tracked;
    this.changedAt = at;
    this.assets.set(asset.assetId, t);
    addTo(this.assetsBySbom, t.sbom, asset.assetId);
    this.matchAsset(t);
    t.group = this.joinGroup(t);
  }

  dropAsset(assetId: string): void {
    const t = this.assets.get(assetId);
    if (!t) return;
    this.leaveGroup(t.group);
    this.unmatchAsset(t);
    this.assetsBySbom.get(t.sbom)?.delete(assetId);
    this.assets.delete(assetId);
  }

  private joinGroup(t: Tracked): Group {
    const key = `${t.deviceKey ?? ''}\u0001${t.sbom}\u0001${t.suffix}\u0001${t.asset.orgId}`;
    let g = this.groups.get(key);
    if (!g) {
      g = {
        key,
        deviceKey: t.deviceKey,
        sbom: t.sbom,
        suffix: t.suffix,
        orgId: t.asset.orgId,
        exposure: t.asset.exposure,
        safetyRole: t.asset.safetyRole,
        size: 0,
        counts: null,
        contrib: null,
      };
      this.groups.set(key, g);
      if (g.deviceKey) addTo(this.groupsByProfile, g.deviceKey, g);
      addTo(this.groupsBySbom, g.sbom, g);
    }
    g.size++;
    this.mark(g);
    return g;
  }

  private leaveGroup(g: Group): void {
    this.mark(g);
    if (--g.size > 0) return;
    this.groups.delete(g.key);
    if (g.deviceKey) this.groupsByProfile.get(g.deviceKey)?.delete(g);
    this.groupsBySbom.get(g.sbom)?.delete(g);
  }

  /** The key of the SBOM a device runs: its organisation's for its firmware, else the city-wide one. */
  sbomKeyOf(a: Pick<Asset, 'orgId' | 'vendor' | 'model' | 'firmware'>): string {
    const own = sbomKey(a.orgId, a.vendor, a.model, a.firmware);
    return this.sboms.has(own) ? own : sbomKey(CITY_SBOM, a.vendor, a.model, a.firmware);
  }

  /** The SBOM a device runs (see `sbomKeyOf`). */
  sbomOf(a: Pick<Asset, 'orgId' | 'vendor' | 'model' | 'firmware'>): Sbom | undefined {
    return this.sboms.get(this.sbomKeyOf(a));
  }

  putSbom(sbom: Sbom, at: string): void {
    const owner = sbom.orgId ?? CITY_SBOM;
    const key = sbomKey(owner, sbom.vendor, sbom.model, sbom.firmware);
    const first = !this.sboms.has(key);
    this.sboms.set(key, sbom);
    const old = this.sbomProfiles.get(key);
    for (const { key: k } of old?.components ?? []) {
      this.matcher.removeSubject(k);
      this.sbomsByProfile.get(k)?.delete(key);
    }
    const components: SbomProfiles['components'] = [];
    for (const c of sbom.components) {
      if (!c.version && !c.cpe && !c.purl) continue;
      const k = this.matcher.addSubject(componentSubject(c));
      components.push({ component: c, key: k, profile: this.matcher.profile(k)! });
      addTo(this.sbomsByProfile, k, key);
    }
    const ids = Int32Array.from(components, (c) => c.profile.id);
    this.sbomProfiles.set(key, { components, ids, hits: null, scored: null, counts: new Map() });
    for (const g of this.groupsBySbom.get(key) ?? []) this.recount(g);
    this.changedAt = at;
    this.sbomGen.set(key, ++this.gen);
    if (first && owner !== CITY_SBOM) {
      // The organisation's devices of this firmware ran the city-wide SBOM until now: they take their own.
      const city = sbomKey(CITY_SBOM, sbom.vendor, sbom.model, sbom.firmware);
      for (const id of [...(this.assetsBySbom.get(city) ?? [])]) {
        const t = this.assets.get(id);
        if (t && t.asset.orgId === owner) this.putAsset(t.asset, at);
      }
    }
  }

  putCves(records: readonly CveRecord[], at: string): void {
    this.changedAt = at;
    const profiles = new Set<string>();
    for (const r of records) {
      const old = this.cves.get(r.cveId);
      this.cves.set(r.cveId, r);
      // Score or title changed for findings that stay: every holder of the CVE is rebuilt.
      if (old) for (const key of this.matcher.holdersOf(r.cveId)) profiles.add(key);
      for (const key of this.matcher.addCve(r)) profiles.add(key);
    }
    this.touchProfiles(profiles);
  }

  putKev(entries: readonly KevEntry[], meta: { catalogVersion: string; dateReleased: string }, at: string): void {
    const before = this.kev;
    this.kev = new Map(entries.map((k) => [k.cveId, k]));
    this.kevVersion = { catalogVersion: meta.catalogVersion, dateReleased: meta.dateReleased };
    this.pendingKev = [];
    this.changedAt = at;
    const profiles = new Set<string>();
    const changed = (id: string) => {
      for (const key of this.matcher.holdersOf(id)) profiles.add(key);
    };
    for (const id of before.keys()) if (!this.kev.has(id)) changed(id);
    for (const id of this.kev.keys()) if (!before.has(id)) changed(id);
    this.touchProfiles(profiles);
  }

  /** Devices whose findings change with these profiles' hits: each profile and SBOM marked once (their groups re-counted), never device by device. */
  private touchProfiles(keys: Iterable<string>): void {
    const gen = ++this.gen;
    const sboms = new Set<string>();
    const profiles: string[] = [];
    for (const key of keys) {
      this.profileCounts.delete(key);
      for (const g of this.groupsByProfile.get(key) ?? []) this.recount(g);
      if (this.assetsByProfile.get(key)?.size) {
        this.profileGen.set(key, gen);
        profiles.push(key);
      }
      for (const sk of this.sbomsByProfile.get(key) ?? []) sboms.add(sk);
    }
    for (const sk of sboms) {
      const sp = this.sbomProfiles.get(sk)!;
      sp.hits = null;
      sp.scored = null;
      sp.counts.clear();
      for (const g of this.groupsBySbom.get(sk) ?? []) this.recount(g);
      this.sbomGen.set(sk, gen);
    }
    this.lastTouched = { profiles, sboms: [...sboms] };
  }

  /** Devices whose findings the last catalogue change made stale (worked out when asked: the benchmark and tests). */
  get touched(): ReadonlySet<string> {
    const ids = new Set<string>();
    for (const key of this.lastTouched.profiles) for (const id of this.assetsByProfile.get(key) ?? []) ids.add(id);
    for (const sk of this.lastTouched.sboms) for (const id of this.assetsBySbom.get(sk) ?? []) ids.add(id);
    return ids;
  }

  /** A device's findings when still current, else null. */
  private fresh(t: Tracked): Finding[] | null {
    if (!t.findings) return null;
    if ((t.deviceKey !== null && (this.profileGen.get(t.deviceKey) ?? 0) > t.builtGen) || (this.sbomGen.get(t.sbom) ?? 0) > t.builtGen) {
      t.findings = null;
    }
    return t.findings;
  }

  private matchAsset(t: Tracked): void {
    const a = t.asset;
    if (a.firmware.trim() || a.cpe || a.purl) {
      t.deviceKey = this.matcher.addSubject(assetSubject(a));
      addTo(this.assetsByProfile, t.deviceKey, a.assetId);
    }
  }

  private unmatchAsset(t: Tracked): void {
    if (t.deviceKey) {
      this.matcher.removeSubject(t.deviceKey);
      const alike = this.assetsByProfile.get(t.deviceKey);
      alike?.delete(t.asset.assetId);
      if (!alike?.size) this.profileGen.delete(t.deviceKey);
    }
    t.deviceKey = null;
  }

  /** The hits of an SBOM's components, computed once for all the devices running it. */
  private sbomHits(key: string): { component: Component; hits: Hit[] }[] {
    const p = this.sbomProfiles.get(key);
    if (!p) return [];
    if (p.hits === null) {
      p.hits = [];
      const counts = this.matcher.hitCounts;
      const ids = p.ids;
      for (let i = 0; i < ids.length; i++) {
        if (counts[ids[i]!] === 0) continue;
        const { component, profile } = p.components[i]!;
        p.hits.push({ component, hits: [...profile.hits!.values()] });
      }
    }
    return p.hits;
  }

  /** One device's findings: its firmware's hits and its SBOM's components' hits, built when first read after a change. */
  findingsOfAsset(assetId: string): readonly Finding[] {
    const t = this.assets.get(assetId);
    if (!t) return [];
    const current = this.fresh(t);
    if (current) return current;
    const out: Finding[] = [];
    const a = t.asset;
    const at = this.changedAt;
    const add = (cveId: string, source: string, basis: Finding['basis'], component: Finding['component']) => {
      const record = this.cves.get(cveId);
      const kev = this.kev.get(cveId);
      const findingId = component ? `${assetId}~${cveId}~${component.ref}` : `${assetId}~${cveId}`;
      const cvss = record?.cvss?.score ?? null;
      const { priority, score } = priorityOf({ cvss, kev: !!kev, ransomware: !!kev?.ransomware, exposure: a.exposure, safetyRole: a.safetyRole, basis });
      out.push({
        findingId,
        assetId,
        orgId: a.orgId,
        cveId,
        component,
        source,
        basis,
        kev: !!kev,
        cvss,
        priority,
        score,
        triage: this.triage.get(findingId) ?? NEW_TRIAGE(at),
      });
    };
    if (t.deviceKey) for (const h of this.matcher.hits(t.deviceKey).values()) add(h.cveId, h.source, h.basis, null);
    for (const { component, hits } of this.sbomHits(t.sbom)) {
      for (const h of hits) add(h.cveId, h.source, h.basis, { ref: component.ref, name: component.name, version: component.version });
    }
    out.sort((x, y) => y.score - x.score || (x.findingId < y.findingId ? -1 : 1));
    t.findings = out;
    t.builtGen = this.gen;
    return out;
  }

  /** A finding by id (`<assetId>~<cveId>[~<component ref>]`). */
  finding(findingId: string): Finding | undefined {
    const assetId = findingId.split('~')[0]!;
    return this.findingsOfAsset(assetId).find((f) => f.findingId === findingId);
  }

  /** Findings on one CVE, from the profiles holding it (no scan of the base). */
  findingsOfCve(cveId: string): Finding[] {
    const ids = new Set<string>();
    for (const key of this.matcher.holdersOf(cveId)) {
      for (const id of this.assetsByProfile.get(key) ?? []) ids.add(id);
      for (const sk of this.sbomsByProfile.get(key) ?? []) for (const id of this.assetsBySbom.get(sk) ?? []) ids.add(id);
    }
    const out: Finding[] = [];
    for (const id of ids) for (const f of this.findingsOfAsset(id)) if (f.cveId === cveId) out.push(f);
    return out;
  }

  /** Every device's findings (built as needed). */
  *allFindings(): Iterable<Finding> {
    for (const id of this.assets.keys()) yield* this.findingsOfAsset(id);
  }

  /** Findings per priority of one device, without building the findings: its group's counts (devices alike counted once). */
  countsOf(assetId: string): Record<Priority, number> {
    const t = this.assets.get(assetId);
    if (!t) return { P1: 0, P2: 0, P3: 0, P4: 0 };
    const current = this.fresh(t);
    if (current) return DeviceSecurityState.countByPriority(current);
    return { ...this.groupCounts(t.group) };
  }

  /** The city's totals and each organisation's, kept once asked for: a change re-counts only the groups it marked. */
  private totals: { all: Totals; byOrg: Map<string, Totals> } | null = null;
  private readonly dirtyGroups = new Set<Group>();

  /** A group's counts or size changed: its share of the kept totals is taken out and added again when next asked. */
  private mark(g: Group): void {
    if (this.totals) this.dirtyGroups.add(g);
  }

  private recount(g: Group): void {
    g.counts = null;
    this.mark(g);
  }

  private static addTotals(to: Totals, x: Totals, sign: 1 | -1): void {
    to.devices += sign * x.devices;
    to.counts.P1 += sign * x.counts.P1;
    to.counts.P2 += sign * x.counts.P2;
    to.counts.P3 += sign * x.counts.P3;
    to.counts.P4 += sign * x.counts.P4;
  }

  private contribute(g: Group, sign: 1 | -1): void {
    const totals = this.totals!;
    if (sign === 1) {
      const x = this.groupCounts(g);
      g.contrib = { devices: g.size, counts: { P1: x.P1 * g.size, P2: x.P2 * g.size, P3: x.P3 * g.size, P4: x.P4 * g.size } };
    }
    if (!g.contrib) return;
    let org = totals.byOrg.get(g.orgId);
    if (!org) totals.byOrg.set(g.orgId, (org = { devices: 0, counts: { P1: 0, P2: 0, P3: 0, P4: 0 } }));
    DeviceSecurityState.addTotals(totals.all, g.contrib, sign);
    DeviceSecurityState.addTotals(org, g.contrib, sign);
    if (sign === -1) g.contrib = null;
  }

  /**
   * Findings per priority over every device (of one owner organisation when given): group by group,
   * never device by device; kept between calls, so after a new CVE or device only the groups it
   * touched are counted again (their old share taken out, the new one added).
   */
  totalCounts(orgId: string | null = null): { devices: number; counts: Record<Priority, number> } {
    if (!this.totals) {
      this.totals = { all: { devices: 0, counts: { P1: 0, P2: 0, P3: 0, P4: 0 } }, byOrg: new Map() };
      this.dirtyGroups.clear();
      for (const g of this.groups.values()) this.contribute(g, 1);
    } else if (this.dirtyGroups.size > 0) {
      for (const g of this.dirtyGroups) {
        this.contribute(g, -1);
        if (g.size > 0 && this.groups.get(g.key) === g) this.contribute(g, 1);
      }
      this.dirtyGroups.clear();
    }
    const t = orgId === null ? this.totals.all : this.totals.byOrg.get(orgId);
    return { devices: t?.devices ?? 0, counts: { P1: 0, P2: 0, P3: 0, P4: 0, ...t?.counts } };
  }

  /** Number of groups of devices alike (for the benchmark). */
  get groupCount(): number {
    return this.groups.size;
  }

  /** Each hit's device-independent score (severity, exploitation), once per change of the hits. */
  private scored(hits: readonly Hit[]): Scored {
    const base = new Float64Array(hits.length);
    const undecided = new Uint8Array(hits.length);
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i]!;
      const kev = this.kev.get(h.cveId);
      base[i] = baseScore(this.cves.get(h.cveId)?.cvss?.score ?? null, !!kev, !!kev?.ransomware);
      undecided[i] = h.basis === 'undecided' ? 1 : 0;
    }
    return { base, undecided };
  }

  /** Counts by priority of scored hits on a device of this exposure and role (what `priorityOf` gives each one). */
  private static countScored(s: Scored, exposure: Asset['exposure'], safetyRole: Asset['safetyRole']): Record<Priority, number> {
    const out: Record<Priority, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };
    for (let i = 0; i < s.base.length; i++) out[priorityOfScore(scoreWith(s.base[i]!, exposure, safetyRole, s.undecided[i] === 1))]++;
    return out;
  }

  private groupCounts(g: Group): Record<Priority, number> {
    if (g.counts) return g.counts;
    const c: Record<Priority, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };
    if (g.deviceKey) {
      // Kept per device profile, then per exposure|role: two lookups on keys already hashed, no key built per group.
      let bySuffix = this.profileCounts.get(g.deviceKey);
      if (!bySuffix) this.profileCounts.set(g.deviceKey, (bySuffix = new Map()));
      let dc = bySuffix.get(g.suffix);
      if (!dc) {
        dc = DeviceSecurityState.countScored(this.scored([...this.matcher.hits(g.deviceKey).values()]), g.exposure, g.safetyRole);
        bySuffix.set(g.suffix, dc);
      }
      c.P1 += dc.P1;
      c.P2 += dc.P2;
      c.P3 += dc.P3;
      c.P4 += dc.P4;
    }
    const sp = this.sbomProfiles.get(g.sbom);
    if (sp) {
      let sc = sp.counts.get(g.suffix);
      if (!sc) {
        sp.scored ??= this.scored(this.sbomHits(g.sbom).flatMap((x) => x.hits));
        sc = DeviceSecurityState.countScored(sp.scored, g.exposure, g.safetyRole);
        sp.counts.set(g.suffix, sc);
      }
      c.P1 += sc.P1;
      c.P2 += sc.P2;
      c.P3 += sc.P3;
      c.P4 += sc.P4;
    }
    g.counts = c;
    return c;
  }

  /** Findings per priority among those given. */
  static countByPriority(findings: Iterable<Finding>): Record<Priority, number> {
    const c: Record<Priority, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };
    for (const f of findings) c[f.priority]++;
    return c;
  }
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
