import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api } from '../api.js';
import { useT, useTime } from '../i18n.js';
import { errorText } from '../errors.js';

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

/** One column of an inbox: its heading, the cell of a message, and an optional tooltip (the full text behind a short cell). */
interface Column<M> {
  header: string;
  cell: (m: M) => ReactNode;
  title?: (m: M) => string;
}

/** One inbox (mail, SMS or cell broadcast) as a table, or what to do to fill it when it is empty. */
function InboxTable<M>({
  testId,
  messages,
  columns,
  rowKey,
  empty,
}: {
  testId: string;
  messages: M[];
  columns: Column<M>[];
  rowKey: (m: M, i: number) => string;
  empty: string;
}) {
  const t = useT();
  if (messages.length === 0) return <p className="muted small">{t(empty)}</p>;
  return (
    <div className="inbox-table">
      <table className="table small" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col">
                {t(c.header)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {messages.map((m, i) => (
            <tr key={rowKey(m, i)}>
              {columns.map((c) => (
                <td key={c.header} title={c.title?.(m)}>
                  {c.cell(m)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
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
    api<Inbox>('/api/demo/inbox?limit=50').then(setInbox, (e: unknown) => setError(errorText(t, e)));
  }, [t]);
  useEffect(load, [load]);
  if (error) return <p className="error">{error}</p>;
  if (!inbox?.running) return null;
  const at = { header: 'Time', cell: (m: { at: string }) => time(m.at) };
  const tabs = [
    { id: 'mail' as const, label: t('E-mail'), count: inbox.mail.length },
    { id: 'sms' as const, label: 'SMS', count: inbox.sms.length },
    { id: 'cbs' as const, label: t('Cell broadcast'), count: inbox.broadcasts.length },
  ];
  return (
    <section data-testid="demo-inbox">
      <h3>{t('Demo inboxes')}</h3>
      <p className="muted small">
        {t(
          'This demo node runs its own mail catcher, SMS centre and cell broadcast centre on this machine: alerts sent by e-mail, SMS and cell broadcast land here, nothing leaves the machine.',
        )}
      </p>
      <div className="row" role="tablist" aria-label={t('Demo inboxes')}>
        {tabs.map((x) => (
          <button key={x.id} type="button" role="tab" aria-selected={tab === x.id} className={tab === x.id ? 'active' : ''} onClick={() => setTab(x.id)}>
            {x.label} ({x.count})
          </button>
        ))}
      </div>
      <button type="button" onClick={load}>
        {t('Refresh')}
      </button>
      {tab === 'mail' && (
        <InboxTable
          testId="demo-mail"
          messages={inbox.mail}
          rowKey={(_m, i) => String(i)}
          empty="No e-mail yet: issue an alert with the e-mail channel over an area with subscribers."
          columns={[at, { header: 'To', cell: (m) => m.to.join(', ') }, { header: 'Subject', cell: (m) => m.subject, title: (m) => m.text }]}
        />
      )}
      {tab === 'sms' && (
        <InboxTable
          testId="demo-sms"
          messages={inbox.sms}
          rowKey={(m) => m.messageId}
          empty="No SMS yet: issue an alert with the SMS channel over an area with subscribers."
          columns={[at, { header: 'To', cell: (m) => m.to }, { header: 'Text', cell: (m) => `${m.part ? `(${m.part}) ` : ''}${m.text}` }]}
        />
      )}
      {tab === 'cbs' && (
        <InboxTable
          testId="demo-cbs"
          messages={inbox.broadcasts}
          rowKey={(b) => b.requestId}
          empty="No cell broadcast yet: issue an alert with the cell broadcast channel over an area with cell sites."
          columns={[
            at,
            { header: 'Language', cell: (b) => b.language ?? '–' },
            { header: 'Message', cell: (b) => (b.operation === 'stop' ? <em>{t('Broadcast stopped')}</em> : b.pages.join('')) },
            { header: 'Cells', cell: (b) => b.cells.length, title: (b) => b.cells.join(', ') },
          ]}
        />
      )}
    </section>
  );
}
