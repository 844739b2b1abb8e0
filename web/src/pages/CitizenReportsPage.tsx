import { useCallback, useContext, useEffect, useState } from 'react';
import { api, type Me, type StoredEvent } from '../api.js';
import { LanguageContext, formatNumber, useT, useTime, withColon } from '../i18n.js';
import type { StaffReportView, WorkOrderView } from '../../../src/citizen-reports/contract.js';
import { INCIDENT_TYPE_OF_SERVICE } from '../../../src/citizen-reports/contract.js';
import { INCIDENT_TYPES } from '../../../src/incidents/contract.js';
import { NoticeStates } from './NoticeStates.js';
import { WorkOrderForm } from './work-orders/WorkOrderForm.js';
import { WorkOrdersPanel } from './work-orders/WorkOrdersPanel.js';
import { PRIORITY_TEXT, WORK_ORDER_STATE_TEXT, dueDay, type Assignee } from './work-orders/words.js';
import { errorText } from '../errors.js';

interface Figures {
  received: number;
  open: number;
  medianHoursToAcknowledge: number | null;
  medianHoursToResolve: number | null;
}

const STATUS_TEXT: Record<StaffReportView['status'], string> = {
  received: 'Received',
  acknowledged: 'Acknowledged',
  'in-progress': 'Being handled',
  'work-order': 'A work order has been issued',
  merged: 'Merged with another report',
  resolved: 'Resolved',
};

/** Triage of citizen reports by the responsible organisation: acknowledge, merge, turn into an incident, resolve with a public note. */
export function CitizenReportsPage({ recent }: { me: Me; recent: StoredEvent[] }) {
  const t = useT();
  const time = useTime();
  const [openOnly, setOpenOnly] = useState(true);
  const [reports, setReports] = useState<StaffReportView[]>([]);
  const [figures, setFigures] = useState<Figures | null>(null);
  const [selected, setSelected] = useState<StaffReportView | null>(null);
  const [note, setNote] = useState('');
  const [into, setInto] = useState('');
  const [type, setType] = useState('other');
  const [error, setError] = useState<string | null>(null);
  const [workOrders, setWorkOrders] = useState<WorkOrderView[]>([]);
  const [assignees, setAssignees] = useState<Assignee[]>([]);
  const { lang } = useContext(LanguageContext);

  const load = useCallback(async () => {
    try {
      const [r, w] = await Promise.all([
        api<{ reports: StaffReportView[]; figures: Figures }>(`/api/citizen-reports${openOnly ? '?open=true' : ''}`),
        api<{ workOrders: WorkOrderView[]; assignees: Assignee[] }>('/api/citizen-reports/work-orders'),
      ]);
      setReports(r.reports);
      setFigures(r.figures);
      setWorkOrders(w.workOrders);
      setAssignees(w.assignees);
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [openOnly, t]);
  useEffect(() => void load(), [load]);
  const lastCitizenSeq = recent.find((e) => e.type.startsWith('citizen-reports.'))?.seq;
  const selectedId = selected?.reportId;
  useEffect(() => {
    if (lastCitizenSeq === undefined) return;
    void load();
    // The open report too (a notice to its reporter went out), keeping what is being typed.
    if (selectedId)
      api<{ report: StaffReportView }>(`/api/citizen-reports/${selectedId}`).then(
        (r) => setSelected((s) => (s?.reportId === selectedId ? r.report : s)),
        () => undefined,
      );
  }, [lastCitizenSeq, load, selectedId]);

  const open = async (id: string): Promise<void> => {
    setError(null);
    try {
      const r = (await api<{ report: StaffReportView }>(`/api/citizen-reports/${id}`)).report;
      setSelected(r);
      setType(INCIDENT_TYPE_OF_SERVICE[r.serviceCode] ?? 'other');
      setNote(r.publicNote ?? '');
      setInto('');
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  const act = async (path: string, body: unknown): Promise<void> => {
    if (!selected) return;
    setError(null);
    try {
      await api(`/api/citizen-reports/${selected.reportId}/${path}`, { method: 'POST', body });
      await open(selected.reportId);
      await load();
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  const isOpen = selected && ['received', 'acknowledged', 'in-progress'].includes(selected.status);
  const afterWorkOrder = async (e: string | null): Promise<void> => {
    setError(e);
    if (selected) await open(selected.reportId);
    await load();
  };
  const order = selected?.workOrder;
  return (
    <div className="panel citizen-reports-page" data-testid="citizen-reports-page">
      <h1>{t('Citizen reports')}</h1>
      {figures && (
        <p className="figures" data-testid="report-figures">
          {withColon(t, t('figure:Received'))}
          <strong>{formatNumber(figures.received)}</strong> · {withColon(t, t('figure:Open'))}
          <strong>{formatNumber(figures.open)}</strong> · {withColon(t, t('Median time to acknowledge'))}
          <strong>{figures.medianHoursToAcknowledge === null ? '—' : `${formatNumber(figures.medianHoursToAcknowledge)} h`}</strong> ·{' '}
          {withColon(t, t('Median time to resolve'))}
          <strong>{figures.medianHoursToResolve === null ? '—' : `${formatNumber(figures.medianHoursToResolve)} h`}</strong>
        </p>
      )}
      <label className="check">
        <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} /> {t('Open reports only')}
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="reports-layout">
        <table className="reports-table">
          <thead>
            <tr>
              <th>{t('Received')}</th>
              <th>{t('Service')}</th>
              <th>{t('Status')}</th>
              <th>{t('Place')}</th>
            </tr>
          </thead>
          <tbody>
            {reports.map((r) => (
              <tr key={r.reportId} className={selected?.reportId === r.reportId ? 'selected' : ''} data-testid="report-row">
                <td>{time(r.requestedAt)}</td>
                <td>
                  <button className="link" onClick={() => void open(r.reportId)}>
                    {r.serviceName}
                  </button>
                  {r.nearbyOf && <span className="badge">{t('similar nearby')}</span>}
                </td>
                <td>{t(STATUS_TEXT[r.status])}</td>
                <td>{r.address ?? `${r.position[1].toFixed(5)}, ${r.position[0].toFixed(5)}`}</td>
              </tr>
            ))}
            {reports.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">
                  {openOnly
                    ? t(
                        'No report is open for your organisation. Reports that citizens send through the citizen app, and that the triage gives to your organisation, appear here.',
                      )
                    : t(
                        'No report for your organisation yet. Reports that citizens send through the citizen app, and that the triage gives to your organisation, appear here.',
                      )}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {selected && (
          <section className="report-detail" data-testid="report-detail">
            <h2>
              {selected.serviceName} · {t(STATUS_TEXT[selected.status])}
            </h2>
            <p className="muted small">
              {selected.agencyResponsible} · {t('via')} {selected.via}
              {selected.incident ? ` · ${selected.incident.reference}` : ''}
            </p>
            {selected.description && <p>{selected.description}</p>}
            {Object.keys(selected.attributes).length > 0 && (
              <ul>
                {Object.entries(selected.attributes).map(([k, v]) => (
                  <li key={k}>
                    {k}: {Array.isArray(v) ? v.join(', ') : v}
                  </li>
                ))}
              </ul>
            )}
            {selected.photo && <img className="report-photo" src={`/open311/v2/media/${selected.reportId}`} alt={t('Photo sent with the report')} />}
            {selected.nearbyOf && (
              <p className="small">
                {t('A similar report nearby')}:{' '}
                {(() => {
                  // In words (its service, street, when), as in the merge list; the id only when it is not in the list.
                  const near = reports.find((r) => r.reportId === selected.nearbyOf);
                  return near ? [near.serviceName, near.address, time(near.requestedAt)].filter(Boolean).join(' · ') : selected.nearbyOf;
                })()}
              </p>
            )}
            {selected.reporter && (
              <p className="small" data-testid="reporter">
                {t('Reporter')}: {[selected.reporter.firstName, selected.reporter.lastName].filter(Boolean).join(' ')} {selected.reporter.email ?? ''}{' '}
                {selected.reporter.phone ?? ''}
              </p>
            )}
            {selected.publicNote && (
              <p>
                {t('Public note')}: {selected.publicNote}
              </p>
            )}
            {order && (
              <p className="small" data-testid="report-work-order">
                {t('Work order')}: {t(WORK_ORDER_STATE_TEXT[order.state])} ·{' '}
                {[assignees.find((a) => a.orgId === order.assigneeOrgId)?.name, order.team].filter(Boolean).join(' · ')} · {t(PRIORITY_TEXT[order.priority])} ·{' '}
                {t('Due date')} {dueDay(order.dueDate, lang)}
                {order.cancelled ? ` · ${t('Reason for cancelling')}: ${order.cancelled.reason}` : ''}
              </p>
            )}
            <NoticeStates notices={selected.notices} testId="report-notices" />
            {isOpen && selected.mayAct && (
              <div className="triage-actions">
                {selected.status === 'received' && (
                  <button onClick={() => void act('acknowledge', {})} data-testid="acknowledge">
                    {t('Acknowledge')}
                  </button>
                )}
                {!selected.incident && <WorkOrderForm key={selected.reportId} report={selected} assignees={assignees} onDone={afterWorkOrder} />}
                {!selected.incident && (
                  <div className="row">
                    <label>
                      {t('Incident type')}
                      <select value={type} onChange={(e) => setType(e.target.value)}>
                        {Object.entries(INCIDENT_TYPES).map(([k, v]) => (
                          <option key={k} value={k}>
                            {t(v.label)}
                          </option>
                        ))}
                      </select>
                    </label>
                    <button onClick={() => void act('incident', { type })} data-testid="make-incident">
                      {t('Make an incident')}
                    </button>
                  </div>
                )}
                {!selected.incident && (
                  <div className="row">
                    <label>
                      {t('Merge into')}
                      <select value={into} onChange={(e) => setInto(e.target.value)}>
                        <option value="">—</option>
                        {reports
                          .filter((r) => r.reportId !== selected.reportId && !r.mergedInto)
                          .map((r) => (
                            <option key={r.reportId} value={r.reportId}>
                              {[r.serviceName, r.address, time(r.requestedAt)].filter(Boolean).join(' · ')}
                            </option>
                          ))}
                      </select>
                    </label>
                    <button disabled={!into} onClick={() => void act('merge', { into })}>
                      {t('Merge')}
                    </button>
                  </div>
                )}
                <label>
                  {t('Public note (the reporter and the public read it)')}
                  <textarea name="public-note" rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
                </label>
                <button className="primary" disabled={!note.trim()} onClick={() => void act('resolve', { note })} data-testid="resolve">
                  {t('Resolve')}
                </button>
              </div>
            )}
          </section>
        )}
      </div>
      <WorkOrdersPanel workOrders={workOrders} lang={lang} onOpenReport={(id) => void open(id)} onChanged={afterWorkOrder} />
    </div>
  );
}
