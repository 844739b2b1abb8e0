import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PackageURL } from 'packageurl-js';
import type { CityReadPort } from '../city/contract.js';
import { siteDisplayName } from '../directory/contract.js';
import { badRequest, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { Position } from '../kernel/geo.js';
import type { Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import { canonicalJson } from '../platform/event-hash.js';
import { JobGate } from '../platform/heavy/job-gate.js';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import { assertCan, can, type PolicyResource } from '../platform/policy.js';
import { securityEvent, type NoticeItem } from './events.js';
import { readIntel, type readKevCatalogue } from './intel.js';
import {
  EXPOSURES,
  type Asset,
  type AssetKind,
  type CveRecord,
  type Exposure,
  type Finding,
  type KevEntry,
  type Priority,
  type SafetyRole,
  type Sbom,
  type TriageState,
  type VexJustification,
} from './model.js';
import { parseCpe } from './names.js';
import { defaultSafetyRole } from './priority.js';
import { aggregateSbom, vexDocument } from './sbom.js';
import type { ReadSbomInWorker } from './sbom-worker.js';
import { DeviceSecurityState } from './state.js';

export interface DeviceSecurityDeps {
  city: CityReadPort;
  orgName(orgId: string): string | null;
  /** The CSIRT cases a finding is in or that name its CVE or device (filled by the wiring: the desk asks the policy). */
  casesOf?(p: Principal, f: Finding): FindingCaseRef[];
}

/** A CSIRT case as a finding shows it (the desk's FindingCase). */
export interface FindingCaseRef {
  caseId: string;
  ref: string;
  title: string;
  status: string;
  via: 'linked' | 'cve' | 'device';
}

export interface AssetInput {
  assetId?: string;
  cityDeviceId?: string | null;
  label?: string;
  kind?: AssetKind;
  siteId?: string | null;
  position?: Position | null;
  vendor: string;
  model: string;
  platform?: string | null;
  firmware: string;
  cpe?: string | null;
  purl?: string | null;
  exposure: Exposure;
  safetyRole?: SafetyRole;
  lastSeen?: string | null;
}

export interface TriageInput {
  state: TriageState;
  justification?: VexJustification | null;
  detail: string;
}

/** One row of the inventory: a profiled asset, or a city device nobody has described yet. */
export interface InventoryRow {
  assetId: string | null;
  cityDeviceId: string | null;
  label: string;
  kind: string;
  orgId: string;
  orgName: string;
  siteName: string | null;
  position: Position | null;
  vendor: string | null;
  model: string | null;
  platform: string | null;
  firmware: string | null;
  cpe: string | null;
  purl: string | null;
  exposure: Exposure | null;
  safetyRole: SafetyRole | null;
  lastSeen: string | null;
  components: number;
  findings: Record<Priority, number>;
}

export interface FindingView extends Finding {
  label: string;
  orgName: string;
  siteName: string | null;
  position: Position | null;
  title: string;
  kevDueDate: string | null;
  exposure: Exposure;
  vendor: string;
  model: string;
  firmware: string;
  /** CSIRT cases about it (only in the single finding's view and the listing's first rows). */
  cases?: FindingCaseRef[];
}

export interface FindingFilter {
  priority?: Priority;
  state?: TriageState;
  orgId?: string;
  assetId?: string;
  kev?: boolean;
  limit?: number;
}

/** Parts of an import stay well under the log's 1 MB event limit. */
const PART_BYTES = 600_000;

const secured = (orgId: string): PolicyResource => ({ orgId, confidential: 'security' });

const assetRegistered = (asset: Asset, p: Principal) =>
  securityEvent('device-security.asset.registered', `asset:${asset.assetId}`, asset.orgId, p.actor, { asset });

const SBOM_WORKER = new URL('./sbom-worker.ts', import.meta.url);
/** The thread that read the last SBOM (tests show it was not the main thread). */
export const lastSbomRead = { threadId: -1 };

export class DeviceSecurityService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: DeviceSecurityState,
    private readonly deps: DeviceSecurityDeps,
  ) {}

  private orgName(orgId: string): string {
    return this.deps.orgName(orgId) ?? orgId;
  }

  private siteName(siteId: string | null): string | null {
    if (!siteId) return null;
    const s = this.deps.city.sites.get(siteId);
    // A site without a name or address reads as the directory says it ("building in Fontvieille"), never as its id.
    return s ? siteDisplayName(s, s.areaId ? (this.deps.city.areas.get(s.areaId)?.name ?? null) : null) : null;
  }

  /** The device's position: the city model's when it describes a city device. */
  private positionOf(a: Asset): Position | null {
    return (a.cityDeviceId ? this.deps.city.devices.get(a.cityDeviceId)?.position : null) ?? a.position;
  }

  sees(p: Principal, orgId: string): boolean {
    return can(p, 'read', secured(orgId));
  }

  // ---- inventory ----

  inventory(p: Principal): InventoryRow[] {
    const rows: InventoryRow[] = [];
    for (const { asset: a } of this.state.assets.values()) {
      if (!this.sees(p, a.orgId)) continue;
      const sbom = this.state.sbomOf(a);
      rows.push({
        assetId: a.assetId,
        cityDeviceId: a.cityDeviceId,
        label: a.label,
        kind: a.kind,
        orgId: a.orgId,
        orgName: this.orgName(a.orgId),
        siteName: this.siteName(a.siteId),
        position: this.positionOf(a),
        vendor: a.vendor,
        model: a.model,
        platform: a.platform,
        firmware: a.firmware,
        cpe: a.cpe,
        purl: a.purl,
        exposure: a.exposure,
        safetyRole: a.safetyRole,
        lastSeen: a.lastSeen,
        components: sbom?.components.length ?? 0,
        findings: this.state.countsOf(a.assetId),
      });
    }
    // City devices nobody has described yet: listed so the owner sees what is missing.
    for (const d of this.deps.city.devices.values()) {
      if (this.state.assets.has(d.id) || d.kind === 'cell-site' || d.parentId !== null || !this.sees(p, d.orgId)) continue;
      rows.push({
        assetId: null,
        cityDeviceId: d.id,
        label: d.label,
        kind: d.kind,
        orgId: d.orgId,
        orgName: this.orgName(d.orgId),
        siteName: this.siteName(d.siteId),
        position: d.position,
        vendor: null,
        model: null,
        platform: null,
        firmware: null,
        cpe: null,
        purl: null,
        exposure: null,
        safetyRole: null,
        lastSeen: null,
        components: 0,
        findings: { P1: 0, P2: 0, P3: 0, P4: 0 },
      });
    }
    return rows;
  }

  asset(assetId: string, p: Principal): Asset {
    const t = this.state.assets.get(assetId);
    if (!t) throw notFound('device', assetId);
    assertCan(p, 'read', secured(t.asset.orgId), 'device', assetId);
    return t.asset;
  }

  /** Describes a device (a city device by its id, or one added here for the caller's organisation); its owner is told of new findings. */
  async registerAsset(input: AssetInput, p: Principal): Promise<Asset> {
    const asset = await this.recordAsset(input, p);
    await this.notifyOwners(p.actor);
    return asset;
  }

  private async recordAsset(input: AssetInput, p: Principal): Promise<Asset> {
    const asset = this.checkedAsset(input, p);
    await this.ctx.record([assetRegistered(asset, p)]);
    return asset;
  }

  /** The asset an input describes, checked (the device exists, the principal manages it, CPE and purl parse). */
  private checkedAsset(input: AssetInput, p: Principal): Asset {
    // An assetId naming a city device describes that city device (its owner's, linked to the city model): never an
    // asset of the caller's organisation under the same id, which would take the device's place in its owner's inventory.
    const cityDeviceId = input.cityDeviceId ?? (input.assetId && this.deps.city.devices.has(input.assetId) ? input.assetId : null);
    const city = cityDeviceId ? this.deps.city.devices.get(cityDeviceId) : null;
    if (cityDeviceId && !city) throw notFound('device', cityDeviceId);
    const orgId = city ? city.orgId : (this.state.assets.get(input.assetId ?? '')?.asset.orgId ?? p.orgId);
    if (!orgId) throw badRequest('a device belongs to an organisation: sign in as a member of one');
    const assetId = city ? city.id : (input.assetId ?? newId('ast'));
    assertCan(p, 'manage', secured(orgId), 'device', assetId);
    if (!EXPOSURES.includes(input.exposure)) throw badRequest(`exposure must be one of ${EXPOSURES.join(', ')}`);
    if (input.cpe && !parseCpe(input.cpe)) throw badRequest(`not a CPE 2.3 name: ${input.cpe}`);
    if (input.purl) {
      try {
        PackageURL.fromString(input.purl);
      } catch (e) {
        throw badRequest(`not a package URL: ${(e as Error).message}`);
      }
    }
    const kind: AssetKind =
      input.kind ??
      (city ? (city.kind === 'siren' || city.kind === 'loudspeaker' || city.kind === 'camera' || city.kind === 'alarm-panel' ? city.kind : 'sensor') : 'other');
    const asset: Asset = {
      assetId,
      cityDeviceId: city ? city.id : null,
      orgId,
      label: input.label?.trim() || city?.label || `${input.vendor} ${input.model}`,
      kind,
      siteId: city ? city.siteId : (input.siteId ?? null),
      position: city ? city.position : (input.position ?? (input.siteId ? (this.deps.city.sites.get(input.siteId)?.position ?? null) : null)),
      vendor: input.vendor.trim(),
      model: input.model.trim(),
      platform: input.platform?.trim() || null,
      firmware: input.firmware.trim(),
      cpe: input.cpe?.trim() || null,
      purl: input.purl?.trim() || null,
      exposure: input.exposure,
      safetyRole: input.safetyRole ?? defaultSafetyRole(kind),
      lastSeen: input.lastSeen ?? null,
    };
    return asset;
  }

  /**
   * Several devices (the demo's installed base, an inventory import) in one append: every input is
   * checked first and one bad input refuses all. The caller manages every owner; owners are told once at the end.
   */
  async registerAssets(inputs: readonly AssetInput[], p: Principal): Promise<number> {
    const assets = inputs.map((input) => this.checkedAsset(input, p));
    if (assets.length > 0) await this.ctx.record(assets.map((asset) => assetRegistered(asset, p)));
    await this.notifyOwners(p.actor);
    return inputs.length;
  }

  async removeAsset(assetId: string, p: Principal): Promise<void> {
    const a = this.asset(assetId, p);
    assertCan(p, 'manage', secured(a.orgId), 'device', assetId);
    await this.ctx.record([securityEvent('device-security.asset.removed', `asset:${assetId}`, a.orgId, p.actor, { assetId })]);
  }

  // ---- SBOMs ----

  /**
   * Uploads of SBOMs through the API (routes.ts): at most 2 read at once, 8 waiting, 2 per user (429
   * beyond). Each is read in the worker pool (sbom-worker.ts), never on the main thread.
   */
  readonly sbomGate = new JobGate('SBOM import', { concurrency: 2, queue: 8, perUser: 2, retryAfterSeconds: 5 });

  /**
   * Imports a CycloneDX SBOM (JSON or XML) for a vendor + model + firmware (from the request, else its
   * metadata.component). It is the importing organisation's and applies to its devices only (replacing
   * its earlier one); the city CSIRT's applies city-wide, to devices whose organisation has none.
   */
  async importSbom(document: string, meta: { vendor?: string; model?: string; firmware?: string }, p: Principal): Promise<Sbom> {
    // Parsing and schema validation (ajv over a 4 MiB document, libxml2, the DOM) in a pool worker: the alarm path keeps the main thread.
    const { read, threadId } = await runInWorker<ReadSbomInWorker>({ module: SBOM_WORKER, fn: 'readSbomInWorker', input: { document } });
    lastSbomRead.threadId = threadId;
    const vendor = meta.vendor?.trim() || read.subject.vendor;
    const model = meta.model?.trim() || read.subject.name;
    const firmware = meta.firmware?.trim() || read.subject.version;
    if (!vendor || !model || !firmware) throw badRequest('say which vendor, model and firmware the SBOM describes (or give them in metadata.component)');
    const sbom: Sbom = {
      sbomId: newId('sbom'),
      orgId: p.platformOrg && p.roles.includes('csirt') ? null : p.orgId,
      vendor,
      model,
      firmware,
      format: read.format,
      specVersion: read.specVersion,
      serialNumber: read.serialNumber,
      components: read.components,
      importedAt: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.ctx.record([securityEvent('device-security.sbom.imported', `sbom:${sbom.sbomId}`, p.orgId, p.actor, { sbom })]);
    await this.notifyOwners(p.actor);
    return sbom;
  }

  /** The city-wide SBOMs and those of the organisations the caller may read. */
  sboms(p: Principal): {
    sbomId: string;
    orgId: string | null;
    vendor: string;
    model: string;
    firmware: string;
    format: string;
    specVersion: string;
    components: number;
    importedAt: string;
  }[] {
    return [...this.state.sboms.values()]
      .filter((s) => !s.orgId || this.sees(p, s.orgId))
      .map((s) => ({
        sbomId: s.sbomId,
        orgId: s.orgId ?? null,
        vendor: s.vendor,
        model: s.model,
        firmware: s.firmware,
        format: s.format,
        specVersion: s.specVersion,
        components: s.components.length,
        importedAt: s.importedAt,
      }));
  }

  // ---- intelligence ----

  /** CVE records and/or a KEV catalogue, recorded in parts. Returns what was taken. */
  async importIntel(
    intel: { cves: CveRecord[]; kev: { catalogVersion: string; dateReleased: string; entries: KevEntry[] } | null },
    source: string,
    actor: string,
  ) {
    const importId = newId('vimp');
    const events: NewEvent[] = [];
    // Only records that are new or changed: re-importing the same pack appends nothing.
    const held = (r: CveRecord) => {
      const old = this.state.cves.get(r.cveId);
      return old !== undefined && canonicalJson(old) === canonicalJson(r);
    };
    const fresh = intel.cves.filter((r) => !held(r));
    const cveParts = chunk(fresh, (r) => JSON.stringify(r).length);
    cveParts.forEach((records, part) =>
      events.push(
        securityEvent('device-security.cves.imported', `vuln-import:${importId}`, null, actor, { importId, source, part, parts: cveParts.length, records }),
      ),
    );
    let kevTaken = 0;
    if (intel.kev && intel.kev.catalogVersion !== this.state.kevVersion?.catalogVersion) {
      const kevParts = chunk(intel.kev.entries, (k) => JSON.stringify(k).length);
      kevParts.forEach((entries, part) =>
        events.push(
          securityEvent('device-security.kev.imported', `vuln-import:${importId}`, null, actor, {
            importId,
            catalogVersion: intel.kev!.catalogVersion,
            dateReleased: intel.kev!.dateReleased,
            part,
            parts: kevParts.length,
            entries,
          }),
        ),
      );
      kevTaken = intel.kev.entries.length;
    }
    if (events.length > 0) await this.ctx.record(events);
    await this.notifyOwners(actor);
    return { importId, cves: fresh.length, unchanged: intel.cves.length - fresh.length, kev: kevTaken, catalogue: this.catalogue() };
  }

  /** A document uploaded over HTTP: one CVE record, a list of them, or the KEV catalogue. */
  async importDocument(json: unknown, source: string, p: Principal) {
    return this.importIntel(readIntel(json), source, p.actor);
  }

  /** A downloaded pack on disk: `cve/*.json` (or *.json at the top) and `kev/known_exploited_vulnerabilities.json`, or one file. */
  async importPath(path: string, actor: string) {
    const cves: CveRecord[] = [];
    let kev: ReturnType<typeof readKevCatalogue> | null = null;
    const readFile = (file: string) => {
      const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      const intel = readIntel(json);
      cves.push(...intel.cves);
      if (intel.kev) kev = intel.kev;
    };
    if (statSync(path).isDirectory()) {
      for (const sub of ['', 'cve', 'kev']) {
        const dir = join(path, sub);
        if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
        for (const f of readdirSync(dir).sort()) {
          if (!f.endsWith('.json') || f.includes('schema')) continue;
          readFile(join(dir, f));
        }
      }
    } else readFile(path);
    return this.importIntel({ cves, kev }, path.split('/').slice(-2).join('/'), actor);
  }

  catalogue() {
    return {
      cves: this.state.cves.size,
      kev: this.state.kev.size,
      kevVersion: this.state.kevVersion?.catalogVersion ?? null,
      sboms: this.state.sboms.size,
    };
  }

  cve(cveId: string): CveRecord & { kev: KevEntry | null } {
    const r = this.state.cves.get(cveId);
    if (!r) throw notFound('CVE', cveId);
    return { ...r, kev: this.state.kev.get(cveId) ?? null };
  }

  // ---- findings ----

  private view(f: Finding): FindingView {
    const a = this.state.assets.get(f.assetId)!.asset;
    const r = this.state.cves.get(f.cveId);
    return {
      ...f,
      label: a.label,
      orgName: this.orgName(a.orgId),
      siteName: this.siteName(a.siteId),
      position: this.positionOf(a),
      title: r?.title ?? f.cveId,
      kevDueDate: this.state.kev.get(f.cveId)?.dueDate ?? null,
      exposure: a.exposure,
      vendor: a.vendor,
      model: a.model,
      firmware: a.firmware,
    };
  }

  findings(p: Principal, filter: FindingFilter = {}): { total: number; findings: FindingView[] } {
    const out: Finding[] = [];
    const source = filter.assetId ? this.state.findingsOfAsset(filter.assetId) : this.state.allFindings();
    for (const f of source) {
      if (filter.priority && f.priority !== filter.priority) continue;
      if (filter.state && f.triage.state !== filter.state) continue;
      if (filter.orgId && f.orgId !== filter.orgId) continue;
      if (filter.kev !== undefined && f.kev !== filter.kev) continue;
      if (!this.sees(p, f.orgId)) continue;
      out.push(f);
    }
    out.sort((x, y) => y.score - x.score || (x.findingId < y.findingId ? -1 : 1));
    return {
      total: out.length,
      findings: out.slice(0, filter.limit ?? 500).map((f) => ({ ...this.view(f), cases: this.deps.casesOf?.(p, f) ?? [] })),
    };
  }

  finding(findingId: string, p: Principal): FindingView {
    const f = this.state.finding(findingId);
    if (!f) throw notFound('finding', findingId);
    assertCan(p, 'read', secured(f.orgId), 'finding', findingId);
    return { ...this.view(f), cases: this.deps.casesOf?.(p, f) ?? [] };
  }

  /** Moves a finding to a triage state, with who (the event's actor) and why; not-affected needs a VEX justification. */
  async triage(findingId: string, input: TriageInput, p: Principal): Promise<FindingView> {
    const f = this.state.finding(findingId);
    if (!f) throw notFound('finding', findingId);
    assertCan(p, 'act', secured(f.orgId), 'finding', findingId);
    const detail = input.detail.trim();
    if (!detail) throw badRequest('say why (detail)');
    if (input.state === 'not-affected' && !input.justification) throw badRequest('not affected needs a VEX justification');
    await this.ctx.record([
      securityEvent(
        'device-security.finding.triaged',
        `finding:${findingId}`,
        f.orgId,
        p.actor,
        {
          findingId,
          assetId: f.assetId,
          cveId: f.cveId,
          state: input.state,
          justification: input.state === 'not-affected' ? (input.justification ?? null) : null,
          detail,
        },
        detail,
      ),
    ]);
    return this.finding(findingId, p);
  }

  /** Counts by priority and per organisation, as far as the caller sees. */
  summary(p: Principal) {
    const visible = [...this.state.allFindings()].filter((f) => this.sees(p, f.orgId));
    const open = visible.filter((f) => f.triage.state === 'new' || f.triage.state === 'confirmed');
    const perOrg = new Map<string, Finding[]>();
    for (const f of open) (perOrg.get(f.orgId) ?? perOrg.set(f.orgId, []).get(f.orgId)!).push(f);
    const assets = [...this.state.assets.values()].filter((t) => this.sees(p, t.asset.orgId));
    const withKev = new Set(open.filter((f) => f.kev).map((f) => f.assetId));
    return {
      catalogue: this.catalogue(),
      devices: assets.length,
      devicesWithKnownExploited: withKev.size,
      open: DeviceSecurityState.countByPriority(open),
      all: DeviceSecurityState.countByPriority(visible),
      organisations: [...perOrg.entries()]
        .map(([orgId, fs]) => ({
          orgId,
          orgName: this.orgName(orgId),
          open: DeviceSecurityState.countByPriority(fs),
          devices: new Set(fs.map((f) => f.assetId)).size,
          kev: fs.filter((f) => f.kev).length,
        }))
        .sort((a, b) => b.open.P1 - a.open.P1 || b.open.P2 - a.open.P2 || (a.orgName < b.orgName ? -1 : 1)),
    };
  }

  // ---- exports ----

  exportSbom(p: Principal, format: 'json' | 'xml' = 'json'): string {
    const assets = [...this.state.assets.values()].map((t) => t.asset).filter((a) => this.sees(p, a.orgId));
    return aggregateSbom(assets, (a) => this.state.sbomOf(a), new Date(this.ctx.clock.now()), format);
  }

  exportVex(p: Principal, filter: FindingFilter = {}): string {
    const findings = [...this.state.allFindings()].filter(
      (f) => this.sees(p, f.orgId) && (!filter.orgId || f.orgId === filter.orgId) && (!filter.assetId || f.assetId === filter.assetId),
    );
    return vexDocument(findings, (id) => this.state.assets.get(id)?.asset, new Date(this.ctx.clock.now()));
  }

  // ---- owners told ----

  /** Tells each owner organisation about its new findings it was not told about (one event per organisation). */
  async notifyOwners(actor: string): Promise<number> {
    const perOrg = new Map<string, Finding[]>();
    for (const f of this.state.allFindings()) {
      if (this.state.notified.has(f.findingId) || f.triage.state !== 'new') continue;
      (perOrg.get(f.orgId) ?? perOrg.set(f.orgId, []).get(f.orgId)!).push(f);
    }
    const events: NewEvent[] = [];
    for (const [orgId, fs] of perOrg) {
      fs.sort((x, y) => y.score - x.score);
      // Every new finding is marked told; the event lists the most urgent ones.
      for (let i = 0; i < fs.length; i += 1000) {
        const slice = fs.slice(i, i + 1000);
        const findings: NoticeItem[] = slice.map((f) => ({
          findingId: f.findingId,
          assetId: f.assetId,
          label: this.state.assets.get(f.assetId)?.asset.label ?? f.assetId,
          cveId: f.cveId,
          priority: f.priority,
          kev: f.kev,
        }));
        events.push(securityEvent('device-security.owner.notified', `org:${orgId}`, orgId, actor, { total: fs.length, findings }));
      }
    }
    if (events.length > 0) await this.ctx.record(events);
    return events.length;
  }
}

/** Splits items into parts of at most PART_BYTES (by the size given). */
function chunk<T>(items: readonly T[], size: (t: T) => number): T[][] {
  const parts: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && bytes + n > PART_BYTES) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
