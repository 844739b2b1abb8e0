import type { AlertRecord, CapArea } from '../alerts/contract.js';
import { exerciseMark } from '../alerts/contract.js';
import type { CityReadPort } from '../city/contract.js';
import { SAFETY_SERVICES, type ReportState } from '../citizen-reports/contract.js';
import type { IndicatorDefinition } from '../cockpit/contract.js';
import { EFFECTS, POSITIONS, consultationStatus, type Consultation, type Contribution } from '../engagement/contract.js';
import { indicatorCsvRow, type IndicatorCsvColumn, type IndicatorValue } from '../cockpit/index.js';
import type { Position } from '../kernel/geo.js';
import { cleanLabel, toSafeCsv } from '../kernel/text-safety.js';
import { PUBLIC_FACILITY_CATEGORIES } from './contract.js';
import { publishable, suppressSmall } from '../kernel/disclosure.js';

type Feature = { type: 'Feature'; id: string; geometry: unknown; properties: Record<string, unknown> };
const collection = (features: Feature[], meta: Record<string, unknown> = {}) => ({ type: 'FeatureCollection', ...meta, features });

// ── Public alerts ──────────────────────────────────────────────────────────────

/** CAP areas as one GeoJSON MultiPolygon: polygons as given ("lat,lon …" → [lon, lat]), circles as 32-sided polygons. */
export function capAreasGeometry(areas: readonly CapArea[]): { type: 'MultiPolygon'; coordinates: number[][][][] } {
  const polygons: number[][][][] = [];
  for (const a of areas) {
    for (const p of a.polygon ?? []) {
      const ring = p
        .trim()
        .split(/\s+/)
        .map((pair) => pair.split(',').map(Number))
        .filter((c) => c.length === 2 && c.every(Number.isFinite))
        .map(([lat, lon]) => [lon!, lat!]);
      if (ring.length >= 4) polygons.push([ring]);
    }
    for (const c of a.circle ?? []) {
      const m = /^\s*(-?[\d.]+),(-?[\d.]+)\s+([\d.]+)\s*$/.exec(c);
      if (!m) continue;
      const [lat, lon, km] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const ring: number[][] = [];
      for (let i = 0; i <= 32; i++) {
        const t = (2 * Math.PI * (i % 32)) / 32;
        const dLat = (km / 111.32) * Math.sin(t);
        const dLon = (km / (111.32 * Math.cos((lat * Math.PI) / 180))) * Math.cos(t);
        ring.push([+(lon + dLon).toFixed(6), +(lat + dLat).toFixed(6)]);
      }
      polygons.push([ring]);
    }
  }
  return { type: 'MultiPolygon', coordinates: polygons };
}

/** The public alerts in force (scope Public, issued, not expired) with their CAP texts and areas; public by nature. */
export function alertsGeoJson(alerts: readonly AlertRecord[], baseUrl: string) {
  return collection(
    alerts.map((a) => ({
      type: 'Feature' as const,
      id: a.cap.identifier,
      geometry: capAreasGeometry((a.cap.info ?? []).flatMap((i) => i.area ?? [])),
      properties: {
        identifier: a.cap.identifier,
        sender: a.cap.sender,
        sent: a.cap.sent,
        status: a.cap.status,
        msgType: a.cap.msgType,
        exercise: exerciseMark(a.cap),
        capUrl: `${baseUrl}/api/alerts/public/${encodeURIComponent(a.alertId)}/cap.xml`,
        info: (a.cap.info ?? []).map((i) => ({
          language: i.language ?? 'en-US',
          event: i.event,
          headline: i.headline ?? null,
          description: i.description ?? null,
          instruction: i.instruction ?? null,
          severity: i.severity,
          urgency: i.urgency,
          certainty: i.certainty,
          expires: i.expires ?? null,
          senderName: i.senderName ?? null,
          areaDesc: (i.area ?? []).map((x) => x.areaDesc).join('; '),
        })),
      },
    })),
  );
}

// ── Citizen reports, anonymised ────────────────────────────────────────────────

export interface ReportCell {
  areaId: string;
  areaName: string;
  serviceCode: string;
  serviceName: string;
  /** Null when withheld (fewer than k reports, or withheld so that a withheld cell cannot be recovered from the totals). */
  received: number | null;
  resolved: number | null;
  /** Median hours from receipt to resolution, over at least k resolved reports; else null. */
  medianHoursToResolve: number | null;
  suppressed: boolean;
}

/**
 * Citizen reports counted per neighbourhood and service for a year (reports of a year
 * by the month they came in): no position, no text, no photo, no date finer than the
 * year, no contact — and no count below k (suppressSmall, per service across the
 * neighbourhoods, so a city total cannot give a withheld count back).
 */
export function reportCells(
  reports: Iterable<ReportState>,
  year: number,
  neighbourhoodOf: (p: Position) => { id: string; name: string } | null,
  cityName: string,
  k: number,
): ReportCell[] {
  const cells = new Map<string, { areaId: string; areaName: string; serviceCode: string; received: number; hours: number[] }>();
  for (const r of reports) {
    if (new Date(r.requestedAt).getUTCFullYear() !== year) continue;
    const hood = neighbourhoodOf(r.position) ?? { id: 'outside-neighbourhoods', name: `${cityName} (outside the neighbourhoods)` };
    const key = `${hood.id}|${r.serviceCode}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { areaId: hood.id, areaName: cleanLabel(hood.name), serviceCode: r.serviceCode, received: 0, hours: [] }));
    c.received++;
    if (r.status === 'resolved' && r.resolvedAt) c.hours.push((Date.parse(r.resolvedAt) - Date.parse(r.requestedAt)) / 3_600_000);
  }
  const list = [...cells.values()].sort((a, b) => a.areaName.localeCompare(b.areaName) || a.serviceCode.localeCompare(b.serviceCode));
  const hidden = new Array<boolean>(list.length).fill(false);
  const hiddenResolved = new Array<boolean>(list.length).fill(false);
  // Per service: the neighbourhoods are the cells of one margin (the service's city total).
  for (const code of new Set(list.map((c) => c.serviceCode))) {
    const idx = list.flatMap((c, i) => (c.serviceCode === code ? [i] : []));
    suppressSmall(
      idx.map((i) => list[i]!.received),
      k,
    ).forEach((h, j) => (hidden[idx[j]!] = h));
    suppressSmall(
      idx.map((i) => list[i]!.hours.length),
      k,
    ).forEach((h, j) => (hiddenResolved[idx[j]!] = h || hidden[idx[j]!]!));
  }
  const name = (code: string) => SAFETY_SERVICES.find((s) => s.code === code)?.name.en ?? code;
  return list.map((c, i) => {
    const sorted = [...c.hours].sort((a, b) => a - b);
    const median = sorted.length ? (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2 : null;
    return {
      areaId: c.areaId,
      areaName: c.areaName,
      serviceCode: c.serviceCode,
      serviceName: name(c.serviceCode),
      received: hidden[i] ? null : c.received,
      resolved: hiddenResolved[i] ? null : c.hours.length,
      medianHoursToResolve: !hiddenResolved[i] && sorted.length >= k && median !== null ? Math.round(median * 10) / 10 : null,
      suppressed: hidden[i]!,
    };
  });
}

export function reportCellsCsv(cells: readonly ReportCell[], year: number): string {
  return toSafeCsv([
    ['year', 'area_id', 'area', 'service_code', 'service', 'received', 'resolved', 'median_hours_to_resolve', 'suppressed'],
    ...cells.map((c) => [year, c.areaId, c.areaName, c.serviceCode, c.serviceName, c.received, c.resolved, c.medianHoursToResolve, c.suppressed]),
  ]);
}

export function reportCellsGeoJson(cells: readonly ReportCell[], year: number, city: CityReadPort, k: number) {
  const byArea = new Map<string, ReportCell[]>();
  for (const c of cells) byArea.set(c.areaId, [...(byArea.get(c.areaId) ?? []), c]);
  return collection(
    [...byArea].map(([areaId, list]) => {
      const a = city.areas.get(areaId);
      return {
        type: 'Feature' as const,
        id: areaId,
        geometry: a ? { type: 'Point', coordinates: a.center } : null,
        properties: {
          year,
          area: list[0]!.areaName,
          services: list.map(({ areaId: _a, areaName: _n, ...rest }) => rest),
        },
      };
    }),
    { minimumCount: k },
  );
}

// ── Consultation results ───────────────────────────────────────────────────────

/** One published figure of a closed consultation: how many answers took a position, or were answered with an effect. */
export interface ConsultationResultRow {
  consultationId: string;
  title: string;
  organisation: string;
  opensAt: string;
  closesAt: string;
  status: 'closed' | 'decided';
  decidedAt: string | null;
  decision: string | null;
  /** 'total': every answer; 'position': what the participants thought; 'effect': how the decision answered them. */
  measure: 'total' | 'position' | 'effect';
  value: string;
  /** Null when withheld (1 … k−1 answers, or withheld so that a withheld count cannot be recovered from the total). */
  count: number | null;
  suppressed: boolean;
}

/**
 * The results of closed consultations (closed or decided; an open one is never published,
 * so answers are not counted while people still answer): per consultation its total, the
 * answers per position and, once decided, per effect. No text, no name, no stakeholder, no
 * date of an answer; no count of 1 … k−1 (suppressSmall per consultation and measure, the
 * total being their margin; a total under k withholds everything of that consultation).
 */
export function consultationResults(
  items: Iterable<{ consultation: Consultation; contributions: readonly Contribution[] }>,
  orgName: (orgId: string) => string,
  now: number,
  k: number,
): ConsultationResultRow[] {
  const rows: ConsultationResultRow[] = [];
  const list = [...items].filter(({ consultation: c }) => {
    const status = consultationStatus(c, now);
    return status === 'closed' || status === 'decided';
  });
  list.sort(
    (a, b) => b.consultation.closesAt.localeCompare(a.consultation.closesAt) || a.consultation.consultationId.localeCompare(b.consultation.consultationId),
  );
  for (const { consultation: c, contributions } of list) {
    const decided = c.decision !== null;
    const base = {
      consultationId: c.consultationId,
      title: cleanLabel(c.title),
      organisation: cleanLabel(orgName(c.orgId)),
      opensAt: c.opensAt,
      closesAt: c.closedAt && c.closedAt < c.closesAt ? c.closedAt : c.closesAt,
      status: (decided ? 'decided' : 'closed') as 'closed' | 'decided',
      decidedAt: c.decision?.decidedAt ?? null,
      decision: c.decision ? cleanLabel(c.decision.summary) : null,
    };
    const total = contributions.length;
    const totalHidden = !publishable(total, k);
    rows.push({ ...base, measure: 'total', value: 'all', count: totalHidden ? null : total, suppressed: totalHidden });
    const measure = (name: 'position' | 'effect', values: readonly string[], of: (x: Contribution) => string | null) => {
      const counts = values.map((v) => contributions.filter((x) => of(x) === v).length);
      const hidden = totalHidden ? counts.map(() => true) : suppressSmall(counts, k);
      values.forEach((v, i) => rows.push({ ...base, measure: name, value: v, count: hidden[i] ? null : counts[i]!, suppressed: hidden[i]! }));
    };
    measure('position', POSITIONS, (x) => x.position);
    if (c.decision) {
      const effects = new Map(c.decision.outcomes.map((o) => [o.contributionId, o.effect]));
      measure('effect', EFFECTS, (x) => effects.get(x.contributionId) ?? null);
    }
  }
  return rows;
}

export function consultationResultsCsv(rows: readonly ConsultationResultRow[]): string {
  return toSafeCsv([
    ['consultation_id', 'title', 'organisation', 'opens_at', 'closes_at', 'status', 'decided_at', 'decision', 'measure', 'value', 'count', 'suppressed'],
    ...rows.map((r) => [
      r.consultationId,
      r.title,
      r.organisation,
      r.opensAt,
      r.closesAt,
      r.status,
      r.decidedAt,
      r.decision,
      r.measure,
      r.value,
      r.count,
      r.suppressed,
    ]),
  ]);
}

// ── Indicators ─────────────────────────────────────────────────────────────────

/**
 * The operational sources whose indicators open data publishes. Deny by default: an indicator
 * from any other operational source stays out until it is listed here. Kept out on purpose: the
 * CSIRT's and device security's (security posture: how many devices carry a known exploited
 * vulnerability is a map for an attacker) and the alarm-receiving centre's (private customers).
 * Imported statistics (source 'statistics', no operational data) are public.
 */
const PUBLIC_OPERATIONAL_SOURCES: ReadonlySet<string> = new Set([
  'operational:incidents',
  'operational:alerts',
  'operational:warning-channels',
  'operational:routing',
  'operational:citizen-reports',
]);
export const isPublicIndicator = (d: IndicatorDefinition): boolean =>
  d.sources.every((s) => !s.startsWith('operational:') || PUBLIC_OPERATIONAL_SOURCES.has(s));

/** A value as published: nothing behind it from fewer than k people, no event ids. */
export interface PublicIndicatorValue extends IndicatorValue {
  suppressed: boolean;
}

/** The people behind a value: a distribution's sample count; a ratio's numerator and denominator (counts of people or events). */
function peopleBehind(v: IndicatorValue): number[] {
  if (v.percentiles) return [v.count ?? 0];
  return [v.numerator?.value ?? 0, v.denominator?.value ?? 0].map((x) => Math.round(x));
}

/**
 * The public indicators at the city and neighbourhood levels with small figures
 * withheld: a value from 1 … k−1 samples, or with a numerator or denominator of
 * 1 … k−1, is published as null; the neighbourhoods of one indicator are one margin
 * (the city's value is their total), so suppressSmall withholds more when needed.
 */
export function publicIndicators(
  city: readonly IndicatorValue[],
  neighbourhoods: readonly IndicatorValue[],
  defs: ReadonlyMap<string, IndicatorDefinition>,
  k: number,
): PublicIndicatorValue[] {
  const strip = (v: IndicatorValue, hide: boolean): PublicIndicatorValue => {
    const provenance = v.provenance.map((p) => ({ variable: p.variable, kind: p.kind, refs: [], total: p.total, ...(p.note ? { note: p.note } : {}) }));
    if (!hide) return { ...v, provenance, suppressed: false };
    return {
      ...v,
      value: null,
      numerator: v.numerator ? { variable: v.numerator.variable, value: null } : null,
      denominator: v.denominator ? { variable: v.denominator.variable, value: null } : null,
      ...(v.percentiles ? { percentiles: Object.fromEntries(Object.keys(v.percentiles).map((p) => [p, null])) } : {}),
      ...(v.count !== undefined ? { count: undefined } : {}),
      provenance: [],
      suppressed: true,
    };
  };
  const out: PublicIndicatorValue[] = [];
  for (const v of city) {
    const d = defs.get(v.indicatorId);
    if (!d || !isPublicIndicator(d)) continue;
    out.push(strip(v, !peopleBehind(v).every((n) => publishable(n, k))));
  }
  const byIndicator = new Map<string, IndicatorValue[]>();
  for (const v of neighbourhoods) {
    const d = defs.get(v.indicatorId);
    if (!d || !isPublicIndicator(d)) continue;
    byIndicator.set(v.indicatorId, [...(byIndicator.get(v.indicatorId) ?? []), v]);
  }
  for (const list of byIndicator.values()) {
    const people = list.map(peopleBehind);
    const hide = new Array<boolean>(list.length).fill(false);
    for (let term = 0; term < people[0]!.length; term++)
      suppressSmall(
        people.map((p) => p[term]!),
        k,
      ).forEach((h, i) => (hide[i] ||= h));
    list.forEach((v, i) => out.push(strip(v, hide[i]!)));
  }
  return out;
}

/** The open-data columns (the cockpit's, less what would give small counts back: numerator, denominator, sources). */
const INDICATOR_COLUMNS: readonly IndicatorCsvColumn[] = [
  'indicator',
  'name',
  'standard',
  'clause',
  'area_id',
  'area',
  'level',
  'period',
  'value',
  'unit',
  'p50',
  'p90',
  'count',
  'method',
];
/** Left empty on a withheld value: nothing says how it would have been obtained. */
const WITHHELD: ReadonlySet<IndicatorCsvColumn> = new Set(['count', 'method']);

export function indicatorsCsv(values: readonly PublicIndicatorValue[], defs: ReadonlyMap<string, IndicatorDefinition>): string {
  return toSafeCsv([
    [...INDICATOR_COLUMNS, 'suppressed'],
    ...values.map((v) => [
      ...indicatorCsvRow(v, defs.get(v.indicatorId)!, INDICATOR_COLUMNS).map((cell, i) => (v.suppressed && WITHHELD.has(INDICATOR_COLUMNS[i]!) ? null : cell)),
      v.suppressed,
    ]),
  ]);
}

// ── Areas and public facilities ───────────────────────────────────────────────

export function areasGeoJson(city: CityReadPort) {
  return collection(
    [...city.areas.values()].map((a) => ({
      type: 'Feature' as const,
      id: a.id,
      geometry: a.geometry ?? { type: 'Point', coordinates: a.center },
      properties: { id: a.id, name: cleanLabel(a.name), level: a.level, source: a.source, neighbourhoodIds: a.neighbourhoodIds ?? null },
    })),
  );
}

export function facilitiesGeoJson(city: CityReadPort) {
  const categories = new Set<string>(PUBLIC_FACILITY_CATEGORIES);
  return collection(
    [...city.sites.values()]
      .filter((s) => categories.has(s.category))
      .map((s) => ({
        type: 'Feature' as const,
        id: s.id,
        geometry: { type: 'Point', coordinates: s.position },
        properties: {
          id: s.id,
          name: s.name ? cleanLabel(s.name) : null,
          category: s.category,
          address: s.address ? cleanLabel(s.address) : null,
          source: s.source,
        },
      })),
  );
}
