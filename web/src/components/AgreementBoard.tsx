import { Fragment, useEffect, useState } from 'react';
import { api } from '../api.js';
import { formatNumber, useT } from '../i18n.js';

type Status = 'met' | 'breached' | 'incomplete';
interface PeriodStatus {
  period: string;
  status: Status;
  inProgress: boolean;
}
interface Row {
  agreement: { agreementId: string; name: string; provider: string; periodKind: string; clauses: unknown[] };
  lastEnded: PeriodStatus | null;
  current: PeriodStatus | null;
}
interface ClauseResult {
  indicatorId: string;
  areaId: string | null;
  statistic: string;
  comparator: string;
  target: number;
  value: number | null;
  count: number | null;
  outcome: 'met' | 'missed' | 'not-evaluable';
  reason: string | null;
}
interface Report {
  agreementId: string;
  periods: (PeriodStatus & { clauses: ClauseResult[] })[];
}

const COLOURS = { met: '#2e7d32', breached: '#c62828', incomplete: '#6b7785', missed: '#c62828', 'not-evaluable': '#6b7785' } as const;
const num = (v: number | null) => (v === null ? '—' : formatNumber(v, { max: 2 }));

/** Every period's evaluation of one agreement, with the report of each period as HTML or JSON. */
function AgreementReport({ agreementId, indicatorName }: { agreementId: string; indicatorName: (id: string) => string }) {
  const t = useT();
  const [report, setReport] = useState<Report | null>(null);
  useEffect(() => {
    api<Report>(`/api/cockpit/agreements/${encodeURIComponent(agreementId)}/report`).then(setReport, () => setReport(null));
  }, [agreementId]);
  if (!report) return null;
  const base = `/api/cockpit/agreements/${encodeURIComponent(agreementId)}`;
  return (
    <table className="kpi-table agreement-report" data-testid="agreement-report">
      <thead>
        <tr>
          <th>{t('Period')}</th>
          <th>{t('Status')}</th>
          <th>{t('KPIs')}</th>
          <th>{t('Report')}</th>
        </tr>
      </thead>
      <tbody>
        {[...report.periods].reverse().map((p) => (
          <tr key={p.period} data-testid="agreement-period" data-period={p.period}>
            <td>
              {p.period}
              {p.inProgress ? ` (${t('in progress')})` : ''}
            </td>
            <td style={{ color: COLOURS[p.status], fontWeight: 600 }}>{t(p.status)}</td>
            <td>
              {p.clauses.map((c, i) => (
                <div key={i} style={{ color: COLOURS[c.outcome] }}>
                  {indicatorName(c.indicatorId)} {c.statistic === 'value' ? '' : c.statistic}: {num(c.value)} {c.comparator === '<=' ? '≤' : '≥'}{' '}
                  {num(c.target)}
                  {c.count !== null ? ` · n = ${c.count}` : ''}
                  {c.reason ? ` — ${c.reason}` : ''}
                </div>
              ))}
            </td>
            <td className="nowrap">
              <a href={`${base}/report.html?period=${p.period}`} target="_blank" rel="noreferrer" data-testid="agreement-report-html">
                HTML
              </a>
              {' · '}
              <a href={`${base}/report?period=${p.period}`} target="_blank" rel="noreferrer">
                JSON
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Service agreements at a glance: the last ended period and the one in progress, per provider; each opens its period reports. */
export function AgreementBoard({ version = 0, indicatorName = (id) => id }: { version?: number; indicatorName?: (id: string) => string }) {
  const t = useT();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    api<{ agreements: Row[] }>('/api/cockpit/agreements').then(
      (r) => setRows(r.agreements),
      () => setRows([]),
    );
  }, [version]);
  if (!rows) return null;
  if (rows.length === 0) return <p className="muted">{t('No service agreement defined yet.')}</p>;
  const badge = (s: PeriodStatus | null) =>
    s ? (
      <span style={{ color: COLOURS[s.status], fontWeight: 600 }}>
        {s.period}: {t(s.status)}
      </span>
    ) : (
      '—'
    );
  return (
    <table className="kpi-table" data-testid="kpi-agreements">
      <thead>
        <tr>
          <th>{t('Agreement')}</th>
          <th>{t('Provider')}</th>
          <th>{t('Last period')}</th>
          <th>{t('Current period')}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <Fragment key={r.agreement.agreementId}>
            <tr data-testid="agreement-row">
              <td>{r.agreement.name}</td>
              <td>{r.agreement.provider}</td>
              <td>{badge(r.lastEnded)}</td>
              <td>{badge(r.current)}</td>
              <td>
                <button onClick={() => setOpen(open === r.agreement.agreementId ? null : r.agreement.agreementId)}>
                  {open === r.agreement.agreementId ? t('Hide') : t('Periods')}
                </button>
              </td>
            </tr>
            {open === r.agreement.agreementId && (
              <tr>
                <td colSpan={5}>
                  <AgreementReport agreementId={r.agreement.agreementId} indicatorName={indicatorName} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
