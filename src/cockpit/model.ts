import type { AreaLevel } from '../city/contract.js';

/** Where a value is computed: a site (building) or an area of the city model. */
export type CockpitLevel = 'site' | AreaLevel;
export const COCKPIT_LEVELS: readonly CockpitLevel[] = ['site', 'neighbourhood', 'district', 'city'];

export type VariableKind = 'stock' | 'flow' | 'distribution';

/** A quantity indicators are made of: imported statistics or measured from the log. */
export interface Variable {
  id: string;
  kind: VariableKind;
  unit: string;
  origin: 'statistics' | 'operational';
  description: string;
}

export interface IndicatorDefinition {
  id: string;
  /** The catalogue file it comes from ('ISO 37120', 'Vigil', …). */
  standard: string;
  name: { en: string; fr: string };
  theme: 'safety' | 'fire-emergency' | 'resilience' | 'alarms' | 'warning';
  type: 'core' | 'supporting' | 'advanced' | 'operational';
  definition: {
    text: string;
    /** ratio: Σ numerator / Σ denominator × scale; distribution: percentiles of raw values × scale. */
    measure: 'ratio' | 'distribution';
    numerator: string;
    denominator: string | null;
    unit: string;
    scale: number;
    percentiles?: number[];
  };
  levels: CockpitLevel[];
  higherIsBetter: boolean;
  sources: string[];
  citation: { document: string; clause: string | null; url?: string; note?: string };
  /** False when the definition could not be checked against public material. */
  confirmed: boolean;
  /** What was checked (clause number, name, core/supporting, definition), against which public source, and why not the rest. */
  confirmation: {
    status: 'confirmed' | 'partial' | 'unconfirmed';
    checked: ('clause' | 'name' | 'type' | 'definition')[];
    against: string | null;
    note: string | null;
  };
}

/** Calendar periods in the city's time zone: '2026', '2026-Q1', '2026-03'. */
export type PeriodKind = 'month' | 'quarter' | 'year';

/** One imported statistic: a value of a variable for an area and period, from a named source. */
export interface StatisticRecord {
  /** '<importId>:<line>' — provenance of every value computed from it. */
  recordId: string;
  variable: string;
  areaId: string;
  period: string;
  value: number;
}

/**
 * Which statistic a peer published: `value` for a ratio; for a time distribution the
 * median, the 90th percentile or the mean (GCIF publishes a p90 for some cities, an
 * average for others). A peer is compared only with the city's same statistic.
 */
export const PEER_STATISTICS = ['value', 'median', 'p90', 'mean'] as const;
export type PeerStatistic = (typeof PEER_STATISTICS)[number];

/** A peer city's published indicator value. */
export interface PeerRecord {
  recordId: string;
  city: string;
  country: string | null;
  population: number | null;
  indicatorId: string;
  period: string;
  /** Absent in imports recorded before the statistic was asked for: such a record is never compared. */
  statistic?: PeerStatistic;
  value: number;
}

export interface CockpitEvents {
  /** Defined or redefined (same id): the latest definition applies to every period. */
  'cockpit.agreement.defined': { agreement: Agreement };
  'cockpit.statistics.imported': { importId: string; source: string; format: 'csv' | 'json'; records: StatisticRecord[] };
  'cockpit.peers.imported': { importId: string; source: string; format: 'csv' | 'json'; records: PeerRecord[] };
}

/** The input seam for incidents (issue 5): created → first unit on scene, where. */
export interface IncidentSample {
  incidentId: string;
  /** The incident's creation (initial call), epoch ms. */
  createdAt: number;
  /** The first unit of any kind on scene (emergency-service response time). */
  firstOnSceneAt: number;
  /** A fire incident: when the first fire unit reached the scene (ISO 37120 10.6); null when none did. */
  fireOnSceneAt?: number | null;
  /** A police incident: when the first police unit reached the scene; null when none did. */
  policeOnSceneAt?: number | null;
  /** The site it happened at, or else the area (neighbourhood) or null for the city as a whole. */
  siteId: string | null;
  areaId: string | null;
}

/** One KPI a provider is held to: an indicator in an area, a statistic of it, a comparison with a target. */
export interface AgreementClause {
  indicatorId: string;
  /** Null: the whole city. */
  areaId: string | null;
  statistic: 'value' | 'p50' | 'p90';
  comparator: '<=' | '>=';
  target: number;
  /** Condition: the period counts only with at least this many samples (events) behind the value. */
  minimumCount: number;
}

/**
 * A KPI-based service agreement: the municipality names a provider, the KPIs that
 * apply with their targets and conditions, and the evaluation period. Vigil
 * evaluates it from its own data — the city is the examiner, not the provider.
 */
export interface Agreement {
  agreementId: string;
  name: string;
  provider: string;
  periodKind: PeriodKind;
  /** First period evaluated ('2026-01', '2026-Q1', '2026'). */
  startsWith: string;
  clauses: AgreementClause[];
  definedBy: string;
  definedAt: string;
}

export type ClauseOutcome = 'met' | 'missed' | 'not-evaluable';

export interface AgreementReport {
  agreementId: string;
  name: string;
  provider: string;
  periodKind: PeriodKind;
  periods: {
    period: string;
    /** The period has not ended yet: the figures may still change. */
    inProgress: boolean;
    status: 'met' | 'breached' | 'incomplete';
    clauses: (AgreementClause & { value: number | null; count: number | null; outcome: ClauseOutcome; reason: string | null })[];
  }[];
}
