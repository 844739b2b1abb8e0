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
import type { ImportInput } from './imports/statistics-import.js';
import type { parsePeersInWorker, parseStatisticsInWorker } from './imports/import-worker.js';
import { JobGate } from '../platform/heavy/job-gate.js';
import { runInWorker } from '../platform/heavy/worker-pool.js';

const IMPORT_WORKER = new URL('./imports/import-worker.ts', import.meta.url);
/** The thread that parsed the last cockpit import (tests show it was not the main thread). */
export const lastCockpitImport = { threadId: -1 };
import type { CockpitEvents, CockpitLevel, IncidentSample, IndicatorDefinition, PeerStatistic, PeriodKind } from './model.js';
import { meanOfRuns, percentileOfRuns } from './engine/sorted-run.js';

const MAX_TREND_POINTS = 120;

export interface PeerComparison {
  indicatorId: string;
  period: string;
  /** The statistic compared: the city's own and every peer's are the same one (a peer's p90 is never ranked against the city's median). */
  statistic: PeerStatistic;
  city: { name: string; population: number | null; populationSource: 'statistics' | 'city-model' | null; value: number | null };
  /** Peers of the period that published another statistic (not compared), by statistic; `unknown` for imports that did not say. */
  otherStatistics: Record<string, number>;
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
  /** Statistics and peer imports: at most 2 parsed at once, 8 waiting, 2 per user (429 beyond), in the worker pool. */
  readonly importGate = new JobGate('cockpit import', { concurrency: 2, queue: 8, perUser: 2, retryAfterSeconds: 5 });

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
    // Parsed and checked in the worker pool (import-worker.ts): a 1 MB CSV never holds the main thread.
    const { records, errors, threadId } = await this.importGate.run({ user: by.actor }, () =>
      runInWorker<ReturnType<typeof parseStatisticsInWorker>>({
        module: IMPORT_WORKER,
        fn: 'parseStatisticsInWorker',
        input: { input, importId, variables: new Map(this.state.catalogue.variables), areaIds: new Set(index.nodes.keys()), areaNames: byName },
      }),
    );
    lastCockpitImport.threadId = threadId;
    if (errors.length) throw new VigilError('validation_failed', `${errors.length} line(s) refused; nothing was imported`, { errors: errors.slice(0, 200) });
    await this.record('cockpit.statistics.imported', { importId, source: input.source, format: input.format, records }, by);
    return { importId, records: records.length };
  }

  async importPeers(input: ImportInput, by: Principal): Promise<{ importId: string; records: number }> {
    assertCan(by, 'manage', CITY_WIDE, 'cockpit data', 'peers');
    const importId = newId('kpi-peer');
    const indicators = new Map([...this.state.catalogue.byId].map(([id, d]) => [id, { measure: d.definition.measure }]));
    const { records, errors, threadId } = await this.importGate.run({ user: by.actor }, () =>
      runInWorker<ReturnType<typeof parsePeersInWorker>>({ module: IMPORT_WORKER, fn: 'parsePeersInWorker', input: { input, importId, indicators } }),
    );
    lastCockpitImport.threadId = threadId;
    if (errors.length) throw new VigilError('validation_failed', `${errors.length} line(s) refused; nothing was imported`, { errors: errors.slice(0, 200) });
    await this.record('cockpit.peers.imported', { importId, source: input.source, format: input.format, records }, by);
    return { importId, records: records.length };
  }

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

  /**
   * The city against peers of similar size for one indicator, period and statistic
   * (a ratio's `value`; a time's `median`, `p90` or `mean`, median by default). Only
   * finite values ≥ 0 count (a value recorded before imports refused the others is
   * left out, never taken as 0).
   */
  compare(indicatorId: string, periodLabel: string, statistic?: PeerStatistic): PeerComparison {
    const def = this.definition(indicatorId);
    const period = this.period(periodLabel);
    const stat: PeerStatistic = def.definition.measure === 'ratio' ? 'value' : (statistic ?? 'median');
    if (def.definition.measure === 'ratio' && statistic && statistic !== 'value') throw badRequest(`${indicatorId} is a ratio: its statistic is "value"`);
    if (def.definition.measure === 'distribution' && stat === 'value') throw badRequest(`${indicatorId} is a time distribution: median, p90 or mean`);
    const src = this.state.sources();
    const cityId = src.index.cityId;
    const own = cityId ? evaluate(src, def, cityId, period) : null;
    let value: number | null = null;
    if (own && cityId) {
      if (stat === 'value') value = own.value;
      else {
        const runs = src.measures.runs(def.definition.numerator, cityId, period.months);
        const raw = stat === 'mean' ? meanOfRuns(runs) : percentileOfRuns(runs, stat === 'p90' ? 90 : 50);
        value = raw === null ? null : raw * def.definition.scale;
      }
    }
    const pop = cityId ? this.population(cityId, period) : null;
    const population = pop?.value ?? null;
    // The latest import of a city's value wins (a revised figure, imported on its own: one import refuses duplicates).
    const latest = new Map<string, (typeof this.state.peers)[number]>();
    const otherStatistics: Record<string, number> = {};
    for (const p of this.state.peers) {
      if (p.indicatorId !== indicatorId || p.period !== period.label) continue;
      if (typeof p.value !== 'number' || !Number.isFinite(p.value) || p.value < 0) continue;
      const pStat = p.statistic ?? (def.definition.measure === 'ratio' ? 'value' : 'unknown');
      if (pStat !== stat) {
        otherStatistics[pStat] = (otherStatistics[pStat] ?? 0) + 1;
        continue;
      }
      latest.set(p.city.toLowerCase(), p);
    }
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
    const better = (a: number, b: number) => (def.higherIsBetter ? a >= b : a <= b);
    return {
      indicatorId,
      period: period.label,
      statistic: stat,
      city: { name: cityId ? src.index.nodes.get(cityId)!.name : '', population, populationSource: pop?.source ?? null, value },
      otherStatistics,
      peers,
      percentile: value !== null && values.length ? (100 * values.filter((v) => better(value, v)).length) / values.length : null,
      median,
      best,
      gapToMedian: value !== null && median !== null ? value - median : null,
      gapToBest: value !== null && best !== null ? value - best : null,
    };
  }

  /** The imported population of an area for a period (an enclosing year's figure for a month), else the city model's where none was ever imported. */
  private population(areaId: string, period: Period): { value: number; source: 'statistics' | 'city-model' } | null {
    const src = this.state.sources();
    const popDef = this.state.catalogue.variables.get('population')!;
    const imported = this.state.statistics.value('population', areaId, period, popDef.kind === 'flow' ? 'flow' : 'stock', src.index);
    if (imported) return { value: imported.value, source: 'statistics' };
    if (this.state.statistics.hasArea('population', areaId)) return null;
    const model = src.modelPopulation(areaId);
    return model ? { value: model.value, source: 'city-model' } : null;
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
