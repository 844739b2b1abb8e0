import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { errorText } from '../errors.js';

export interface CatalogueIndicator {
  id: string;
  standard: string;
  name: { en: string; fr: string };
  levels: string[];
  definition: { unit: string; measure: string; percentiles?: number[] };
}
interface Area {
  id: string;
  name: string;
  level: string;
}
interface Clause {
  indicatorId: string;
  areaId: string;
  statistic: string;
  comparator: '<=' | '>=';
  target: string;
  minimumCount: string;
}

const emptyClause = (indicatorId: string): Clause => ({ indicatorId, areaId: '', statistic: 'value', comparator: '<=', target: '', minimumCount: '1' });

/**
 * The municipality defines a KPI-based agreement with a provider: which KPIs
 * apply (indicator, area, statistic), the target and condition of each, and the
 * evaluation period. The server checks every clause against the catalogue.
 */
export function AgreementForm({ indicators, lang, onDefined }: { indicators: CatalogueIndicator[]; lang: string; onDefined: () => void }) {
  const t = useT();
  const [orgs, setOrgs] = useState<string[]>([]);
  const [areas, setAreas] = useState<Area[]>([]);
  const [cityId, setCityId] = useState<string>('');
  const [name, setName] = useState('');
  const [provider, setProvider] = useState('');
  const [periodKind, setPeriodKind] = useState<'month' | 'quarter' | 'year'>('month');
  const [startsWith, setStartsWith] = useState(`${new Date().getFullYear()}-01`);
  const [clauses, setClauses] = useState<Clause[]>([emptyClause(indicators[0]?.id ?? '')]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    api<{ orgs: { name: string }[] }>('/api/identity/orgs').then(
      (r) => setOrgs(r.orgs.map((o) => o.name)),
      () => setOrgs([]),
    );
    api<{ cityId: string | null; areas: Area[] }>('/api/cockpit/areas').then(
      (r) => {
        setAreas(r.areas.filter((a) => a.level !== 'city'));
        setCityId(r.cityId ?? '');
      },
      () => setAreas([]),
    );
  }, []);
  useEffect(() => {
    // The first period follows the kind: 2026-01, 2026-Q1, 2026.
    const y = startsWith.slice(0, 4);
    setStartsWith(periodKind === 'month' ? `${y}-01` : periodKind === 'quarter' ? `${y}-Q1` : y);
  }, [periodKind]); // eslint-disable-line react-hooks/exhaustive-deps

  const byId = new Map(indicators.map((i) => [i.id, i]));
  const label = (i: CatalogueIndicator) => `${lang === 'fr' ? i.name.fr : i.name.en} (${i.standard})`;
  const change = (k: number, patch: Partial<Clause>) => setClauses((cs) => cs.map((c, i) => (i === k ? { ...c, ...patch } : c)));
  const statistics = (i: CatalogueIndicator | undefined) =>
    i?.definition.measure === 'distribution' ? (i.definition.percentiles ?? [50]).map((p) => `p${p}`) : ['value'];

  const submit = async (): Promise<void> => {
    setMessage(null);
    try {
      const body = {
        name: name.trim(),
        provider: provider.trim(),
        periodKind,
        startsWith,
        clauses: clauses.map((c) => ({
          indicatorId: c.indicatorId,
          areaId: c.areaId || null,
          statistic: c.statistic,
          comparator: c.comparator,
          target: Number(c.target),
          minimumCount: Number(c.minimumCount) || 0,
        })),
      };
      const r = await api<{ agreement: { name: string } }>('/api/cockpit/agreements', { body });
      setMessage({ ok: true, text: `${t('Agreement defined')}: ${r.agreement.name}` });
      onDefined();
    } catch (e) {
      setMessage({ ok: false, text: errorText(t, e) });
    }
  };
  const complete =
    name.trim().length >= 3 &&
    provider.trim().length >= 2 &&
    clauses.every((c) => c.indicatorId && c.target.trim() !== '' && Number.isFinite(Number(c.target)));

  return (
    <details className="kpi-agreement-form" data-testid="agreement-form">
      <summary>{t('Define a service agreement')}</summary>
      <div className="form-grid">
        <label>
          {t('Agreement name')}{' '}
          <input aria-label={t('Agreement name')} value={name} onChange={(e) => setName(e.target.value)} placeholder={t('Fire and rescue response 2026')} />
        </label>
        <label>
          {t('Provider')} <input aria-label={t('Provider')} list="agreement-providers" value={provider} onChange={(e) => setProvider(e.target.value)} />
        </label>
        <datalist id="agreement-providers">
          {orgs.map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
        <label>
          {t('Evaluation period')}{' '}
          <select aria-label={t('Evaluation period')} value={periodKind} onChange={(e) => setPeriodKind(e.target.value as 'month' | 'quarter' | 'year')}>
            <option value="month">{t('month')}</option>
            <option value="quarter">{t('quarter')}</option>
            <option value="year">{t('year')}</option>
          </select>
        </label>
        <label>
          {t('First period')} <input aria-label={t('First period')} value={startsWith} onChange={(e) => setStartsWith(e.target.value)} size={8} />
        </label>
      </div>
      <table className="kpi-table agreement-clauses">
        <thead>
          <tr>
            <th>{t('KPI')}</th>
            <th>{t('Area')}</th>
            <th>{t('Statistic')}</th>
            <th>{t('Target')}</th>
            <th>{t('Minimum samples')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {clauses.map((c, k) => {
            const def = byId.get(c.indicatorId);
            const areaChoices = areas.filter((a) => def?.levels.includes(a.level));
            return (
              <tr key={k} data-testid="agreement-clause">
                <td>
                  <select
                    aria-label={`${t('KPI')} ${k + 1}`}
                    value={c.indicatorId}
                    onChange={(e) =>
                      change(k, {
                        indicatorId: e.target.value,
                        statistic: statistics(byId.get(e.target.value))[statistics(byId.get(e.target.value)).length - 1]!,
                        areaId: '',
                      })
                    }
                  >
                    {indicators.map((i) => (
                      <option key={i.id} value={i.id}>
                        {label(i)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <select aria-label={`${t('Area')} ${k + 1}`} value={c.areaId} onChange={(e) => change(k, { areaId: e.target.value })}>
                    <option value="">{t('Whole city')}</option>
                    {areaChoices.map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.name} ({t(a.level)})
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <select aria-label={`${t('Statistic')} ${k + 1}`} value={c.statistic} onChange={(e) => change(k, { statistic: e.target.value })}>
                    {statistics(def).map((s) => (
                      <option key={s} value={s}>
                        {s === 'value' ? t('value') : s}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="nowrap">
                  <select
                    aria-label={`${t('Comparator')} ${k + 1}`}
                    value={c.comparator}
                    onChange={(e) => change(k, { comparator: e.target.value as '<=' | '>=' })}
                  >
                    <option value="<=">≤</option>
                    <option value=">=">≥</option>
                  </select>{' '}
                  <input
                    aria-label={`${t('Target')} ${k + 1}`}
                    type="number"
                    step="any"
                    value={c.target}
                    onChange={(e) => change(k, { target: e.target.value })}
                    size={6}
                  />
                  <br />
                  <small className="muted">{def?.definition.unit}</small>
                </td>
                <td>
                  <input
                    aria-label={`${t('Minimum samples')} ${k + 1}`}
                    type="number"
                    min={0}
                    value={c.minimumCount}
                    onChange={(e) => change(k, { minimumCount: e.target.value })}
                    size={4}
                  />
                </td>
                <td>
                  {clauses.length > 1 && (
                    <button onClick={() => setClauses((cs) => cs.filter((_, i) => i !== k))} aria-label={`${t('Remove')} ${k + 1}`}>
                      ×
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button onClick={() => setClauses((cs) => [...cs, emptyClause(indicators[0]?.id ?? '')])}>{t('Add a KPI')}</button>{' '}
      <button onClick={() => void submit()} disabled={!complete || !cityId}>
        {t('Define the agreement')}
      </button>
      {message && (
        <p className={message.ok ? 'ok' : 'error'} data-testid="agreement-result">
          {message.text}
        </p>
      )}
    </details>
  );
}
