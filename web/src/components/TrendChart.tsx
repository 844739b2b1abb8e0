import type { KpiValue } from '../cockpit-types.js';
import { formatNumber, useT } from '../i18n.js';

/** A small SVG line chart of an indicator over consecutive periods (gaps where the value is unknown); p90 dashed when present. */
export function TrendChart({ points, unit }: { points: KpiValue[]; unit: string }) {
  const t = useT();
  const W = 420;
  const H = 160;
  const pad = { l: 44, r: 8, t: 10, b: 28 };
  const series = (get: (p: KpiValue) => number | null | undefined) => points.map((p) => get(p) ?? null);
  const main = series((p) => p.value);
  const p90 = points.some((p) => p.percentiles?.p90 !== undefined) ? series((p) => p.percentiles?.p90) : null;
  const known = [...main, ...(p90 ?? [])].filter((v): v is number => v !== null);
  if (points.length === 0 || known.length === 0)
    return (
      <p className="muted" data-testid="kpi-trend-empty">
        —
      </p>
    );
  const max = Math.max(...known) || 1;
  const x = (i: number) => pad.l + (points.length === 1 ? 0 : (i * (W - pad.l - pad.r)) / (points.length - 1));
  const y = (v: number) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const path = (vals: (number | null)[]) =>
    vals.map((v, i) => (v === null ? '' : `${i === 0 || vals[i - 1] === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`)).join(' ');
  const every = Math.max(1, Math.ceil(points.length / 6));
  return (
    <svg
      className="trend-chart"
      data-testid="kpi-trend"
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      role="img"
      aria-label={`${t('Trend')}: ${points[0]!.period} – ${points.at(-1)!.period}`}
    >
      <line x1={pad.l} y1={H - pad.b} x2={W - pad.r} y2={H - pad.b} stroke="#999" />
      <line x1={pad.l} y1={pad.t} x2={pad.l} y2={H - pad.b} stroke="#999" />
      <text x={pad.l - 4} y={pad.t + 8} textAnchor="end" fontSize="10">
        {formatNumber(max, { max: 1 })}
      </text>
      <text x={pad.l - 4} y={H - pad.b} textAnchor="end" fontSize="10">
        0
      </text>
      <text x={pad.l + 4} y={pad.t + 8} fontSize="10" fill="#555">
        {unit}
      </text>
      {p90 && <path d={path(p90)} fill="none" stroke="#d62728" strokeDasharray="4 3" strokeWidth="1.5" />}
      <path d={path(main)} fill="none" stroke="#1d3557" strokeWidth="2" />
      {main.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r="2.5" fill="#1d3557" />))}
      {points.map((p, i) =>
        i % every === 0 || i === points.length - 1 ? (
          <text key={p.period} x={x(i)} y={H - 10} fontSize="10" textAnchor={i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'}>
            {p.period}
          </text>
        ) : null,
      )}
    </svg>
  );
}
