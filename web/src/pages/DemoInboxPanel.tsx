import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.js';
import { useT, useTime } from '../i18n.js';

interface Inbox {
  running: boolean;
  mail: { at: string; from: string; to: string[]; subject: string; text: string }[];
  sms: { at: string; from: string; to: string; text: string; part: string | null; messageId: string }[];
  broadcasts: {
    at: string;
    operation: 'write-replace' | 'stop';
    language: string | null;
    pages: string[];
    cells: string[];
    msgType: string;
    requestId: string;
  }[];
}

/**
 * The demo's own mail catcher, SMSC and Cell Broadcast Centre (src/demo/demo-sinks.ts): what
 * the e-mail, SMS and cell-broadcast channels really delivered, without leaving the machine.
 * Hidden on an installation with its own SMTP server, SMSC and CBC.
 */
export function DemoInboxPanel() {
  const t = useT();
  const time = useTime();
  const [inbox, setInbox] = useState<Inbox | null>(null);
  const [tab, setTab] = useState<'mail' | 'sms' | 'cbs'>('mail');
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<Inbox>('/api/demo/inbox?limit=50').then(setInbox, (e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);
  if (error) return <p className="error">{error}</p>;
  if (!inbox?.running) return null;
  return (
    <section data-testid="demo-inbox">
      <h3>{t('Demo inboxes')}</h3>
      <p className="muted small">
        {t(
          'This demo node runs its own mail catcher, SMS centre and cell broadcast centre on this machine: alerts sent by e-mail, SMS and cell broadcast land here, nothing leaves the machine.',
        )}
      </p>
      <div className="row" role="tablist" aria-label={t('Demo inboxes')}>
        <button type="button" role="tab" aria-selected={tab === 'mail'} className={tab === 'mail' ? 'active' : ''} onClick={() => setTab('mail')}>
          {t('E-mail')} ({inbox.mail.length})
        </button>
        <button type="button" role="tab" aria-selected={tab === 'sms'} className={tab === 'sms' ? 'active' : ''} onClick={() => setTab('sms')}>
          SMS ({inbox.sms.length})
        </button>
        <button type="button" role="tab" aria-selected={tab === 'cbs'} className={tab === 'cbs' ? 'active' : ''} onClick={() => setTab('cbs')}>
          {t('Cell broadcast')} ({inbox.broadcasts.length})
        </button>
      </div>
      <button type="button" onClick={load}>
        {t('Refresh')}
      </button>
      {tab === 'mail' ? (
        inbox.mail.length === 0 ? (
          <p className="muted small">{t('No e-mail yet: issue an alert with the e-mail channel over an area with subscribers.')}</p>
        ) : (
          <table className="table small" data-testid="demo-mail">
            <thead>
              <tr>
                <th scope="col">{t('Time')}</th>
                <th scope="col">{t('To')}</th>
                <th scope="col">{t('Subject')}</th>
              </tr>
            </thead>
            <tbody>
              {inbox.mail.map((m, i) => (
                <tr key={i}>
                  <td>{time(m.at)}</td>
                  <td>{m.to.join(', ')}</td>
                  <td title={m.text}>{m.subject}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : tab === 'cbs' ? (
        inbox.broadcasts.length === 0 ? (
          <p className="muted small">{t('No cell broadcast yet: issue an alert with the cell broadcast channel over an area with cell sites.')}</p>
        ) : (
          <table className="table small" data-testid="demo-cbs">
            <thead>
              <tr>
                <th scope="col">{t('Time')}</th>
                <th scope="col">{t('Language')}</th>
                <th scope="col">{t('Message')}</th>
                <th scope="col">{t('Cells')}</th>
              </tr>
            </thead>
            <tbody>
              {inbox.broadcasts.map((b) => (
                <tr key={b.requestId}>
                  <td>{time(b.at)}</td>
                  <td>{b.language ?? '–'}</td>
                  <td>{b.operation === 'stop' ? <em>{t('Broadcast stopped')}</em> : b.pages.join('')}</td>
                  <td title={b.cells.join(', ')}>{b.cells.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : inbox.sms.length === 0 ? (
        <p className="muted small">{t('No SMS yet: issue an alert with the SMS channel over an area with subscribers.')}</p>
      ) : (
        <table className="table small" data-testid="demo-sms">
          <thead>
            <tr>
              <th scope="col">{t('Time')}</th>
              <th scope="col">{t('To')}</th>
              <th scope="col">{t('Text')}</th>
            </tr>
          </thead>
          <tbody>
            {inbox.sms.map((m) => (
              <tr key={m.messageId}>
                <td>{time(m.at)}</td>
                <td>{m.to}</td>
                <td>
                  {m.part ? `(${m.part}) ` : ''}
                  {m.text}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
