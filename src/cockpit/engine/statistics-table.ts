import type { StatisticRecord } from '../model.js';
import type { AreaIndex } from './area-index.js';
import { subPeriods, type Period } from './zone-calendar.js';

interface Entry {
  value: number;
  recordId: string;
}

/**
 * Imported statistics by variable, area and period. A later import of the same
 * variable, area and period replaces the earlier value (a revised figure); the
 * record id says which one a value came from.
 */
export class StatisticsTable {
  private readonly entries = new Map<string, Map<string, Map<string, Entry>>>();

  put(r: StatisticRecord): void {
    let byArea = this.entries.get(r.variable);
    if (!byArea) this.entries.set(r.variable, (byArea = new Map()));
    let byPeriod = byArea.get(r.areaId);
    if (!byPeriod) byArea.set(r.areaId, (byPeriod = new Map()));
    byPeriod.set(r.period, { value: r.value, recordId: r.recordId });
  }

  has(variable: string): boolean {
    return this.entries.has(variable);
  }

  /** Whether any period of the variable was imported for this area itself. */
  hasArea(variable: string, areaId: string): boolean {
    return (this.entries.get(variable)?.get(areaId)?.size ?? 0) > 0;
  }

  periodsOf(variable: string): string[] {
    const out = new Set<string>();
    for (const byPeriod of this.entries.get(variable)?.values() ?? []) for (const p of byPeriod.keys()) out.add(p);
    return [...out].sort();
  }

  /**
   * The value of a variable for an area and period: its own record; else, for a
   * flow, the sum over a complete set of finer periods (four quarters, twelve
   * months); else the sum over its sub-areas when every one of them has a value.
   * Never a partial sum: a missing piece makes the value unknown (null). A stock
   * (population, firefighters) of a month or quarter is the figure of the
   * enclosing quarter or year when only that one was imported, and says so (`note`).
   */
  value(
    variable: string,
    areaId: string,
    period: Period,
    kind: 'stock' | 'flow',
    index: AreaIndex,
  ): { value: number; recordIds: string[]; note?: string } | null {
    const byArea = this.entries.get(variable);
    if (!byArea) return null;
    const byPeriod = byArea.get(areaId);
    const own = byPeriod?.get(period.label);
    if (own) return { value: own.value, recordIds: [own.recordId] };
    if (kind === 'stock' && byPeriod && period.kind !== 'year') {
      const m = period.months[0]!;
      const year = String(Math.floor(m / 12));
      const enclosing = period.kind === 'month' ? [`${year}-Q${Math.floor((m % 12) / 3) + 1}`, year] : [year];
      for (const label of enclosing) {
        const e = byPeriod.get(label);
        if (e) return { value: e.value, recordIds: [e.recordId], note: `the ${label} figure, applied to ${period.label}` };
      }
    }
    if (kind === 'flow' && byPeriod) {
      for (const parts of subPeriods(period)) {
        const found = parts.map((p) => byPeriod.get(p.label));
        if (found.every(Boolean)) return { value: found.reduce((s, e) => s + e!.value, 0), recordIds: found.map((e) => e!.recordId) };
      }
    }
    const node = index.nodes.get(areaId);
    if (!node || node.level === 'site') return null;
    const areas = node.children.filter((c) => index.nodes.get(c)!.level !== 'site');
    const parts = areas.length > 0 ? areas : node.children;
    if (parts.length === 0) return null;
    let value = 0;
    const recordIds: string[] = [];
    let note: string | undefined;
    for (const child of parts) {
      const v = this.value(variable, child, period, kind, index);
      if (!v) return null;
      value += v.value;
      recordIds.push(...v.recordIds);
      note ??= v.note;
    }
    return note ? { value, recordIds, note: `sum of its sub-areas; ${note}` } : { value, recordIds };
  }
}
