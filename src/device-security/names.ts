/**
 * How vendor and product names from devices, SBOM components, CPEs, package URLs and CVE
 * records are brought to one form, so "Axis Communications AB" / "axis" and "AXIS OS" /
 * "axis_os" meet. Pure and small: aliases are a table, product families ("NVR4XXX",
 * "OnCell G3150A-LTE Series", "Controller 6000 and Controller 7000") are read by
 * `productMatches`.
 */

/** Lower-case letters and digits only (accents and punctuation dropped). */
export function norm(s: string): string {
  return s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Vendors written several ways in the records; left: normalised spelling, right: the one key. */
const VENDOR_ALIASES: Record<string, string> = {
  axiscommunicationsab: 'axis',
  axiscommunications: 'axis',
  thegnuclibrary: 'gnu',
  glibc: 'gnu',
  sensormaticelectronicsasubsidiaryofjohnsoncontrolsinc: 'johnsoncontrols',
  johnsoncontrolsinc: 'johnsoncontrols',
  tyco: 'johnsoncontrols',
  carrier: 'lenels2',
  hanwhavisioncoltd: 'hanwhavision',
  hanwhatechwin: 'hanwhavision',
  zhejianguniviewtechnologiescoltdandatsumielectriccoltd: 'uniview',
  zhejianguniviewtechnologiescoltd: 'uniview',
  milestonesystems: 'milestone',
  siemensag: 'siemens',
  hangzhouhikvisiondigitaltechnologycoltd: 'hikvision',
  zhejiangdahuatechnologycoltd: 'dahua',
  dahuatechnology: 'dahua',
  dlink: 'dlink',
  moxainc: 'moxa',
  sierrawirelessinc: 'sierrawireless',
  honeywellinternational: 'honeywell',
  schneiderelectricse: 'schneiderelectric',
  boschsecuritysystems: 'bosch',
  geovisioninc: 'geovision',
  teltonikanetworks: 'teltonika',
  linuxfoundation: 'linux',
  openssl: 'openssl',
  mikrotikls: 'mikrotik',
};

/** Keys are asked for the same few thousand names again and again: remembered (bounded). */
function memo(f: (s: string) => string): (s: string) => string {
  const cache = new Map<string, string>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      if (cache.size > 100_000) cache.clear();
      v = f(s);
      cache.set(s, v);
    }
    return v;
  };
}

/** `norm` remembered: a device's model is checked against every family pattern of its vendor's records. */
const normKey = memo(norm);

export const vendorKey = memo((vendor: string): string => {
  const n = norm(vendor);
  return VENDOR_ALIASES[n] ?? n;
});

const PRODUCT_ALIASES: Record<string, string> = { linuxkernel: 'kernel', linux: 'kernel' };

/** The exact-match key of a product name: normalised, without a trailing "firmware". */
export const productKey = memo((product: string): string => {
  const n = norm(product).replace(/firmware$/, '');
  return PRODUCT_ALIASES[n] ?? n;
});

/** Words that name a family, not a product: "Series", "models", "devices". */
const FAMILY_WORDS = /\b(series|models?|devices?|routers?|model routers|firmware)\b/gi;

export interface ProductPattern {
  /** Exact keys (each alternative of "A and B", "A / B", "A; B"). */
  exact: string[];
  /** Alternatives that name a family: matched as a prefix, or with X wildcards ("NVR4XXX"). */
  families: { prefix: string; wildcard: RegExp | null }[];
}

const patternCache = new Map<string, ProductPattern>();

/** What an affected product name matches (cached: a catalogue repeats its product names). */
export function productPattern(product: string): ProductPattern {
  const cached = patternCache.get(product);
  if (cached) return cached;
  const exact = new Set<string>([productKey(product)]);
  const families: ProductPattern['families'] = [];
  const alternatives = product.split(/\s*(?:,|;|\/|\band\b|&)\s*/i).filter((a) => a.trim().length > 0);
  for (const alt of alternatives.length > 1 ? alternatives : [product]) {
    const family = FAMILY_WORDS.test(alt);
    FAMILY_WORDS.lastIndex = 0;
    const bare = alt.replace(FAMILY_WORDS, ' ').trim();
    if (!bare) continue;
    exact.add(productKey(bare));
    // Upper-case X runs after a letter or digit are wildcards: "IPC-HX8XXX", "NVR4XXX".
    const x = /[A-Z0-9]X{2,}/.test(bare);
    if (x) {
      const source = bare
        .split(/(X{2,})/)
        .map((piece) => (/^X{2,}$/.test(piece) ? `[a-z0-9]{${piece.length}}` : norm(piece)))
        .join('');
      families.push({ prefix: '', wildcard: new RegExp(`^${source}`) });
    } else if (family && norm(bare).length >= 4) {
      families.push({ prefix: norm(bare), wildcard: null });
    }
  }
  const p = { exact: [...exact].filter((k) => k.length > 0), families };
  if (patternCache.size > 50_000) patternCache.clear();
  patternCache.set(product, p);
  return p;
}

/** Whether a device's model (or platform) name is the affected product or one of its family. */
export function productMatches(name: string, product: string): boolean {
  const key = productKey(name);
  if (key.length === 0) return false;
  const p = productPattern(product);
  if (p.exact.includes(key)) return true;
  const n = normKey(name);
  for (const f of p.families) {
    if (f.wildcard ? f.wildcard.test(n) : n.startsWith(f.prefix)) return true;
  }
  return false;
}

export interface CpeName {
  part: string;
  vendor: string;
  product: string;
  version: string;
}

/** A CPE 2.3 formatted string (or a CPE 2.2 URI) → its part, vendor, product, version; null when it is not one. */
export function parseCpe(cpe: string): CpeName | null {
  if (cpe.length > 500) return null;
  const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
  if (cpe.startsWith('cpe:2.3:')) {
    const fields = cpe.slice(8).split(/(?<!\\):/);
    if (fields.length !== 11 || !/^[aho*-]$/.test(fields[0]!)) return null;
    return { part: fields[0]!, vendor: unescape(fields[1]!), product: unescape(fields[2]!), version: unescape(fields[3]!) };
  }
  if (cpe.startsWith('cpe:/')) {
    const fields = cpe.slice(5).split(':');
    if (fields.length < 3 || !/^[aho]$/.test(fields[0]!)) return null;
    return { part: fields[0]!, vendor: decodeURIComponent(fields[1]!), product: decodeURIComponent(fields[2]!), version: decodeURIComponent(fields[3] ?? '*') };
  }
  return null;
}

/** "pkg:type/namespace/name@version" → namespace (or null), name, version; null when it is not a package URL. */
export function parsePurl(purl: string): { type: string; namespace: string | null; name: string; version: string | null } | null {
  const m = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\/([^?#@]+)(?:@([^?#]+))?/.exec(purl.trim());
  if (!m) return null;
  const path = m[2]!.split('/').filter(Boolean).map(decodeURIComponent);
  if (path.length === 0) return null;
  const name = path.pop()!;
  return { type: m[1]!.toLowerCase(), namespace: path.length > 0 ? path.join('/') : null, name, version: m[3] ? decodeURIComponent(m[3]) : null };
}
