import { badRequest, notFound, VigilError } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { AppContext } from '../platform/app-context.js';
import type { Principal } from '../platform/access.js';
import { CITY_WIDE, assertCan } from '../platform/policy.js';
import type { CockpitState } from './cockpit-state.js';
import { agreementReport, checkClause, type Agreement, type AgreementClause, type AgreementReport } from './agreements.js';
import type { AreaNode } from './engine/area-index.js';
import { agreementReportHtml } from './agreement-report.js';
import { evaluate, type IndicatorValue } from './engine/evaluate.js';
import { parsePeriod, periodsBetween, type Period } from './engine/zone-calendar.js';
import { parsePeers, parseStatistics, type ImportInput } from './imports/statistics-import.js';
import type { CockpitEvents, CockpitLevel, IncidentSample, IndicatorDefinition, PeriodKind } from './model.js';

const MAX_TREND_POINTS = 120;

export interface PeerComparison {
  indicatorId: string;
  period: string;
  city: { name: string; population: number | null; value: number | null };
  /** Peers whose population is between half and twice the city's (all peers when the city's is unknown). */
  peers: { city: string; country: string | null; population: number | null; value: number; source: string; recordId: string }[];
  /** Share of similar peers the city does at least as well as, 0–100 (direction from the catalogue). */
  percentile: number | null;
  median: number | null;
  best: number | null;
  gapToMedian: number | null;
  gapToBest: number | null;
}

/** The cockpit: indicators per area and period, trends, imports, peers. Rules only; the state does the counting. */
export class CockpitService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: CockpitState,
  ) {}

  definition(id: string): IndicatorDefinition {
    const d = this.state.catalogue.byId.get(id);
    if (!d) throw notFound('indicator', id);
    return d;
  }

  period(label: string): Period {
    const p = parsePeriod(label);
    if (!p) throw badRequest(`period "${label}" is not YYYY, YYYY-Qn or YYYY-MM`);
    return p;
  }

  /** The current year in the city's zone: the default period. */
  currentPeriod(kind: PeriodKind = 'year'): string {
    const m = this.state.calendar.monthIndex(this.ctx.clock.now());
    return periodsBetween(kind, m, m)[0]!.label;
  }

  tree(): { cityId: string | null; areas: (Pick<AreaNode, 'id' | 'name' | 'level' | 'parentId'> & { sites: number; children: string[] })[] } {
    const index = this.state.areaIndex();
    const areas = [...index.nodes.values()]
      .filter((n) => n.level !== 'site')
      .map((n) => ({
        id: n.id,
        name: n.name,
        level: n.level,
        parentId: n.parentId,
        sites: n.children.filter((c) => index.nodes.get(c)!.level === 'site').length,
        children: n.children.filter((c) => index.nodes.get(c)!.level !== 'site'),
      }));
    return { cityId: index.cityId, areas };
  }

  value(indicatorId: string, areaId: string, periodLabel: string, refLimit = 50): IndicatorValue {
    const def = this.definition(indicatorId);
    const v = evaluate(this.state.sources(), def, areaId, this.period(periodLabel), refLimit);
    if (!v) throw notFound('area', areaId);
    return v;
  }

  /** The indicator for every area (or site) of a level, under a parent when given: the map and the drill-down. */
  values(indicatorId: string, periodLabel: string, level: CockpitLevel, parentId?: string): IndicatorValue[] {
    const def = this.definition(indicatorId);
    if (!def.levels.includes(level)) throw badRequest(`${indicatorId} is computed per ${def.levels.join(', ')}, not per ${level}`);
    const period = this.period(periodLabel);
    const src = this.state.sources();
    if (parentId && !src.index.nodes.has(parentId)) throw notFound('area', parentId);
    return src.index.atLevel(level, parentId).map((n) => evaluate(src, def, n.id, period)!);
  }

  /** Values over consecutive periods, from the first with data to the current one (at most 120 points). */
  trend(indicatorId: string, areaId: string, kind: PeriodKind): { indicatorId: string; areaId: string; kind: PeriodKind; points: IndicatorValue[] } {
    const def = this.definition(indicatorId);
    const src = this.state.sources();
    if (!src.index.nodes.has(areaId)) throw notFound('area', areaId);
    const now = this.state.calendar.monthIndex(this.ctx.clock.now());
    const months = this.dataMonths(def, areaId);
    const from = Math.max(Math.min(months[0] ?? now, now), now - MAX_TREND_POINTS * (kind === 'month' ? 1 : kind === 'quarter' ? 3 : 12) + 1);
    const to = Math.max(now, months.at(-1) ?? now);
    const points = periodsBetween(kind, from, to)
      .slice(-MAX_TREND_POINTS)
      .map((p) => evaluate(src, def, areaId, p)!);
    return { indicatorId, areaId, kind, points };
  }

  private dataMonths(def: IndicatorDefinition, areaId: string): number[] {
    const vars = [def.definition.numerator, def.definition.denominator].filter((v): v is string => !!v);
    const months = new Set<number>();
    for (const v of vars) {
      for (const m of this.state.measures.monthsOf(v, areaId)) months.add(m);
      for (const p of this.state.statistics.periodsOf(v)) months.add(parsePeriod(p)!.months[0]!);
    }
    return [...months].sort((a, b) => a - b);
  }

  async importStatistics(input: ImportInput, by: Principal): Promise<{ importId: string; records: number }> {
    assertCan(by, 'manage', CITY_WIDE, 'cockpit data', 'statistics');
    const importId = newId('kpi-imp');
    const index = this.state.areaIndex();
    const byName = new Map<string, string>();
    for (const n of index.nodes.values()) if (n.level !== 'site') byName.set(n.name.toLowerCase(), n.id);
    const { records, errors } = parseStatistics(input, importId, this.state.catalogue.variables, (ref) =>
      index.nodes.has(ref) ? ref : (byName.get(ref.toLowerCase()) ?? null),
    );
    if (errors.length) throw new VigilError('validation_failed', `${errors.length} line(s) refused; nothing was imported`, { errors: errors.slice(0, 200) });
    await this.record('cockpit.statistics.imported', { importId, source: input.source, format: input.format, records }, by);
    return { importId, records: records.length };
  }

  async importPeers(input: ImportInput, by: Principal): Promise<{ importId: string; records: number }> {
    assertCan(by, 'manage', CITY_WIDE, 'cockpit data', 'peers');
    const importId = newId('kpi-peer');
    const { records, errors } = parsePeers(input, importId, new Set(this.state.catalogue.byId.keys()));
    if (errors.length) throw new VigilError('validation_failed', `${errors.length} line(s) refused; nothing was imported`, { errors: errors.slice(0, 200) });
    await this.record('cockpit.peers.imported', { importId, source: input.source, format: input.format, records }, by);
    return { importId, records: records.length };
  }

  /** The city against peers of similar size for one indicator and period. */
  /**
   * The cockpit's opening view: every indicator that has a city value for the period, with its
   * last twelve months (the trend) and its position among imported peer cities — small
   * multiples, so the page never opens on an indicator without data.
   */
  overview(periodLabel: string): {
    period: string;
    indicators: {
      indicatorId: string;
      value: number | null;
      unit: string;
      trend: { period: string; value: number | null }[];
      peers: { count: number; percentile: number | null; median: number | null };
    }[];
  } {
    const period = this.period(periodLabel);
    const src = this.state.sources();
    const cityId = src.index.cityId;
    if (!cityId) return { period: period.label, indicators: [] };
    const now = this.state.calendar.monthIndex(this.ctx.clock.now());
    const months = periodsBetween('month', now - 11, now);
    const indicators = [];
    for (const def of this.state.catalogue.indicators) {
      const v = evaluate(src, def, cityId, period, 0);
      if (!v || v.value === null) continue;
      const trend = months.map((m) => ({ period: m.label, value: evaluate(src, def, cityId, m, 0)?.value ?? null }));
      const peers = this.compare(def.id, period.label);
      indicators.push({
        indicatorId: def.id,
        value: v.value,
        unit: v.unit,
        trend,
        peers: { count: peers.peers.length, percentile: peers.percentile, median: peers.median },
      });
    }
    return { period: period.label, indicators };
  }

  compare(indicatorId: string, periodLabel: string): PeerComparison {
    const def = this.definition(indicatorId);
    const period = this.period(periodLabel);
    const src = this.state.sources();
    const cityId = src.index.cityId;
    const own = cityId ? evaluate(src, def, cityId, period) : null;
    const popDef = this.state.catalogue.variables.get('population')!;
    const population = cityId
      ? (this.state.statistics.value('population', cityId, period, popDef.kind === 'flow' ? 'flow' : 'stock', src.index)?.value ??
        src.modelPopulation(cityId)?.value ??
        null)
      : null;
    // The latest import of a city's value wins (a revised figure).
    const latest = new Map<string, (typeof this.state.peers)[number]>();
    for (const p of this.state.peers) if (p.indicatorId === indicatorId && p.period === period.label) latest.set(p.city.toLowerCase(), p);
    const peers = [...latest.values()]
      .filter((p) => population === null || p.population === null || (p.population >= population / 2 && p.population <= population * 2))
      .map((p) => ({ city: p.city, country: p.country, population: p.population, value: p.value, source: p.source, recordId: p.recordId }))
      .sort((a, b) => a.value - b.value);
    const values = peers.map((p) => p.value);
    const median = values.length
      ? values.length % 2
        ? values[(values.length - 1) / 2]!
        : (values[values.length / 2 - 1]! + values[values.length / 2]!) / 2
      : null;
    const best = values.length ? (def.higherIsBetter ? values.at(-1)! : values[0]!) : null;
    const value = own?.value ?? null;
    const better = (a: number, b: number) => (def.higherIsBetter ? a >= b : a <= b);
    return {
      indicatorId,
      period: period.label,
      city: { name: cityId ? src.index.nodes.get(cityId)!.name : '', population, value },
      peers,
      percentile: value !== null && values.length ? (100 * values.filter((v) => better(value, v)).length) / values.length : null,
      median,
      best,
      gapToMedian: value !== null && median !== null ? value - median : null,
      gapToBest: value !== null && best !== null ? value - best : null,
    };
  }

  /** Every indicator computed at a level, for export. */
  table(periodLabel: string, level: CockpitLevel): IndicatorValue[] {
    const period = this.period(periodLabel);
    const src = this.state.sources();
    const nodes = src.index.atLevel(level);
    const out: IndicatorValue[] = [];
    for (const def of this.state.catalogue.indicators) {
      if (!def.levels.includes(level)) continue;
      for (const n of nodes) out.push(evaluate(src, def, n.id, period)!);
    }
    return out;
  }

  cityName(): string {
    const index = this.state.areaIndex();
    return index.cityId ? index.nodes.get(index.cityId)!.name : 'Vigil';
  }

  now(): number {
    return this.ctx.clock.now();
  }

  async defineAgreement(
    input: Omit<Agreement, 'agreementId' | 'definedBy' | 'definedAt' | 'clauses'> & {
      agreementId?: string;
      clauses: (Omit<AgreementClause, 'minimumCount' | 'areaId'> & { areaId?: string | null; minimumCount?: number })[];
    },
    by: Principal,
  ): Promise<Agreement> {
    // Statistics and agreements are the city's: its platform organisation's analysts and admins keep them.
    assertCan(by, 'manage', CITY_WIDE, 'cockpit data', 'agreement');
    if (!parsePeriod(input.startsWith) || parsePeriod(input.startsWith)!.kind !== input.periodKind)
      throw badRequest(`startsWith "${input.startsWith}" is not a ${input.periodKind}`);
    const index = this.state.areaIndex();
    const clauses = input.clauses.map((c) => ({
      indicatorId: c.indicatorId,
      areaId: c.areaId ?? null,
      statistic: c.statistic,
      comparator: c.comparator,
      target: c.target,
      minimumCount: c.minimumCount ?? 1,
    }));
    for (const c of clauses) checkClause(c, this.state.catalogue, index);
    const agreement: Agreement = {
      agreementId: input.agreementId ?? newId('kpi-agr'),
      name: input.name,
      provider: input.provider,
      periodKind: input.periodKind,
      startsWith: input.startsWith,
      clauses,
      definedBy: by.actor,
      definedAt: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.ctx.record([
      { type: 'cockpit.agreement.defined', subject: `kpi-agreement:${agreement.agreementId}`, orgId: by.orgId, actor: by.actor, data: { agreement } },
    ]);
    return agreement;
  }

  /** Every period from the first, or only the one asked for. */
  agreementReport(agreementId: string, period?: string): AgreementReport {
    const a = this.state.agreements.get(agreementId);
    if (!a) throw notFound('agreement', agreementId);
    const report = agreementReport(a, this.state.sources(), this.state.calendar.monthIndex(this.ctx.clock.now()));
    if (period === undefined) return report;
    const one = report.periods.filter((p) => p.period === period);
    if (one.length === 0) throw notFound('evaluated period', period);
    return { ...report, periods: one };
  }

  agreementReportHtml(agreementId: string, period?: string): string {
    const report = this.agreementReport(agreementId, period);
    return agreementReportHtml(
      report,
      this.state.agreements.get(agreementId)!,
      this.state.catalogue,
      this.state.areaIndex(),
      this.cityName(),
      new Date(this.ctx.clock.now()).toISOString(),
    );
  }

  /** Every agreement with the status of its last ended period and of the current one. */
  agreementBoard(): { agreement: Agreement; lastEnded: AgreementReport['periods'][number] | null; current: AgreementReport['periods'][number] | null }[] {
    return [...this.state.agreements.values()].map((agreement) => {
      const r = this.agreementReport(agreement.agreementId);
      return { agreement, lastEnded: r.periods.filter((p) => !p.inProgress).at(-1) ?? null, current: r.periods.find((p) => p.inProgress) ?? null };
    });
  }

  /** The incidents seam: see OperationalFeed.addIncident. */
  addIncident(sample: IncidentSample, ref: string): void {
    this.state.feed.addIncident(sample, ref);
  }

  private async record<K extends keyof CockpitEvents>(type: K, data: CockpitEvents[K], by: Principal): Promise<void> {
    await this.ctx.record([{ type, subject: `kpi-import:${(data as { importId: string }).importId}`, orgId: by.orgId, actor: by.actor, data }]);
  }
}
