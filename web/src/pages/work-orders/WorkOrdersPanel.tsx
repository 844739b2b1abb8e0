import { useState } from 'react';
import { api } from '../../api.js';
import { useT } from '../../i18n.js';
import type { WorkOrderView } from '../../../../src/citizen-reports/contract.js';
import { PRIORITY_TEXT, WORK_ORDER_STATE_TEXT, dueDay } from './words.js';
import { errorText } from '../../errors.js';

/**
 * The open work orders of the organisation (issued by it or assigned to it), overdue first: start one,
 * complete it with the public note that resolves its report, or cancel it with a reason.
 */
export function WorkOrdersPanel({
  workOrders,
  lang,
  onOpenReport,
  onChanged,
}: {
  workOrders: WorkOrderView[];
  lang: string;
  onOpenReport: (reportId: string) => void;
  onChanged: (error: string | null) => Promise<void>;
}) {
  const t = useT();
  const [editing, setEditing] = useState<{ id: string; mode: 'complete' | 'cancel' } | null>(null);
  const [text, setText] = useState('');
  const act = async (id: string, step: 'start' | 'complete' | 'cancel', body: unknown): Promise<void> => {
    try {
      await api(`/api/citizen-reports/work-orders/${id}/${step}`, { method: 'POST', body });
      setEditing(null);
      setText('');
      await onChanged(null);
    } catch (e) {
      await onChanged(errorText(t, e));
    }
  };
  return (
    <section className="work-orders" data-testid="work-orders">
      <h2>{t('Open work orders')}</h2>
      {workOrders.length === 0 ? (
        <p className="muted">{t('No work order is open. A work order made from a report appears here until it is done or cancelled.')}</p>
      ) : (
        <table className="reports-table">
          <thead>
            <tr>
              <th>{t('Due date')}</th>
              <th>{t('Priority')}</th>
              <th>{t('Report')}</th>
              <th>{t('Assigned to')}</th>
              <th>{t('Status')}</th>
              <th>{t('Actions')}</th>
            </tr>
          </thead>
          <tbody>
            {workOrders.map((w) => (
              <tr key={w.workOrderId} data-testid="work-order-row" className={w.overdue ? 'overdue' : ''}>
                <td>
                  {dueDay(w.dueDate, lang)} {w.overdue && <span className="badge warn">{t('Overdue')}</span>}
                </td>
                <td>{t(PRIORITY_TEXT[w.priority])}</td>
                <td>
                  <button className="link" onClick={() => onOpenReport(w.reportId)}>
                    {[w.serviceName, w.address].filter(Boolean).join(' · ')}
                  </button>
                  <div className="small muted">{w.instructions}</div>
                </td>
                <td>{[w.assigneeName, w.team].filter(Boolean).join(' · ')}</td>
                <td data-testid="work-order-state">{t(WORK_ORDER_STATE_TEXT[w.state])}</td>
                <td>
                  {w.mayAct && editing?.id !== w.workOrderId && (
                    <div className="row">
                      {w.state === 'assigned' && (
                        <button onClick={() => void act(w.workOrderId, 'start', {})} data-testid="start-work-order">
                          {t('Start')}
                        </button>
                      )}
                      <button onClick={() => setEditing({ id: w.workOrderId, mode: 'complete' })} data-testid="complete-work-order">
                        {t('Done')}
                      </button>
                      <button onClick={() => setEditing({ id: w.workOrderId, mode: 'cancel' })} data-testid="cancel-work-order">
                        {t('Cancel')}
                      </button>
                    </div>
                  )}
                  {editing?.id === w.workOrderId && (
                    <div className="triage-actions">
                      <label>
                        {editing.mode === 'complete' ? t('Public note (the reporter and the public read it)') : t('Reason for cancelling')}
                        <textarea name="work-order-text" rows={2} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} />
                      </label>
                      <div className="row">
                        <button
                          className="primary"
                          disabled={!text.trim()}
                          data-testid="confirm-work-order"
                          onClick={() => void act(w.workOrderId, editing.mode, editing.mode === 'complete' ? { note: text } : { reason: text })}
                        >
                          {editing.mode === 'complete' ? t('Done: resolve the report') : t('Cancel the work order')}
                        </button>
                        <button onClick={() => setEditing(null)}>{t('Back')}</button>
                      </div>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
