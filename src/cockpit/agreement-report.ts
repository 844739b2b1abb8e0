import type { Catalogue } from './catalogue.js';
import type { AreaIndex } from './engine/area-index.js';
import type { Agreement, AgreementReport } from './agreements.js';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const num = (v: number | null): string => (v === null ? '—' : v.toLocaleString('en-GB', { maximumFractionDigits: 2 }));
const STATUS = { met: 'met', breached: 'breached', incomplete: 'incomplete', missed: 'missed', 'not-evaluable': 'not evaluable' } as const;

/**
 * The examiner's report of an agreement as a self-contained HTML page: who
 * defined it, the KPIs and targets, then each period with every KPI's value,
 * the number of samples behind it and the outcome — the figures come from the
 * city's own data, not from the provider.
 */
export function agreementReportHtml(
  report: AgreementReport,
  agreement: Agreement,
  catalogue: Catalogue,
  index: AreaIndex,
  cityName: string,
  generatedAt: string,
): string {
  const indicatorName = (id: string) => catalogue.byId.get(id)?.name.en ?? id;
  const unit = (id: string) => catalogue.byId.get(id)?.definition.unit ?? '';
  const areaName = (id: string | null) => (id ? (index.nodes.get(id)?.name ?? id) : cityName);
  const clauses = agreement.clauses
    .map(
      (c) =>
        `<tr><td>${escapeHtml(indicatorName(c.indicatorId))}</td><td>${escapeHtml(areaName(c.areaId))}</td><td>${c.statistic}</td><td>${c.comparator} ${num(c.target)} ${escapeHtml(unit(c.indicatorId))}</td><td>${c.minimumCount}</td></tr>`,
    )
    .join('\n');
  const periods = report.periods
    .map((p) => {
      const rows = p.clauses
        .map(
          (c) =>
            `<tr class="${c.outcome}"><td>${escapeHtml(indicatorName(c.indicatorId))}</td><td>${escapeHtml(areaName(c.areaId))}</td><td>${c.statistic}</td><td>${num(c.value)} ${escapeHtml(unit(c.indicatorId))}</td><td>${c.comparator} ${num(c.target)}</td><td>${c.count ?? '—'}</td><td>${STATUS[c.outcome]}${c.reason ? ` — ${escapeHtml(c.reason)}` : ''}</td></tr>`,
        )
        .join('\n');
      return `<section class="period ${p.status}" data-period="${escapeHtml(p.period)}">
<h2>${escapeHtml(p.period)}: <span class="status">${STATUS[p.status]}</span>${p.inProgress ? ' <em>(in progress: figures may still change)</em>' : ''}</h2>
<table><thead><tr><th>KPI</th><th>Area</th><th>Statistic</th><th>Value</th><th>Target</th><th>Samples</th><th>Outcome</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(`${agreement.name} — ${agreement.provider} — evaluation report`)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:6px 0 14px}td,th{border:1px solid #ccd;padding:3px 8px;text-align:left}
.met .status,tr.met td:last-child{color:#2e7d32}.breached .status,tr.missed td:last-child{color:#c62828}.incomplete .status,tr.not-evaluable td:last-child{color:#6b7785}h2{font-size:1.05em;margin:18px 0 4px}</style></head>
<body>
<h1>${escapeHtml(agreement.name)}</h1>
<p>Provider: <strong>${escapeHtml(agreement.provider)}</strong> · examiner: ${escapeHtml(cityName)} · evaluated per ${agreement.periodKind} from ${escapeHtml(agreement.startsWith)} · defined by ${escapeHtml(agreement.definedBy)} on ${escapeHtml(agreement.definedAt.slice(0, 10))}</p>
<p>Values are computed by Vigil from the city's own records (incidents, alarms, alerts, imported statistics) — not reported by the provider. A period is <em>met</em> when every KPI meets its target, <em>breached</em> when any misses it, <em>incomplete</em> when a KPI has no value or fewer samples than the agreement requires.</p>
<table><thead><tr><th>KPI</th><th>Area</th><th>Statistic</th><th>Target</th><th>Minimum samples</th></tr></thead><tbody>
${clauses}
</tbody></table>
${periods}
<p><small>Generated ${escapeHtml(generatedAt)} by Vigil.</small></p>
</body></html>
`;
}
