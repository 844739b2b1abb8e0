import { badRequest } from '../kernel/errors.js';
import type { Catalogue } from './catalogue.js';
import type { AreaIndex } from './engine/area-index.js';
import { evaluate, type EvaluationSources } from './engine/evaluate.js';
import { parsePeriod, periodsBetween, type Period } from './engine/zone-calendar.js';
import type { Agreement, AgreementClause, AgreementReport, ClauseOutcome } from './model.js';

export type { Agreement, AgreementClause, AgreementReport, ClauseOutcome } from './model.js';

/** Checks a clause against the catalogue and the city: indicator, statistic, area and level. */
export function checkClause(c: AgreementClause, catalogue: Catalogue, index: AreaIndex): void {
  const def = catalogue.byId.get(c.indicatorId);
  if (!def) throw badRequest(`unknown indicator ${c.indicatorId}`);
  if (c.statistic !== 'value' && !(def.definition.measure === 'distribution' && (def.definition.percentiles ?? []).includes(Number(c.statistic.slice(1))))) {
    throw badRequest(`${c.indicatorId} has no statistic ${c.statistic}`);
  }
  const areaId = c.areaId ?? index.cityId;
  const node = areaId ? index.nodes.get(areaId) : undefined;
  if (!node) throw badRequest(`unknown area ${c.areaId}`);
  if (!def.levels.includes(node.level)) throw badRequest(`${c.indicatorId} is computed per ${def.levels.join(', ')}, not per ${node.level}`);
}

/** Evaluates every period from the first to the one holding `now` (at most 60). */
export function agreementReport(a: Agreement, src: EvaluationSources, nowMonth: number): AgreementReport {
  const first = parsePeriod(a.startsWith)!;
  const periods = periodsBetween(a.periodKind, first.months[0]!, Math.max(nowMonth, first.months[0]!)).slice(-60);
  return {
    agreementId: a.agreementId,
    name: a.name,
    provider: a.provider,
    periodKind: a.periodKind,
    periods: periods.map((p) => evaluatePeriod(a, src, p, nowMonth)),
  };
}

function evaluatePeriod(a: Agreement, src: EvaluationSources, p: Period, nowMonth: number): AgreementReport['periods'][number] {
  const clauses = a.clauses.map((c) => {
    const v = evaluate(src, src.catalogue.byId.get(c.indicatorId)!, c.areaId ?? src.index.cityId!, p);
    const value = !v ? null : c.statistic === 'value' ? v.value : (v.percentiles?.[c.statistic] ?? null);
    // The samples behind the value: a distribution's values, a ratio's denominator events (closed alarms, queued messages).
    const count = v ? (v.count ?? v.denominator?.count ?? v.numerator?.count ?? null) : null;
    let outcome: ClauseOutcome;
    let reason: string | null = null;
    if (value === null) {
      outcome = 'not-evaluable';
      reason = 'no value for the period';
    } else if (count !== null && count < c.minimumCount) {
      outcome = 'not-evaluable';
      reason = `${count} sample(s), the agreement requires ${c.minimumCount}`;
    } else outcome = (c.comparator === '<=' ? value <= c.target : value >= c.target) ? 'met' : 'missed';
    return { ...c, value, count, outcome, reason };
  });
  const status = clauses.some((c) => c.outcome === 'missed') ? 'breached' : clauses.every((c) => c.outcome === 'met') ? 'met' : 'incomplete';
  return { period: p.label, inProgress: p.months.at(-1)! >= nowMonth, status, clauses };
}
