import { useCallback, useEffect, useState } from 'react';
import { api, type StoredEvent } from '../api.js';
import { useT, useTime } from '../i18n.js';

interface Verification {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  problem: string | null;
  ms: number;
}

export function AuditPage() {
  const t = useT();
  const time = useTime();
  const [entries, setEntries] = useState<StoredEvent[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [typePrefix, setTypePrefix] = useState('');
  const [actor, setActor] = useState('');
  const [verification, setVerification] = useState<Verification | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (before: number | null) => {
      const q = new URLSearchParams({ limit: '50' });
      if (before) q.set('beforeSeq', String(before));
      if (typePrefix) q.set('typePrefix', typePrefix);
      if (actor) q.set('actor', actor);
      try {
        const page = await api<{ entries: StoredEvent[]; nextBeforeSeq: number | null }>(`/api/audit?${q}`);
        setEntries((old) => (before ? [...old, ...page.entries] : page.entries));
        setNext(page.nextBeforeSeq);
        setError(null);
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      }
    },
    [typePrefix, actor],
  );

  useEffect(() => void load(null), [load]);

  const verify = async (): Promise<void> => {
    setVerifying(true);
    try {
      setVerification(await api<Verification>('/api/audit/verify', { method: 'POST' }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setVerifying(false);
    }
  };

  return (
    <div className="panel">
      <div className="row">
        <h2>{t('Audit trail')}</h2>
        <span className="spacer" />
        <button onClick={() => void verify()} disabled={verifying} data-testid="verify">
          {verifying ? '…' : t('Verify chain')}
        </button>
      </div>
      {verification && (
        <p className={verification.ok ? 'ok-box' : 'error'} data-testid="verification">
          {verification.ok
            ? `Hash chain intact: ${verification.checked} events verified in ${verification.ms} ms.`
            : `Hash chain BROKEN at event ${verification.firstBrokenSeq}: ${verification.problem}`}
        </p>
      )}
      <div className="row filters">
        <input placeholder="Type prefix (identity., city.)" value={typePrefix} onChange={(e) => setTypePrefix(e.target.value)} aria-label="Type prefix" />
        <input placeholder="Actor (user:…)" value={actor} onChange={(e) => setActor(e.target.value)} aria-label="Actor" />
      </div>
      {error && <p className="error">{error}</p>}
      <table className="table" data-testid="audit-table">
        <thead>
          <tr>
            <th>#</th>
            <th>When</th>
            <th>Who</th>
            <th>What</th>
            <th>About</th>
            <th>Why</th>
            <th>Hash</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.seq}>
              <td>{e.seq}</td>
              <td className="nowrap">
                <time dateTime={e.at}>{time(e.at)}</time>
              </td>
              <td className="small">{e.actor}</td>
              <td>
                <code>{e.type}</code>
              </td>
              <td className="small">{e.subject}</td>
              <td className="small">{e.reason ?? ''}</td>
              <td className="small mono" title={e.hash}>
                {e.hash.slice(0, 10)}…
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {next && <button onClick={() => void load(next)}>{t('Older entries')}</button>}
    </div>
  );
}
