import type { IndicatorValue } from './engine/evaluate.js';
import { parsePeriod } from './engine/zone-calendar.js';
import { toCsv } from './imports/csv.js';
import type { IndicatorDefinition } from './model.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ngsi-ld'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const CSV_HEADER = [
  'indicator',
  'name',
  'standard',
  'clause',
  'confirmed',
  'area_id',
  'area',
  'level',
  'period',
  'value',
  'unit',
  'numerator',
  'denominator',
  'p50',
  'p90',
  'count',
  'sources',
];

export function valuesToCsv(values: readonly IndicatorValue[], defs: ReadonlyMap<string, IndicatorDefinition>): string {
  return toCsv([
    CSV_HEADER,
    ...values.map((v) => {
      const d = defs.get(v.indicatorId)!;
      return [
        v.indicatorId,
        d.name.en,
        d.standard,
        d.citation.clause,
        String(d.confirmed),
        v.areaId,
        v.areaName,
        v.level,
        v.period,
        v.value,
        v.unit,
        v.numerator?.value ?? null,
        v.denominator?.value ?? null,
        v.percentiles?.p50 ?? null,
        v.percentiles?.p90 ?? null,
        v.count ?? v.numerator?.count ?? null,
        v.provenance.map((p) => `${p.variable}:${p.kind}:${p.total}`).join(' '),
      ];
    }),
  ]);
}

const NGSI_CONTEXT = [
  'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
  'https://raw.githubusercontent.com/smart-data-models/dataModel.KeyPerformanceIndicator/master/context.jsonld',
];

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');

/** FIWARE Smart Data Models KeyPerformanceIndicator entities, NGSI-LD key-values form (as the model's example.jsonld). */
export function valuesToNgsiLd(
  values: readonly IndicatorValue[],
  defs: ReadonlyMap<string, IndicatorDefinition>,
  organization: string,
  modifiedAt: string,
): unknown[] {
  return values.map((v) => {
    const d = defs.get(v.indicatorId)!;
    const p = parsePeriod(v.period)!;
    const first = p.months[0]!;
    const last = p.months.at(-1)! + 1;
    const day = (m: number) => `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
    const lastDay = new Date(Date.UTC(Math.floor(last / 12), last % 12, 0)).toISOString().slice(0, 10);
    return {
      id: `urn:ngsi-ld:KeyPerformanceIndicator:${slug(v.indicatorId)}:${slug(v.areaId)}:${v.period}`,
      type: 'KeyPerformanceIndicator',
      name: d.name.en,
      alternateName: v.indicatorId,
      description: `${d.definition.text} (${d.standard}${d.citation.clause ? ` ${d.citation.clause}` : ''}${d.confirmed ? '' : ', definition not confirmed against the standard'})`,
      category: ['quantitative'],
      kpiValue: v.value,
      calculationPeriod: { from: day(first), to: lastDay },
      calculationFrequency: p.kind === 'month' ? 'monthly' : p.kind === 'quarter' ? 'quarterly' : 'yearly',
      calculationMethod: 'automatic',
      calculationFormula:
        d.definition.measure === 'ratio'
          ? `sum(${d.definition.numerator}) / sum(${d.definition.denominator}) * ${d.definition.scale}`
          : `percentiles ${(d.definition.percentiles ?? []).join(', ')} of ${d.definition.numerator} * ${d.definition.scale}`,
      area: v.areaName,
      organization,
      process: d.theme,
      modifiedAt,
      '@context': NGSI_CONTEXT,
    };
  });
}
