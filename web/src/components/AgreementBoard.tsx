import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { useT } from '../i18n.js';

interface PeriodStatus { period: string; status: 'met' | 'breached' | 'incomplete'; inProgress: boolean }
interface Row { agreement: { agreementId: string; name: string; provider: string; periodKind: string; clauses: unknown[] }; lastEnded: PeriodStatus | null; current: PeriodStatus | null }

const COLOURS = { met: '#2e7d32', breached: '#c62828', incomplete: '#8a96a3' } as const;

/** Service agreements at a glance: the last ended period and the one in progress, per provider. */
export function AgreementBoard() {
  const t = useT();
  const [rows, setRows] = useState<Row[] | null>(null);
  useEffect(() => {
    api<{ agreements: Row[] }>('/api/cockpit/agreements').then((r) => setRows(r.agreements), () => setRows([]));
  }, []);
  if (!rows) return null;
  if (rows.length === 0) return <p className="muted">{t('No service agreement defined yet.')}</p>;
  const badge = (s: PeriodStatus | null) => (s ? <span style={{ color: COLOURS[s.status], fontWeight: 600 }}>{s.period}: {t(s.status)}</span> : '—');
  return (
    <table className="kpi-table" data-testid="kpi-agreements">
      <thead><tr><th>{t('Agreement')}</th><th>{t('Provider')}</th><th>{t('Last period')}</th><th>{t('Current period')}</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.agreement.agreementId}>
            <td>{r.agreement.name}</td><td>{r.agreement.provider}</td><td>{badge(r.lastEnded)}</td><td>{badge(r.current)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
