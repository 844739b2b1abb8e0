/**
 * Version ordering and the CVE JSON 5 status algorithm ("CVE 5.0 Product and Version
 * Encodings", schema/v5.0/docs/versions.md): walk `versions[]` in order, the first entry
 * that matches the version decides, otherwise `defaultStatus` (absent = unknown).
 *
 * Orderings: `semver` (strict SemVer 2.0 when both strings are SemVer, else the vendor
 * ordering below, marked best-effort); everything else (`custom`, `maven`, `python`, `rpm`,
 * vendor strings such as `vCR9.10.240520a`, `V3.2 SP1`, `1.1.1y`) the documented vendor
 * ordering, marked best-effort; `git` cannot be ordered (commits). A string the vendor
 * ordering cannot read (no digit, words like "build time before 2024/1/22") gives
 * `undecided`: the matcher says it cannot decide rather than guessing.
 */
import type { VersionEntry, VersionStatus } from './model.js';

/** A token of a vendor version: a number or a lower-case word. */
type Token = number | string;

export interface ParsedVersion {
  /** Letters before the first digit, lower-cased without separators ('v', 'vcr', 'illustraess'); '' when none. */
  readonly prefix: string;
  readonly tokens: readonly Token[];
}

const READABLE = /^[A-Za-z][A-Za-z .\-_]{0,24}?\d|^\d/;

/**
 * Reads a vendor version: an optional alphabetic prefix, then numbers and words split at
 * dots, dashes, underscores, spaces, '+', parentheses and digit/letter changes.
 * Null when the string is not a version (no digit near the start, or too long).
 */
export function parseVersion(raw: string): ParsedVersion | null {
  // A catalogue's bounds and a base's firmware versions are a few thousand strings read over and over: parsed once (bounded).
  const cached = parsed.get(raw);
  if (cached !== undefined) return cached;
  if (parsed.size > 100_000) parsed.clear();
  const v = readVersion(raw);
  parsed.set(raw, v);
  return v;
}

/** Parsed versions, shared and never changed by their readers. */
const parsed = new Map<string, ParsedVersion | null>();

function readVersion(raw: string): ParsedVersion | null {
  const s = raw.trim();
  if (s.length === 0 || s.length > 64 || !READABLE.test(s)) return null;
  const firstDigit = s.search(/\d/);
  const prefix = s
    .slice(0, firstDigit)
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  const tokens: Token[] = [];
  for (const m of s.slice(firstDigit).matchAll(/\d+|[A-Za-z]+/g)) {
    const t = m[0];
    tokens.push(/^\d/.test(t) ? Number(t) : t.toLowerCase());
  }
  // Words that make the string a sentence, not a version.
  if (tokens.some((t) => typeof t === 'string' && /^(before|after|prior|and|or|earlier|later|all|versions?|time)$/.test(t))) return null;
  return { prefix, tokens };
}

/** -1, 0 or 1; null when the two cannot be ordered (different non-empty prefixes: different product lines). */
export function compareVendor(a: ParsedVersion, b: ParsedVersion): number | null {
  if (a.prefix !== '' && b.prefix !== '' && a.prefix !== b.prefix) return null;
  const n = Math.max(a.tokens.length, b.tokens.length);
  for (let i = 0; i < n; i++) {
    const x = a.tokens[i];
    const y = b.tokens[i];
    if (x === y) continue;
    // A missing token sorts first: 1.1.1 < 1.1.1y, 9.10 < 9.10.240520a, 3.2 < 3.2 SP1.
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    // A number after a word: 1.1.1 (then 2) > 1.1.1y? No: numbers sort after words at the same place (1.0a < 1.0.1).
    if (typeof x === 'number') return 1;
    if (typeof y === 'number') return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]+)?$/;

const semvers = new Map<string, RegExpExecArray | null>();
/** A string's SemVer parts (remembered, bounded like parsed versions). */
function semverOf(raw: string): RegExpExecArray | null {
  let m = semvers.get(raw);
  if (m === undefined) {
    if (semvers.size > 100_000) semvers.clear();
    m = SEMVER.exec(raw.trim());
    semvers.set(raw, m);
  }
  return m;
}

/** SemVer 2.0 precedence; null when either is not SemVer. */
export function compareSemver(a: string, b: string): number | null {
  const x = semverOf(a);
  const y = semverOf(b);
  if (!x || !y) return null;
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const pa = x[4];
  const pb = y[4];
  if (pa === undefined && pb === undefined) return 0;
  if (pa === undefined) return 1;
  if (pb === undefined) return -1;
  const ia = pa.split('.');
  const ib = pb.split('.');
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
    const s = ia[i];
    const t = ib[i];
    if (s === t) continue;
    if (s === undefined) return -1;
    if (t === undefined) return 1;
    const ns = /^\d+$/.test(s);
    const nt = /^\d+$/.test(t);
    if (ns && nt) return Number(s) < Number(t) ? -1 : 1;
    if (ns) return -1;
    if (nt) return 1;
    return s < t ? -1 : 1;
  }
  return 0;
}

export interface Comparison {
  /** -1, 0, 1, or null when the two cannot be ordered. */
  order: number | null;
  /** The vendor ordering was used (custom type, or a 'semver' range with non-SemVer strings). */
  bestEffort: boolean;
}

/** Compares two versions in the ordering `versionType` names. */
export function compareVersions(a: string, b: string, versionType: string | undefined): Comparison {
  const type = (versionType ?? 'custom').toLowerCase();
  if (type === 'git') return { order: null, bestEffort: false };
  if (type === 'semver') {
    const s = compareSemver(a, b);
    if (s !== null) return { order: s, bestEffort: false };
  }
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return { order: null, bestEffort: true };
  return { order: compareVendor(x, y), bestEffort: true };
}

/** Versions meaning "no lower bound". */
const NO_LOWER = new Set(['0', '*', 'all', 'unspecified', '']);
const noLowerSeen = new Map<string, boolean>();
/** Whether a range's `version` means no lower bound (remembered: asked for every profile a range is checked against). */
function noLower(version: string): boolean {
  let v = noLowerSeen.get(version);
  if (v === undefined) {
    if (noLowerSeen.size > 10_000) noLowerSeen.clear();
    v = NO_LOWER.has(version.trim().toLowerCase());
    noLowerSeen.set(version, v);
  }
  return v;
}

export interface StatusDecision {
  status: VersionStatus | 'undecided';
  /** Index of the deciding entry in `versions[]`, -1 for the default. */
  entry: number;
  bestEffort: boolean;
}

/** Whether `version` lies in [lower, upper) or [lower, upper]; null when an ordering fails. */
function inRange(version: string, e: VersionEntry, state: { bestEffort: boolean }): boolean | null {
  const upper = e.lessThan ?? e.lessThanOrEqual!;
  const inclusive = e.lessThan === undefined;
  if (!noLower(e.version)) {
    const lo = compareVersions(version, e.version, e.versionType);
    state.bestEffort ||= lo.bestEffort;
    if (lo.order === null) return null;
    if (lo.order < 0) return false;
  }
  const u = upper.trim();
  if (u === '*') return true;
  if (u.endsWith('.*')) {
    // "2.*": the whole 2.x series — compare only as many tokens as the bound has.
    const pv = parseVersion(version);
    const pb = parseVersion(u.slice(0, -2));
    state.bestEffort = true;
    if (!pv || !pb) return null;
    const order = compareVendor({ prefix: pv.prefix, tokens: pv.tokens.slice(0, pb.tokens.length) }, pb);
    return order === null ? null : order <= 0;
  }
  const hi = compareVersions(version, u, e.versionType);
  state.bestEffort ||= hi.bestEffort;
  if (hi.order === null) return null;
  return inclusive ? hi.order <= 0 : hi.order < 0;
}

function sameVersion(a: string, b: string, versionType: string | undefined): boolean | null {
  if (a.trim().toLowerCase() === b.trim().toLowerCase()) return true;
  const c = compareVersions(a, b, versionType);
  return c.order === null ? null : c.order === 0;
}

/**
 * The status of one version of a product entry. A range whose bounds cannot be ordered
 * against the version makes the answer `undecided` (never a silent "unaffected");
 * an exact entry that cannot be compared is skipped, as it names another version.
 */
export function decideStatus(version: string, versions: readonly VersionEntry[], defaultStatus: VersionStatus | undefined): StatusDecision {
  const state = { bestEffort: false };
  for (let i = 0; i < versions.length; i++) {
    const e = versions[i]!;
    if (e.lessThan !== undefined || e.lessThanOrEqual !== undefined) {
      const r = inRange(version, e, state);
      if (r === null) return { status: 'undecided', entry: i, bestEffort: true };
      if (!r) continue;
      let status = e.status;
      if (e.changes && e.changes.length > 0) {
        const sorted = [...e.changes].sort((a, b) => compareVersions(a.at, b.at, e.versionType).order ?? 0);
        for (const c of sorted) {
          const o = compareVersions(c.at, version, e.versionType);
          if (o.order === null) return { status: 'undecided', entry: i, bestEffort: true };
          if (o.order <= 0) status = c.status;
        }
      }
      return { status, entry: i, bestEffort: state.bestEffort };
    }
    const same = sameVersion(version, e.version, e.versionType);
    // Vendor prose Vigil cannot read ("Versions which Build time before 2024/1/22") about an affected product: a human decides.
    if (same === null && e.status === 'affected' && /\s/.test(e.version.trim()) && parseVersion(e.version) === null) {
      return { status: 'undecided', entry: i, bestEffort: true };
    }
    if (same) return { status: e.status, entry: i, bestEffort: state.bestEffort };
  }
  return { status: defaultStatus ?? 'unknown', entry: -1, bestEffort: state.bestEffort };
}
