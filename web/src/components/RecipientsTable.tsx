import { useEffect, useState } from 'react';
import { RECIPIENT_STATES, type RecipientRow } from '../../../src/alerts/contract.js';
import { api } from '../api.js';
import { useT, useTime } from '../i18n.js';

const PAGE = 20;
interface Page {
  total: number;
  offset: number;
  recipients: RecipientRow[];
}

/**
 * An alert's recipients on one channel, paged, filtered by state (who failed and why)
 * and by answer (who has not answered); refreshed with the live feed (`refresh`).
 */
export function RecipientsTable({ alertId, channels, refresh }: { alertId: string; channels: string[]; refresh: unknown }) {
  const t = useT();
  const time = useTime();
  const [channel, setChannel] = useState(channels[0] ?? '');
  const [state, setState] = useState('');
  const [answer, setAnswer] = useState('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page | null>(null);
  useEffect(() => {
    if (!channels.includes(channel) && channels[0]) setChannel(channels[0]);
  }, [channels, channel]);
  useEffect(() => setOffset(0), [alertId, channel, state, answer]);
  useEffect(() => {
    if (!channel) return;
    const q = new URLSearchParams({ channel, offset: String(offset), limit: String(PAGE), ...(state ? { state } : {}), ...(answer ? { answer } : {}) });
    api<Page>(`/api/alerts/${alertId}/recipients?${q}`).then(setPage, () => setPage(null));
  }, [alertId, channel, state, answer, offset, refresh]);
  if (channels.length === 0) return null;
  const answerText = (a: string | null): string => (a === 'safe' ? t('safe') : a === 'need-help' ? t('need help') : '–');
  return (
    <div className="recipients" data-testid="recipients">
      <h3>{t('Recipients')}</h3>
      <div className="row">
        <select aria-label={t('Recipients channel')} value={channel} onChange={(e) => setChannel(e.target.value)}>
          {channels.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <select aria-label={t('Recipient state')} value={state} onChange={(e) => setState(e.target.value)}>
          <option value="">{t('All states')}</option>
          {RECIPIENT_STATES.map((s) => (
            <option key={s} value={s}>
              {t(s)}
            </option>
          ))}
        </select>
        <select aria-label={t('Recipient answer')} value={answer} onChange={(e) => setAnswer(e.target.value)}>
          <option value="">{t('Any answer')}</option>
          <option value="none">{t('No answer')}</option>
          <option value="safe">{t('safe')}</option>
          <option value="need-help">{t('need help')}</option>
        </select>
      </div>
      {page && page.total === 0 && <p className="muted small">{t('No recipients')}</p>}
      {page && page.total > 0 && (
        <>
          <table className="table small">
            <thead>
              <tr>
                <th>{t('Recipient')}</th>
                <th>{t('Address')}</th>
                <th>{t('Neighbourhood')}</th>
                <th>{t('State')}</th>
                <th>{t('Reason')}</th>
                <th>{t('Answer')}</th>
              </tr>
            </thead>
            <tbody>
              {page.recipients.map((r) => (
                <tr key={r.position} data-state={r.state}>
                  <td title={r.recipientId}>{r.name ?? `…${r.recipientId.slice(-8)}`}</td>
                  <td>{r.address ?? '–'}</td>
                  <td>{r.neighbourhood ?? '–'}</td>
                  <td>
                    <span className={`badge ${r.state === 'failed' ? 'bad' : r.state === 'delivered' ? 'ok' : ''}`}>{t(r.state)}</span>
                  </td>
                  <td>{r.reason ?? ''}</td>
                  <td className={r.answer === 'need-help' ? 'bad' : ''}>
                    {answerText(r.answer)}
                    {r.answeredAt ? ` · ${time(r.answeredAt, 'time')}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row small">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              {t('Previous')}
            </button>
            <span data-testid="recipients-range">
              {offset + 1}–{offset + page.recipients.length} {t('of')} {page.total}
            </span>
            <button type="button" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>
              {t('Next')}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
