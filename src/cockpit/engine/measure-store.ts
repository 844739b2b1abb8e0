import type { AreaIndex } from './area-index.js';
import { SortedRun } from './sorted-run.js';

/** The raw samples of one variable measured at one leaf (site, or area when no site): the truth aggregates are derived from. */
interface LeafSamples {
  months: number[];
  values: number[];
  refs: string[];
}

/** One variable's aggregates: per area of the chain and month, a sum (flows) or the sorted raw values (distributions). */
class Series {
  readonly raw = new Map<string, LeafSamples>();
  readonly sums = new Map<string, Map<number, { sum: number; count: number }>>();
  readonly runs = new Map<string, Map<number, SortedRun>>();
  constructor(readonly kind: 'flow' | 'distribution') {}
}

/**
 * The aggregation engine's store. Every sample is kept once at its leaf (with
 * the id of the event or record it came from) and counted in every area of the
 * leaf's chain: sums of numerators and denominators for flows, the raw values
 * for distributions — so a neighbourhood's ratio is a ratio of sums and its
 * percentile is a percentile of its own raw values, never one of sub-area values.
 */
export class MeasureStore {
  private readonly series = new Map<string, Series>();

  constructor(private index: AreaIndex) {}

  /**
   * Adds one sample. `bulk` appends distribution values unsorted (a replay or a
   * benchmark load); they sort once on the next read.
   */
  add(variable: string, kind: 'flow' | 'distribution', chain: readonly string[], month: number, value: number, ref: string, bulk = false): void {
    if (chain.length === 0) return;
    const s = this.seriesOf(variable, kind);
    const leaf = chain[0]!;
    let raw = s.raw.get(leaf);
    if (!raw) s.raw.set(leaf, (raw = { months: [], values: [], refs: [] }));
    raw.months.push(month);
    raw.values.push(value);
    raw.refs.push(ref);
    this.aggregate(s, chain, month, value, bulk);
  }

  /** The city model changed: recount every sample along the new chains (the raw layer is the truth). */
  reindex(index: AreaIndex): void {
    this.index = index;
    for (const s of this.series.values()) {
      s.sums.clear();
      s.runs.clear();
      for (const [leaf, raw] of s.raw) {
        const chain = index.nodes.get(leaf)?.chain ?? index.chainFor(null, null);
        for (let i = 0; i < raw.values.length; i++) this.aggregate(s, chain, raw.months[i]!, raw.values[i]!, true);
      }
    }
  }

  sum(variable: string, areaId: string, months: readonly number[]): { sum: number; count: number } {
    const byMonth = this.series.get(variable)?.sums.get(areaId);
    let sum = 0;
    let count = 0;
    if (byMonth) {
      for (const m of months) {
        const b = byMonth.get(m);
        if (b) {
          sum += b.sum;
          count += b.count;
        }
      }
    }
    return { sum, count };
  }

  runs(variable: string, areaId: string, months: readonly number[]): SortedRun[] {
    const byMonth = this.series.get(variable)?.runs.get(areaId);
    const out: SortedRun[] = [];
    if (byMonth)
      for (const m of months) {
        const r = byMonth.get(m);
        if (r && r.length) out.push(r);
      }
    return out;
  }

  /** Months with any sample of the variable in the area: the extent of a trend. */
  monthsOf(variable: string, areaId: string): number[] {
    const s = this.series.get(variable);
    const byMonth = s?.kind === 'flow' ? s.sums.get(areaId) : s?.runs.get(areaId);
    return byMonth ? [...byMonth.keys()].sort((a, b) => a - b) : [];
  }

  /** Ids of the events or records behind the area's value for these months, up to `limit`, with the total. */
  refs(variable: string, areaId: string, months: readonly number[], limit: number): { refs: string[]; total: number } {
    const s = this.series.get(variable);
    if (!s) return { refs: [], total: 0 };
    const wanted = new Set(months);
    const refs: string[] = [];
    let total = 0;
    for (const leaf of this.index.subtree(areaId)) {
      const raw = s.raw.get(leaf);
      if (!raw) continue;
      for (let i = 0; i < raw.months.length; i++) {
        if (!wanted.has(raw.months[i]!)) continue;
        total++;
        if (refs.length < limit) refs.push(raw.refs[i]!);
      }
    }
    return { refs, total };
  }

  private seriesOf(variable: string, kind: 'flow' | 'distribution'): Series {
    let s = this.series.get(variable);
    if (!s) this.series.set(variable, (s = new Series(kind)));
    return s;
  }

  private aggregate(s: Series, chain: readonly string[], month: number, value: number, bulk: boolean): void {
    for (const area of chain) {
      if (s.kind === 'flow') {
        let byMonth = s.sums.get(area);
        if (!byMonth) s.sums.set(area, (byMonth = new Map()));
        const b = byMonth.get(month);
        if (b) {
          b.sum += value;
          b.count++;
        } else byMonth.set(month, { sum: value, count: 1 });
      } else {
        let byMonth = s.runs.get(area);
        if (!byMonth) s.runs.set(area, (byMonth = new Map()));
        let run = byMonth.get(month);
        if (!run) byMonth.set(month, (run = new SortedRun()));
        if (bulk) run.push(value);
        else run.insert(value);
      }
    }
  }
}
