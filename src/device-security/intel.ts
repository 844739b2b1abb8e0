/**
 * Reading vulnerability intelligence: CVE records in the CVE JSON 5 format (CNA and ADP
 * containers) and the CISA Known Exploited Vulnerabilities catalogue. Input is outside
 * data: every field is checked, anything else ignored; a file that is neither is refused
 * with the reason. Vendor prose in `version` ("V5.0.3 and prior", "AXIS OS 6.50 – 11.5",
 * "All versions") becomes a range marked with its text; prose Vigil cannot read stays as
 * it is and matches nothing by itself.
 */
import { badRequest } from '../kernel/errors.js';
import type { AffectedProduct, CveRecord, KevEntry, VersionEntry, VersionStatus } from './model.js';

const STATUSES = new Set(['affected', 'unaffected', 'unknown']);
const MAX_TEXT = 2000;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = 500): string | undefined => (typeof v === 'string' && v.length <= max ? v : undefined);
const status = (v: unknown): VersionStatus | undefined => (typeof v === 'string' && STATUSES.has(v) ? (v as VersionStatus) : undefined);

export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/** Vendor prose → a range (custom ordering), or null when it is not one Vigil can read. */
export function proseToRange(text: string): Omit<VersionEntry, 'status'> | null {
  const t = text.trim().replace(/\s+/g, ' ');
  const v = (s: string) => s.replace(/\.x$/i, '.*');
  const base = { versionType: 'custom', text: t };
  if (/^(all|all versions|all firmware versions|all versions of .+)$/i.test(t)) return { ...base, version: '0', lessThan: '*' };
  let m = /^(?:versions? )?(?:below|before|prior to) (\S+) \(including \S+\)$/i.exec(t);
  if (m) return { ...base, version: '0', lessThanOrEqual: v(m[1]!) };
  m = /^(?:versions? )?(?:below|before|prior to) (\S+)$/i.exec(t);
  if (m && /\d/.test(m[1]!)) return { ...base, version: '0', lessThan: v(m[1]!) };
  m = /^(?:versions? )?after (\S+) and before (\S+)$/i.exec(t);
  if (m) return { ...base, version: m[1]!, lessThan: v(m[2]!) };
  m = /^(?:versions? )?between (\S+) and (\S+)$/i.exec(t);
  if (m) return { ...base, version: m[1]!, lessThanOrEqual: v(m[2]!) };
  m = /^(?:[A-Za-z][A-Za-z ]*? )?(\S*\d\S*)(?: build ?\S+)? (?:and|or) (?:the versions )?(?:prior|earlier|below)(?: versions)?(?: to it)?$/i.exec(t);
  if (m) return { ...base, version: '0', lessThanOrEqual: v(m[1]!) };
  m = /^(?:[A-Za-z][A-Za-z ]*? )?(v?\d[\w.]*) ?[–-] ?(v?\d[\w.]*)$/i.exec(t);
  if (m) return { ...base, version: m[1]!, lessThanOrEqual: v(m[2]!) };
  return null;
}

function readVersions(raw: unknown): VersionEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: VersionEntry[] = [];
  for (const e of raw.slice(0, 500)) {
    if (!isObj(e)) continue;
    const version = str(e.version, 200);
    const st = status(e.status);
    if (version === undefined || st === undefined) continue;
    const entry: VersionEntry = { version, status: st };
    const vt = str(e.versionType, 40);
    if (vt) entry.versionType = vt;
    const lt = str(e.lessThan, 200);
    const le = str(e.lessThanOrEqual, 200);
    if (lt !== undefined) entry.lessThan = lt;
    else if (le !== undefined) entry.lessThanOrEqual = le;
    if (Array.isArray(e.changes)) {
      const changes = e.changes
        .filter(isObj)
        .map((c) => ({ at: str(c.at, 200), status: status(c.status) }))
        .filter((c): c is { at: string; status: VersionStatus } => c.at !== undefined && c.status !== undefined);
      if (changes.length > 0) entry.changes = changes;
    }
    if (lt === undefined && le === undefined) {
      const range = proseToRange(version);
      if (range && !/^\S+$/.test(version)) {
        out.push({ ...range, status: st });
        continue;
      }
    }
    out.push(entry);
  }
  return out;
}

function readAffected(raw: unknown, source: string): AffectedProduct[] {
  if (!Array.isArray(raw)) return [];
  const out: AffectedProduct[] = [];
  for (const a of raw.slice(0, 500)) {
    if (!isObj(a)) continue;
    const vendor = str(a.vendor) ?? 'n/a';
    const product = str(a.product) ?? 'n/a';
    const packageName = str(a.packageName) ?? null;
    const cpes = Array.isArray(a.cpes) ? a.cpes.filter((c): c is string => typeof c === 'string' && c.length <= 500).slice(0, 100) : [];
    const item: AffectedProduct = { source, vendor, product, packageName, cpes, versions: readVersions(a.versions) };
    const d = status(a.defaultStatus);
    if (d) item.defaultStatus = d;
    out.push(item);
  }
  return out;
}

type Cvss = NonNullable<CveRecord['cvss']>;

function readMetrics(raw: unknown, best: Cvss | null): Cvss | null {
  if (!Array.isArray(raw)) return best;
  for (const m of raw) {
    if (!isObj(m)) continue;
    for (const key of ['cvssV4_0', 'cvssV3_1', 'cvssV3_0', 'cvssV2_0']) {
      const c = m[key];
      if (!isObj(c) || typeof c.baseScore !== 'number' || !(c.baseScore >= 0 && c.baseScore <= 10)) continue;
      const found = { score: c.baseScore, version: str(c.version, 10) ?? key.slice(5).replace('_', '.'), vector: str(c.vectorString, 300) ?? '' };
      if (!best || found.score > best.score) best = found;
    }
  }
  return best;
}

/** One CVE JSON 5 record → what Vigil keeps. Throws bad_request with the reason when it is not one. */
export function readCveRecord(json: unknown): CveRecord {
  if (!isObj(json) || json.dataType !== 'CVE_RECORD') throw badRequest('not a CVE JSON 5 record (dataType must be CVE_RECORD)');
  const meta = json.cveMetadata;
  if (!isObj(meta) || typeof meta.cveId !== 'string' || !CVE_ID.test(meta.cveId)) throw badRequest('CVE record without a valid cveMetadata.cveId');
  const containers = json.containers;
  if (!isObj(containers) || !isObj(containers.cna)) throw badRequest(`${meta.cveId}: no containers.cna`);
  const cna = containers.cna;
  const descriptions = Array.isArray(cna.descriptions) ? cna.descriptions.filter(isObj) : [];
  const description = str((descriptions.find((d) => typeof d.lang === 'string' && d.lang.startsWith('en')) ?? descriptions[0])?.value, 100_000) ?? '';
  let cvss = readMetrics(cna.metrics, null);
  const affected = readAffected(cna.affected, 'cna');
  const adps = Array.isArray(containers.adp) ? containers.adp.filter(isObj) : [];
  for (const adp of adps) {
    const name = str(isObj(adp.providerMetadata) ? adp.providerMetadata.shortName : undefined, 100) ?? 'ADP';
    affected.push(...readAffected(adp.affected, name));
    cvss = readMetrics(adp.metrics, cvss);
  }
  return {
    cveId: meta.cveId,
    title: (str(cna.title, MAX_TEXT) ?? description.slice(0, 160)).trim(),
    description: description.slice(0, MAX_TEXT),
    published: str(meta.datePublished, 40) ?? null,
    updated: str(meta.dateUpdated, 40) ?? null,
    assigner: str(meta.assignerShortName, 100) ?? null,
    cvss,
    affected,
  };
}

/** The CISA KEV catalogue (its JSON as published) → entries. */
export function readKevCatalogue(json: unknown): { catalogVersion: string; dateReleased: string; entries: KevEntry[] } {
  if (!isObj(json) || !Array.isArray(json.vulnerabilities)) throw badRequest('not a KEV catalogue (no vulnerabilities array)');
  const entries: KevEntry[] = [];
  for (const v of json.vulnerabilities) {
    if (!isObj(v) || typeof v.cveID !== 'string' || !CVE_ID.test(v.cveID)) continue;
    entries.push({
      cveId: v.cveID,
      vendorProject: str(v.vendorProject) ?? '',
      product: str(v.product) ?? '',
      name: str(v.vulnerabilityName) ?? '',
      dateAdded: str(v.dateAdded, 40) ?? '',
      dueDate: str(v.dueDate, 40) ?? '',
      requiredAction: str(v.requiredAction, MAX_TEXT) ?? '',
      ransomware: v.knownRansomwareCampaignUse === 'Known',
    });
  }
  return { catalogVersion: str(json.catalogVersion, 40) ?? '', dateReleased: str(json.dateReleased, 40) ?? '', entries };
}

/** What an uploaded JSON document is: a CVE record, a list of them, or the KEV catalogue. */
export function readIntel(json: unknown): { cves: CveRecord[]; kev: ReturnType<typeof readKevCatalogue> | null } {
  if (isObj(json) && Array.isArray(json.vulnerabilities) && ('catalogVersion' in json || 'count' in json)) return { cves: [], kev: readKevCatalogue(json) };
  if (Array.isArray(json)) return { cves: json.map(readCveRecord), kev: null };
  return { cves: [readCveRecord(json)], kev: null };
}
