import { parsePeriod } from '../engine/zone-calendar.js';
import { PEER_STATISTICS, type PeerRecord, type PeerStatistic, type StatisticRecord, type Variable } from '../model.js';
import { CsvError, parseCsv } from './csv.js';

/** What a client sends: CSV text or JSON records, with the source they come from. */
export interface ImportInput {
  source: string;
  format: 'csv' | 'json';
  content?: string;
  records?: unknown[];
}

export interface LineError {
  /** CSV: the line in the file (header = 1); JSON: the record's position from 1. */
  line: number;
  message: string;
}

export const MAX_IMPORT_RECORDS = 5000;

/** Rows as objects keyed by the header (CSV) or the records themselves (JSON), each with its line. */
function rowsOf(
  input: ImportInput,
  columns: readonly string[],
  required: readonly string[],
): { rows: { line: number; row: Record<string, unknown> }[]; errors: LineError[] } {
  const errors: LineError[] = [];
  if (input.format === 'json') {
    const records = input.records ?? [];
    return {
      rows: records.map((r, i) => ({
        line: i + 1,
        row: r !== null && typeof r === 'object' && !Array.isArray(r) ? (r as Record<string, unknown>) : { __invalid: true },
      })),
      errors,
    };
  }
  let table: { line: number; fields: string[] }[];
  try {
    table = parseCsv(input.content ?? '');
  } catch (error) {
    return { rows: [], errors: [{ line: error instanceof CsvError ? error.line : 1, message: (error as Error).message }] };
  }
  if (table.length === 0) return { rows: [], errors: [{ line: 1, message: 'the file is empty: a header line is required' }] };
  const header = table[0]!.fields.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !columns.includes(h));
  const missing = required.filter((c) => !header.includes(c));
  if (unknown.length || missing.length) {
    errors.push({
      line: table[0]!.line,
      message: [
        missing.length ? `missing column(s) ${missing.join(', ')}` : '',
        unknown.length ? `unknown column(s) ${unknown.join(', ')} (expected ${columns.join(', ')})` : '',
      ]
        .filter(Boolean)
        .join('; '),
    });
    return { rows: [], errors };
  }
  const rows = table.slice(1).map(({ line, fields }) => {
    if (fields.length !== header.length) return { line, row: { __width: fields.length, __header: header.length } as Record<string, unknown> };
    return { line, row: Object.fromEntries(header.map((h, i) => [h, fields[i]!.trim()])) };
  });
  return { rows, errors };
}

/** A finite number, from a JSON number or a CSV decimal; `1e999` (Infinity once parsed), NaN and null are not numbers. */
export function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v.trim())) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function rowProblem(row: Record<string, unknown>): string | null {
  if ('__invalid' in row) return 'a record must be an object';
  if ('__width' in row) return `${String(row.__width)} fields where the header has ${String(row.__header)}`;
  return null;
}

/**
 * Validates statistics (variable, area, period, value): a known statistics
 * variable, an area or site of the city (by id or by name), a period (YYYY,
 * YYYY-Qn, YYYY-MM), a finite value ≥ 0. Every bad line is reported; records are
 * only returned when there is none, so an import is all or nothing.
 */
export function parseStatistics(
  input: ImportInput,
  importId: string,
  variables: ReadonlyMap<string, Variable>,
  resolveArea: (ref: string) => string | null,
): { records: StatisticRecord[]; errors: LineError[] } {
  const columns = ['variable', 'area', 'period', 'value'] as const;
  const { rows, errors } = rowsOf(input, columns, columns);
  if (rows.length > MAX_IMPORT_RECORDS)
    return { records: [], errors: [{ line: 1, message: `${rows.length} records; at most ${MAX_IMPORT_RECORDS} per import` }] };
  const records: StatisticRecord[] = [];
  const seen = new Map<string, number>();
  for (const { line, row } of rows) {
    const problems: string[] = [];
    const shape = rowProblem(row);
    if (shape) {
      errors.push({ line, message: shape });
      continue;
    }
    const variable = String(row.variable ?? '');
    const v = variables.get(variable);
    if (!v) problems.push(`unknown variable "${variable}"`);
    else if (v.origin !== 'statistics') problems.push(`"${variable}" is measured by Vigil, not imported`);
    const areaRef = String(row.area ?? '');
    const areaId = areaRef ? resolveArea(areaRef) : null;
    if (!areaId) problems.push(`unknown area "${areaRef}"`);
    const period = String(row.period ?? '');
    if (!parsePeriod(period)) problems.push(`period "${period}" is not YYYY, YYYY-Qn or YYYY-MM`);
    const value = numberOf(row.value);
    if (value === null || value < 0) problems.push(`value "${String(row.value ?? '')}" is not a finite number ≥ 0`);
    const key = `${variable}|${areaId}|${period}`;
    if (!problems.length && seen.has(key)) problems.push(`the same variable, area and period as line ${seen.get(key)}`);
    if (problems.length) {
      errors.push({ line, message: problems.join('; ') });
      continue;
    }
    seen.set(key, line);
    records.push({ recordId: `${importId}:${line}`, variable, areaId: areaId!, period, value: value! });
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ line: 1, message: 'no records' });
  return errors.length ? { records: [], errors } : { records, errors };
}

/**
 * Validates peers' published values (city, country, population, indicator, period,
 * statistic, value): a finite value ≥ 0, the statistic the peer published (`median`,
 * `p90` or `mean` for a time distribution, `value` for a ratio), and no two lines for
 * the same city, indicator, period and statistic.
 */
export function parsePeers(
  input: ImportInput,
  importId: string,
  indicators: ReadonlyMap<string, { measure: 'ratio' | 'distribution' }>,
): { records: PeerRecord[]; errors: LineError[] } {
  const columns = ['city', 'country', 'population', 'indicator', 'period', 'statistic', 'value'] as const;
  const { rows, errors } = rowsOf(input, columns, ['city', 'indicator', 'period', 'value']);
  if (rows.length > MAX_IMPORT_RECORDS)
    return { records: [], errors: [{ line: 1, message: `${rows.length} records; at most ${MAX_IMPORT_RECORDS} per import` }] };
  const records: PeerRecord[] = [];
  const seen = new Map<string, number>();
  for (const { line, row } of rows) {
    const shape = rowProblem(row);
    if (shape) {
      errors.push({ line, message: shape });
      continue;
    }
    const problems: string[] = [];
    const city = String(row.city ?? '').trim();
    if (!city || city.length > 200) problems.push('city is required (at most 200 characters)');
    const indicatorId = String(row.indicator ?? '');
    const indicator = indicators.get(indicatorId);
    if (!indicator) problems.push(`unknown indicator "${indicatorId}"`);
    const period = String(row.period ?? '');
    if (!parsePeriod(period)) problems.push(`period "${period}" is not YYYY, YYYY-Qn or YYYY-MM`);
    const value = numberOf(row.value);
    if (value === null || value < 0) problems.push(`value "${String(row.value ?? '')}" is not a finite number ≥ 0`);
    const statRaw = row.statistic === undefined || row.statistic === null ? '' : String(row.statistic).trim().toLowerCase();
    let statistic: PeerStatistic | null = null;
    if (indicator?.measure === 'ratio') {
      if (statRaw === '' || statRaw === 'value') statistic = 'value';
      else problems.push(`statistic "${statRaw}": ${indicatorId} is a ratio, its statistic is "value"`);
    } else if (indicator) {
      if ((PEER_STATISTICS as readonly string[]).includes(statRaw) && statRaw !== 'value') statistic = statRaw as PeerStatistic;
      else
        problems.push(
          statRaw === ''
            ? `statistic is required for ${indicatorId}: median, p90 or mean (which one the peer published)`
            : `statistic "${statRaw}" is not median, p90 or mean`,
        );
    }
    const popRaw = row.population;
    const population = popRaw === undefined || popRaw === '' || popRaw === null ? null : numberOf(popRaw);
    if (population !== null && !(population > 0)) problems.push('population must be a number > 0');
    if (popRaw !== undefined && popRaw !== '' && popRaw !== null && population === null) problems.push(`population "${String(popRaw)}" is not a finite number`);
    const country = row.country === undefined || row.country === '' || row.country === null ? null : String(row.country).slice(0, 100);
    const key = `${city.toLowerCase()}|${indicatorId}|${period}|${statistic}`;
    if (!problems.length && seen.has(key))
      problems.push(`duplicate: the same city, indicator, period and statistic as line ${seen.get(key)} (one value per peer; import a revision separately)`);
    if (problems.length) {
      errors.push({ line, message: problems.join('; ') });
      continue;
    }
    seen.set(key, line);
    records.push({ recordId: `${importId}:${line}`, city, country, population, indicatorId, period, statistic: statistic!, value: value! });
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ line: 1, message: 'no records' });
  return errors.length ? { records: [], errors } : { records, errors };
}
