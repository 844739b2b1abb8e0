import { formatNumber, useT } from '../i18n.js';

export interface PeerComparison {
  city: { name: string; population: number | null; value: number | null };
  peers: { city: string; country: string | null; population: number | null; value: number; source: string }[];
  percentile: number | null;
  median: number | null;
  gapToMedian: number | null;
  gapToBest: number | null;
}

/** Horizontal bars: the city among peers of similar size, the city highlighted. */
export function PeerChart({ data, unit }: { data: PeerComparison; unit: string }) {
  const t = useT();
  if (data.peers.length === 0)
    return (
      <p className="muted" data-testid="kpi-peers-empty">
        {t('No peer values imported for this indicator and period.')}
      </p>
    );
  const rows = [
    ...data.peers.map((p) => ({ name: p.city, value: p.value, own: false })),
    ...(data.city.value === null ? [] : [{ name: data.city.name, value: data.city.value, own: true }]),
  ].sort((a, b) => a.value - b.value);
  const max = Math.max(...rows.map((r) => r.value)) || 1;
  const W = 420;
  const rowH = 18;
  const f = (v: number | null) => (v === null ? '—' : formatNumber(v, { max: 2 }));
  return (
    <div data-testid="kpi-peers">
      <svg viewBox={`0 0 ${W} ${rows.length * rowH + 4}`} width="100%" className="trend-chart">
        {rows.map((r, i) => (
          <g key={r.name} transform={`translate(0, ${i * rowH + 2})`}>
            <text x={118} y={12} fontSize="11" textAnchor="end" fontWeight={r.own ? 700 : 400}>
              {r.name}
            </text>
            <rect x={122} y={2} height={rowH - 6} width={Math.max(1, ((W - 180) * r.value) / max)} fill={r.own ? '#d62728' : '#8aa4c2'} />
            <text x={126 + ((W - 180) * r.value) / max} y={12} fontSize="10">
              {f(r.value)}
            </text>
          </g>
        ))}
      </svg>
      <p className="muted">
        {t('Position among peers of similar size')}: {f(data.percentile)} % · {t('gap to median')}: {f(data.gapToMedian)} {unit} · {t('gap to best')}:{' '}
        {f(data.gapToBest)} {unit}
      </p>
    </div>
  );
}
