import { useState } from 'react';
import { api, ApiError } from '../api.js';
import { useT } from '../i18n.js';

/** Paste or load a CSV of statistics or peers' values with its source; the server checks every line. */
export function CockpitImport({ onImported }: { onImported: () => void }) {
  const t = useT();
  const [kind, setKind] = useState<'statistics' | 'peers'>('statistics');
  const [source, setSource] = useState('');
  const [content, setContent] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const [errors, setErrors] = useState<{ line: number; message: string }[]>([]);
  const submit = async (): Promise<void> => {
    setResult(null);
    setErrors([]);
    try {
      const r = await api<{ records: number }>(`/api/cockpit/${kind}`, { body: { source, format: 'csv', content } });
      setResult(`${r.records} ${t('records imported')}`);
      onImported();
    } catch (e) {
      if (e instanceof ApiError) {
        setResult(e.message);
        setErrors((e.details as { errors?: { line: number; message: string }[] } | null)?.errors ?? []);
      } else setResult(String(e));
    }
  };
  const header = kind === 'statistics' ? 'variable,area,period,value' : 'city,country,population,indicator,period,value';
  return (
    <details className="kpi-import" data-testid="kpi-import">
      <summary>{t('Import statistics or peer values (CSV)')}</summary>
      <label>
        {t('Kind')}{' '}
        <select aria-label={t('Kind')} value={kind} onChange={(e) => setKind(e.target.value as 'statistics' | 'peers')}>
          <option value="statistics">{t('Statistics')}</option>
          <option value="peers">{t('Peer cities')}</option>
        </select>
      </label>{' '}
      <label>
        {t('Source')} <input aria-label={t('Source')} value={source} onChange={(e) => setSource(e.target.value)} placeholder="IMSEE, 2025" />
      </label>{' '}
      <input type="file" accept=".csv,text/csv" aria-label={t('CSV file')} onChange={(e) => void e.target.files?.[0]?.text().then(setContent)} />
      <textarea aria-label="CSV" rows={5} value={content} placeholder={header} onChange={(e) => setContent(e.target.value)} />
      <button onClick={() => void submit()} disabled={source.trim().length < 3 || !content.trim()}>
        {t('Import')}
      </button>
      {result && <p data-testid="kpi-import-result">{result}</p>}
      {errors.length > 0 && (
        <ul className="error">
          {errors.map((e) => (
            <li key={e.line}>
              {t('line')} {e.line}: {e.message}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
