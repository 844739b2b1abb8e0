/** An indicator's value as GET /api/cockpit answers it: shared by the cockpit page and its charts. */
export interface Term {
  variable: string;
  value: number | null;
  count?: number;
}
export interface KpiValue {
  indicatorId: string;
  areaId: string;
  areaName: string;
  level: string;
  period: string;
  value: number | null;
  unit: string;
  numerator: Term | null;
  denominator: Term | null;
  percentiles?: Record<string, number | null>;
  count?: number;
  provenance: { variable: string; kind: string; total: number; refs: string[] }[];
}
