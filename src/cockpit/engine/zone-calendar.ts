import type { PeriodKind } from '../model.js';

/**
 * Months, quarters and years in the city's time zone. Months are numbered
 * year·12 + (month − 1) so that a period is a small set of integers. The zone's
 * offset is looked up once per UTC day (Intl is slow: a million incidents would
 * otherwise cost seconds) and exactly on the days the offset changes.
 */
export class ZoneCalendar {
  private readonly format: Intl.DateTimeFormat;
  private readonly dayOffset = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  monthIndex(ms: number): number {
    const day = Math.floor(ms / 86_400_000);
    let offset = this.dayOffset.get(day);
    if (offset === undefined) {
      const start = this.offsetAt(day * 86_400_000);
      const end = this.offsetAt(day * 86_400_000 + 86_399_999);
      offset = start === end ? start : Number.NaN;
      this.dayOffset.set(day, offset);
    }
    const local = new Date(ms + (Number.isNaN(offset) ? this.offsetAt(ms) : offset));
    return local.getUTCFullYear() * 12 + local.getUTCMonth();
  }

  /** Local wall time minus UTC, in ms, at an instant. */
  private offsetAt(ms: number): number {
    const p: Record<string, number> = {};
    for (const part of this.format.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
    return wall - (ms - (((ms % 1000) + 1000) % 1000));
  }
}

const PERIOD = /^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$/;

export interface Period {
  label: string;
  kind: PeriodKind;
  months: number[];
}

/** '2026' → the 12 months of 2026; '2026-Q2' → April–June; '2026-03' → March. Null when malformed. */
export function parsePeriod(label: string): Period | null {
  const m = PERIOD.exec(label);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < 1900 || year > 2200) return null;
  if (m[2]) return { label, kind: 'month', months: [year * 12 + Number(m[2]) - 1] };
  if (m[3]) {
    const first = year * 12 + (Number(m[3]) - 1) * 3;
    return { label, kind: 'quarter', months: [first, first + 1, first + 2] };
  }
  return { label, kind: 'year', months: Array.from({ length: 12 }, (_, i) => year * 12 + i) };
}

export function monthLabel(index: number): string {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The finer periods a period is made of (a year of quarters and months, a quarter of months). */
export function subPeriods(p: Period): Period[][] {
  const year = Math.floor(p.months[0]! / 12);
  if (p.kind === 'year') return [[1, 2, 3, 4].map((q) => parsePeriod(`${year}-Q${q}`)!), p.months.map((m) => parsePeriod(monthLabel(m))!)];
  if (p.kind === 'quarter') return [p.months.map((m) => parsePeriod(monthLabel(m))!)];
  return [];
}

/** Periods of a kind covering [fromMonth, toMonth], oldest first: the x axis of a trend. */
export function periodsBetween(kind: PeriodKind, fromMonth: number, toMonth: number): Period[] {
  const out: Period[] = [];
  const seen = new Set<string>();
  for (let m = fromMonth; m <= toMonth; m++) {
    const y = Math.floor(m / 12);
    const label = kind === 'month' ? monthLabel(m) : kind === 'quarter' ? `${y}-Q${Math.floor((m % 12) / 3) + 1}` : String(y);
    if (!seen.has(label)) {
      seen.add(label);
      out.push(parsePeriod(label)!);
    }
  }
  return out;
}
