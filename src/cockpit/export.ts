import type { IndicatorValue } from './engine/evaluate.js';
import { parsePeriod } from './engine/zone-calendar.js';
import { cleanLabel, safeCsvField, toSafeCsv } from '../kernel/text-safety.js';
import { yieldingText } from '../platform/heavy/yielding-text.js';
import type { IndicatorDefinition } from './model.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ngsi-ld'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * How a value was obtained: `automatic` — from Vigil's own log and snapshots (and the
 * city model); `imported` — only from imported statistics; `mixed` — both (a rate of
 * counted events over an imported population).
 */
export function methodOf(v: IndicatorValue): 'automatic' | 'imported' | 'mixed' {
  const imported = v.provenance.some((p) => p.kind === 'statistics');
  const own = v.provenance.some((p) => p.kind !== 'statistics');
  return imported && own ? 'mixed' : imported ? 'imported' : 'automatic';
}

/** UN/CEFACT common codes (NGSI-LD unitCode) of the catalogue's units; units that are counts per population have none. */
export const UNIT_CODES: Readonly<Record<string, string>> = { '%': 'P1', minutes: 'MIN', seconds: 'SEC', hours: 'HUR' };

type CsvCell = string | number | boolean | null;

/**
 * Every column an indicator CSV may carry, each a cell from a value and its definition: the
 * cockpit's export and the open-data download pick their columns from this one table, so a
 * column means the same in both. Area names come from OpenStreetMap: cleaned here, and every
 * text cell is neutralised as a formula when written (toSafeCsv, safeCsvField).
 */
export const INDICATOR_CSV_COLUMNS = {
  indicator: (v) => v.indicatorId,
  name: (_v, d) => d.name.en,
  standard: (_v, d) => d.standard,
  clause: (_v, d) => d.citation.clause,
  confirmed: (_v, d) => String(d.confirmed),
  area_id: (v) => v.areaId,
  area: (v) => cleanLabel(v.areaName),
  level: (v) => v.level,
  period: (v) => v.period,
  value: (v) => v.value,
  unit: (v) => v.unit,
  numerator: (v) => v.numerator?.value ?? null,
  denominator: (v) => v.denominator?.value ?? null,
  p50: (v) => v.percentiles?.p50 ?? null,
  p90: (v) => v.percentiles?.p90 ?? null,
  count: (v) => v.count ?? v.numerator?.count ?? null,
  method: (v) => methodOf(v),
  sources: (v) => v.provenance.map((p) => `${p.variable}:${p.kind}:${p.total}${p.note ? ` (${p.note})` : ''}`).join(' '),
} satisfies Record<string, (v: IndicatorValue, d: IndicatorDefinition) => CsvCell>;
export type IndicatorCsvColumn = keyof typeof INDICATOR_CSV_COLUMNS;

/** One value's cells in the order of `columns`. */
export function indicatorCsvRow(v: IndicatorValue, d: IndicatorDefinition, columns: readonly IndicatorCsvColumn[]): CsvCell[] {
  return columns.map((c) => INDICATOR_CSV_COLUMNS[c](v, d));
}

/** The cockpit's export: every column. */
const CSV_HEADER = Object.keys(INDICATOR_CSV_COLUMNS) as IndicatorCsvColumn[];
const csvRow = (v: IndicatorValue, defs: ReadonlyMap<string, IndicatorDefinition>): CsvCell[] => indicatorCsvRow(v, defs.get(v.indicatorId)!, CSV_HEADER);

/** The CSV download: text cells that a spreadsheet would run as a formula are neutralised (area names come from OSM). */
export function valuesToCsv(values: readonly IndicatorValue[], defs: ReadonlyMap<string, IndicatorDefinition>): string {
  return toSafeCsv([CSV_HEADER, ...values.map((v) => csvRow(v, defs))]);
}

/**
 * The same texts as valuesToCsv, valuesToNgsiLd (as JSON) and the JSON table, written a
 * slice of values per turn of the event loop (platform/heavy/yielding-text.ts): a city's
 * table at the building level is tens of thousands of values.
 */
export const exportText = {
  csv: (values: readonly IndicatorValue[], defs: ReadonlyMap<string, IndicatorDefinition>): Promise<string> =>
    yieldingText({
      head: CSV_HEADER.map(safeCsvField).join(','),
      items: values,
      item: (v) => '\r\n' + csvRow(v, defs).map(safeCsvField).join(','),
      separator: '',
      tail: '\r\n',
    }),
  ngsiLd: (values: readonly IndicatorValue[], defs: ReadonlyMap<string, IndicatorDefinition>, organization: string, modifiedAt: string): Promise<string> =>
    yieldingText({
      head: '[',
      items: values,
      item: (v) => {
        const entity = ngsiEntity(v, defs, organization, modifiedAt);
        return entity ? JSON.stringify(entity) : null;
      },
      separator: ',',
      tail: ']',
    }),
  json: (table: { period: string; level: string; values: readonly IndicatorValue[] }): Promise<string> =>
    yieldingText({
      head: `{"period":${JSON.stringify(table.period)},"level":${JSON.stringify(table.level)},"values":[`,
      items: table.values,
      item: (v) => JSON.stringify(v),
      separator: ',',
      tail: ']}',
    }),
};

const NGSI_CONTEXT = [
  'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
  'https://raw.githubusercontent.com/smart-data-models/dataModel.KeyPerformanceIndicator/master/context.jsonld',
];

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');

const CALCULATION_METHOD = { automatic: 'automatic', mixed: 'semiautomatic', imported: 'manual' } as const;

/**
 * FIWARE Smart Data Models KeyPerformanceIndicator entities, NGSI-LD key-values form
 * (as the model's example.jsonld). NGSI-LD has no null attribute value and the model's
 * kpiValue is never null: an indicator without a value for the period is left out.
 * The unit is carried as `unit` (the catalogue's text) and `unitCode` (UN/CEFACT, when
 * one exists); `calculationMethod` says whether the value is Vigil's own (`automatic`),
 * computed from imported statistics only (`manual`) or both (`semiautomatic`), and
 * `dataProvider` names the sources.
 */
export function valuesToNgsiLd(
  values: readonly IndicatorValue[],
  defs: ReadonlyMap<string, IndicatorDefinition>,
  organization: string,
  modifiedAt: string,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const v of values) {
    const entity = ngsiEntity(v, defs, organization, modifiedAt);
    if (entity) out.push(entity);
  }
  return out;
}

/** One value as a KeyPerformanceIndicator entity; null for a value NGSI-LD cannot carry (none for the period). */
function ngsiEntity(
  v: IndicatorValue,
  defs: ReadonlyMap<string, IndicatorDefinition>,
  organization: string,
  modifiedAt: string,
): Record<string, unknown> | null {
  if (v.value === null || !Number.isFinite(v.value)) return null;
  const d = defs.get(v.indicatorId)!;
  const p = parsePeriod(v.period)!;
  const first = p.months[0]!;
  const last = p.months.at(-1)! + 1;
  const day = (m: number) => `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
  const lastDay = new Date(Date.UTC(Math.floor(last / 12), last % 12, 0)).toISOString().slice(0, 10);
  const method = methodOf(v);
  const entity: Record<string, unknown> = {
    id: `urn:ngsi-ld:KeyPerformanceIndicator:${slug(v.indicatorId)}:${slug(v.areaId)}:${v.period}`,
    type: 'KeyPerformanceIndicator',
    name: d.name.en,
    alternateName: v.indicatorId,
    description: `${d.definition.text} (${d.standard}${d.citation.clause ? ` ${d.citation.clause}` : ''}${d.confirmed ? '' : ', definition not confirmed against the standard'})`,
    category: ['quantitative'],
    kpiValue: v.value,
    unit: v.unit,
    calculationPeriod: { from: day(first), to: lastDay },
    calculationFrequency: p.kind === 'month' ? 'monthly' : p.kind === 'quarter' ? 'quarterly' : 'yearly',
    calculationMethod: CALCULATION_METHOD[method],
    calculationFormula:
      d.definition.measure === 'ratio'
        ? `sum(${d.definition.numerator}) / sum(${d.definition.denominator}) * ${d.definition.scale}`
        : `percentiles ${(d.definition.percentiles ?? []).join(', ')} of ${d.definition.numerator} * ${d.definition.scale}`,
    calculatedBy: organization,
    dataProvider: [
      ...new Set(v.provenance.map((x) => (x.kind === 'statistics' ? 'imported statistics' : x.kind === 'events' ? 'Vigil event log' : x.kind))),
    ].join(', '),
    area: v.areaName,
    organization,
    process: d.theme,
    dateModified: modifiedAt,
    '@context': NGSI_CONTEXT,
  };
  const code = UNIT_CODES[v.unit];
  if (code) entity.unitCode = code;
  return entity;
}
