import { useCallback, useEffect, useState } from 'react';
import { api, type StoredEvent } from '../api.js';
import { useT, useTime } from '../i18n.js';
import { useDirectory, useNames } from '../directory.js';
import { nameOf } from '../../../src/directory/contract.js';
import { humanType } from '../feed-sentences.js';
import { ACTIVITY_LABELS, SUBJECT_LABELS } from '../labels.js';
import { errorText } from '../errors.js';

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
  const name = useNames();
  const dir = useDirectory();
  // What an entry is about: its name when the directory knows it, else the kind of thing (the id stays in the tooltip).
  const about = (subject: string): string =>
    nameOf(dir, subject, { system: 'Vigil', someone: '', apiKey: t('an API key'), public: t('a member of the public') }) ||
    t(SUBJECT_LABELS[subject.split(':')[0] ?? ''] ?? 'Something else');

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
        setError(errorText(t, e));
      }
    },
    [typePrefix, actor, t],
  );

  useEffect(() => void load(null), [load]);

  const verify = async (): Promise<void> => {
    setVerifying(true);
    try {
      setVerification(await api<Verification>('/api/audit/verify', { method: 'POST' }));
    } catch (e) {
      setError(errorText(t, e));
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
            ? `${t('Hash chain intact')}: ${verification.checked} ${t('events verified in')} ${verification.ms} ms.`
            : `${t('Hash chain BROKEN at event')} ${verification.firstBrokenSeq}: ${verification.problem}`}
        </p>
      )}
      <div className="row filters">
        <select value={typePrefix} onChange={(e) => setTypePrefix(e.target.value)} aria-label={t('Area of activity')}>
          <option value="">{t('Everything')}</option>
          {Object.entries(ACTIVITY_LABELS).map(([p, label]) => (
            <option key={p} value={p}>
              {t(label)}
            </option>
          ))}
        </select>
        <select value={actor} onChange={(e) => setActor(e.target.value)} aria-label={t('Who')}>
          <option value="">{t('Everyone')}</option>
          {dir.people.map((u) => (
            <option key={u.id} value={`user:${u.id}`}>
              {u.name}
            </option>
          ))}
        </select>
      </div>
      {error && <p className="error">{error}</p>}
      <table className="table" data-testid="audit-table">
        <thead>
          <tr>
            <th>#</th>
            <th>{t('When')}</th>
            <th>{t('Who')}</th>
            <th>{t('What')}</th>
            <th>{t('About')}</th>
            <th>{t('Why')}</th>
            <th>{t('Hash')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && !error && (
            <tr>
              <td colSpan={7} className="muted">
                {t('Nothing recorded matches these filters.')}
              </td>
            </tr>
          )}
          {entries.map((e) => (
            <tr key={e.seq}>
              <td>{e.seq}</td>
              <td className="nowrap">
                <time dateTime={e.at}>{time(e.at)}</time>
              </td>
              <td className="small" title={e.actor}>
                {name(e.actor)}
              </td>
              <td title={e.type} data-type={e.type}>
                {t(humanType(e.type))}
              </td>
              <td className="small" title={e.subject}>
                {about(e.subject)}
              </td>
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
