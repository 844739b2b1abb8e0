import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { DeviceSecurityEvents } from './events.js';
import { Matcher, type Subject } from './matcher.js';
import type { Asset, Component, CveRecord, Finding, KevEntry, Priority, Sbom, Triage } from './model.js';
import { norm, parseCpe, parsePurl } from './names.js';
import { priorityOf } from './priority.js';

/** The key an SBOM is kept under: every device of this vendor, model and firmware runs it. */
export const sbomKey = (vendor: string, model: string, firmware: string): string => `${norm(vendor)}|${norm(model)}|${firmware.trim().toLowerCase()}`;

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
  /** Component profile keys of its SBOM at the time it was matched. */
  componentKeys: { component: Component; key: string }[];
}

/** Inventory, SBOMs, the catalogue (CVE records and KEV), findings and their triage, rebuilt from `device-security.*`. */
export class DeviceSecurityState implements Projection {
  readonly name = 'device-security';
  readonly typePrefixes = ['device-security.'];
  readonly matcher = new Matcher();
  readonly assets = new Map<string, Tracked>();
  readonly sboms = new Map<string, Sbom>();
  readonly cves = new Map<string, CveRecord>();
  readonly kev = new Map<string, KevEntry>();
  kevVersion: { catalogVersion: string; dateReleased: string } | null = null;
  readonly triage = new Map<string, Triage>();
  readonly findingsByAsset = new Map<string, Finding[]>();
  readonly findings = new Map<string, Finding>();
  /** Findings each owner organisation was told about. */
  readonly notified = new Set<string>();
  private readonly assetsBySbom = new Map<string, Set<string>>();
  private readonly assetsByProfile = new Map<string, Set<string>>();
  private readonly assetsByCve = new Map<string, Set<string>>();
  private pendingKev: KevEntry[] = [];
  /** Whether findings are recomputed as events arrive (off while a bench loads, then `rematchAll`). */
  live = true;

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
        this.putSbom(sbom, e.at);
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
        const f = this.findings.get(d.findingId);
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
    const t: Tracked = { asset, deviceKey: null, sbom: sbomKey(asset.vendor, asset.model, asset.firmware), componentKeys: [] };
    this.assets.set(asset.assetId, t);
    addTo(this.assetsBySbom, t.sbom, asset.assetId);
    this.matchAsset(t);
    if (this.live) this.refresh(asset.assetId, at);
  }

  dropAsset(assetId: string): void {
    const t = this.assets.get(assetId);
    if (!t) return;
    this.unmatchAsset(t);
    this.assetsBySbom.get(t.sbom)?.delete(assetId);
    this.assets.delete(assetId);
    for (const f of this.findingsByAsset.get(assetId) ?? []) {
      this.findings.delete(f.findingId);
      this.assetsByCve.get(f.cveId)?.delete(assetId);
    }
    this.findingsByAsset.delete(assetId);
  }

  putSbom(sbom: Sbom, at: string): void {
    const key = sbomKey(sbom.vendor, sbom.model, sbom.firmware);
    this.sboms.set(key, sbom);
    for (const id of this.assetsBySbom.get(key) ?? []) {
      const t = this.assets.get(id)!;
      this.unmatchAsset(t);
      this.matchAsset(t);
      if (this.live) this.refresh(id, at);
    }
  }

  putCves(records: readonly CveRecord[], at: string): void {
    const touched = new Set<string>();
    for (const r of records) {
      this.cves.set(r.cveId, r);
      for (const key of this.matcher.addCve(r)) for (const id of this.assetsByProfile.get(key) ?? []) touched.add(id);
      // Score or title may have changed for findings that stay.
      for (const id of this.assetsByCve.get(r.cveId) ?? []) touched.add(id);
    }
    if (this.live) for (const id of touched) this.refresh(id, at);
  }

  putKev(entries: readonly KevEntry[], meta: { catalogVersion: string; dateReleased: string }, at: string): void {
    const before = new Set(this.kev.keys());
    this.kev.clear();
    for (const k of entries) this.kev.set(k.cveId, k);
    this.kevVersion = { catalogVersion: meta.catalogVersion, dateReleased: meta.dateReleased };
    this.pendingKev = [];
    if (!this.live) return;
    const touched = new Set<string>();
    for (const id of new Set([...before, ...this.kev.keys()])) {
      if (before.has(id) === this.kev.has(id)) continue;
      for (const a of this.assetsByCve.get(id) ?? []) touched.add(a);
    }
    for (const id of touched) this.refresh(id, at);
  }

  /** Recomputes every asset's findings (after a bulk load with `live` off). */
  rematchAll(at: string): void {
    for (const id of this.assets.keys()) this.refresh(id, at);
  }

  private matchAsset(t: Tracked): void {
    const a = t.asset;
    if (a.firmware.trim() || a.cpe || a.purl) {
      t.deviceKey = this.matcher.addSubject(assetSubject(a));
      addTo(this.assetsByProfile, t.deviceKey, a.assetId);
    }
    const sbom = this.sboms.get(t.sbom);
    for (const c of sbom?.components ?? []) {
      if (!c.version && !c.cpe && !c.purl) continue;
      const key = this.matcher.addSubject(componentSubject(c));
      t.componentKeys.push({ component: c, key });
      addTo(this.assetsByProfile, key, a.assetId);
    }
  }

  private unmatchAsset(t: Tracked): void {
    if (t.deviceKey) {
      this.matcher.removeSubject(t.deviceKey);
      this.assetsByProfile.get(t.deviceKey)?.delete(t.asset.assetId);
    }
    for (const { key } of t.componentKeys) {
      this.matcher.removeSubject(key);
      this.assetsByProfile.get(key)?.delete(t.asset.assetId);
    }
    t.deviceKey = null;
    t.componentKeys = [];
  }

  /** One asset's findings from its profiles' hits. */
  private refresh(assetId: string, at: string): void {
    const t = this.assets.get(assetId);
    for (const f of this.findingsByAsset.get(assetId) ?? []) {
      this.findings.delete(f.findingId);
      this.assetsByCve.get(f.cveId)?.delete(assetId);
    }
    if (!t) {
      this.findingsByAsset.delete(assetId);
      return;
    }
    const out: Finding[] = [];
    const a = t.asset;
    const add = (cveId: string, source: string, basis: Finding['basis'], component: Finding['component']) => {
      const record = this.cves.get(cveId);
      const kev = this.kev.get(cveId);
      const findingId = component ? `${assetId}~${cveId}~${component.ref}` : `${assetId}~${cveId}`;
      const cvss = record?.cvss?.score ?? null;
      const { priority, score } = priorityOf({ cvss, kev: !!kev, ransomware: !!kev?.ransomware, exposure: a.exposure, safetyRole: a.safetyRole, basis });
      const f: Finding = {
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
      };
      out.push(f);
      this.findings.set(findingId, f);
      addTo(this.assetsByCve, cveId, assetId);
    };
    if (t.deviceKey) for (const h of this.matcher.hits(t.deviceKey).values()) add(h.cveId, h.source, h.basis, null);
    for (const { component, key } of t.componentKeys) {
      for (const h of this.matcher.hits(key).values()) add(h.cveId, h.source, h.basis, { ref: component.ref, name: component.name, version: component.version });
    }
    out.sort((x, y) => y.score - x.score || (x.cveId < y.cveId ? -1 : 1));
    if (out.length > 0) this.findingsByAsset.set(assetId, out);
    else this.findingsByAsset.delete(assetId);
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
