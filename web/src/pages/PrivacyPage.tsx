import { useCallback, useEffect, useState } from 'react';
import { api, type Me } from '../api.js';
import { useNames } from '../directory.js';
import { useT, useTime } from '../i18n.js';
import { errorText } from '../errors.js';

interface PersonalRead {
  seq: number;
  at: string;
  by: string;
  organisation: string | null;
  reason: string;
  records: { kind: string | null; label: string }[];
}

interface RetentionClass {
  kind: string;
  label: string;
  days: number;
  legalBasis: string;
  readers: string;
}

interface SubjectRecord {
  kind: string;
  label: string;
  at: string;
  organisation: string | null;
  data: unknown;
}

/**
 * Privacy (docs/privacy.md): who read personal data and why, the retention per class,
 * and for an administrator a data subject's export and erasure by phone or e-mail.
 */
export function PrivacyPage({ me }: { me: Me }) {
  const t = useT();
  const name = useNames();
  const time = useTime();
  const isAdmin = me.roles.includes('admin');
  const [reads, setReads] = useState<PersonalRead[]>([]);
  const [classes, setClasses] = useState<RetentionClass[]>([]);
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [reason, setReason] = useState('');
  const [records, setRecords] = useState<SubjectRecord[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** A search for the person runs on the server (sealed records opened in its worker pool): said while it does. */
  const [searching, setSearching] = useState(false);

  const load = useCallback(async () => {
    try {
      const [r, c] = await Promise.all([api<{ reads: PersonalRead[] }>('/api/privacy/reads'), api<{ classes: RetentionClass[] }>('/api/privacy/retention')]);
      setReads(r.reads);
      setClasses(c.classes);
      setError(null);
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [t]);
  useEffect(() => void load(), [load]);

  const subject = { phone: phone || null, email: email || null };
  const exportSubject = async (): Promise<void> => {
    setSearching(true);
    try {
      const r = await api<{ records: SubjectRecord[] }>('/api/privacy/subjects/export', { body: { ...subject, ...(reason ? { reason } : {}) } });
      setRecords(r.records);
      setMessage(null);
      await load();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setSearching(false);
    }
  };
  const eraseSubject = async (): Promise<void> => {
    if (!window.confirm(t('Erase every record about this person? This cannot be undone.'))) return;
    setSearching(true);
    try {
      const r = await api<{ erased: { label: string }[] }>('/api/privacy/subjects/erase', { body: subject });
      setMessage(`${t('Erased')}: ${r.erased.map((e) => e.label).join(', ') || t('nothing found')}`);
      setRecords(null);
      await load();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setSearching(false);
    }
  };
  const download = (): void => {
    const blob = new Blob([JSON.stringify(records, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'data-subject-export.json';
    a.click();
  };

  return (
    <div className="panel">
      <h2>{t('Privacy')}</h2>
      {error && <p className="error">{error}</p>}
      <h3>{t('Retention')}</h3>
      <table className="table" data-testid="retention-table">
        <thead>
          <tr>
            <th>{t('Personal data')}</th>
            <th>{t('Kept')}</th>
            <th>{t('Legal basis')}</th>
            <th>{t('Who may read it')}</th>
          </tr>
        </thead>
        <tbody>
          {classes.map((c) => (
            <tr key={c.kind}>
              <td>{c.label}</td>
              <td className="nowrap">{c.days > 0 ? `${c.days} ${t('days')}` : t('until erased')}</td>
              <td className="small">{c.legalBasis}</td>
              <td className="small">{c.readers}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {isAdmin && (
        <>
          <h3>{t('A person’s data')}</h3>
          <div className="row filters">
            <input aria-label={t('Phone')} placeholder={t('Phone number')} value={phone} onChange={(e) => setPhone(e.target.value)} />
            <input aria-label={t('E-mail')} placeholder={t('E-mail address')} value={email} onChange={(e) => setEmail(e.target.value)} />
            <input aria-label={t('Reason')} placeholder={t('Why (e.g. request of …)')} value={reason} onChange={(e) => setReason(e.target.value)} />
            <button onClick={() => void exportSubject()} disabled={searching || (!phone && !email)} data-testid="subject-export">
              {t('Export')}
            </button>
            <button className="danger" onClick={() => void eraseSubject()} disabled={searching || (!phone && !email)} data-testid="subject-erase">
              {t('Erase')}
            </button>
          </div>
          {searching && (
            <p role="status" className="muted" data-testid="subject-searching">
              {t('Searching the records about this person…')}
            </p>
          )}
          {message && <p className="ok-box">{message}</p>}
          {records && (
            <div data-testid="subject-records">
              <p>
                {records.length} {t('records')} {records.length > 0 && <button onClick={download}>{t('Download JSON')}</button>}
              </p>
              <ul>
                {records.map((r, k) => (
                  <li key={k}>
                    <strong>{r.label}</strong> — {r.organisation ?? ''} · {time(r.at)}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}

      <h3>{t('Who read personal data')}</h3>
      <table className="table" data-testid="reads-table">
        <thead>
          <tr>
            <th>{t('When')}</th>
            <th>{t('Who')}</th>
            <th>{t('Which records')}</th>
            <th>{t('Why')}</th>
            <th>{t('Held by')}</th>
          </tr>
        </thead>
        <tbody>
          {reads.length === 0 && (
            <tr>
              <td colSpan={5} className="small muted">
                {t('No one has read personal data yet: each export or look-up of a person’s data is listed here with who made it and why.')}
              </td>
            </tr>
          )}
          {reads.map((r) => (
            <tr key={r.seq}>
              <td className="nowrap">
                <time dateTime={r.at}>{time(r.at)}</time>
              </td>
              <td title={r.by}>{name(r.by)}</td>
              <td className="small">{r.records.map((x) => x.label).join(', ')}</td>
              <td className="small">{r.reason}</td>
              <td className="small">{r.organisation ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
