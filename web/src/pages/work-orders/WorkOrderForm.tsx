import { useState } from 'react';
import { api } from '../../api.js';
import { useT } from '../../i18n.js';
import { WORK_ORDER_PRIORITIES, type StaffReportView, type WorkOrderPriority } from '../../../../src/citizen-reports/contract.js';
import { PRIORITY_TEXT, type Assignee } from './words.js';
import { errorText } from '../../errors.js';

/** A day `days` after today in the browser's calendar, as YYYY-MM-DD (the due date's default). */
const dayFromNow = (days: number): string => {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** "Make a work order" from a report: the organisation (the responsible one by default, by name), a team, priority, due day and instructions. */
export function WorkOrderForm({ report, assignees, onDone }: { report: StaffReportView; assignees: Assignee[]; onDone: (error: string | null) => void }) {
  const t = useT();
  const [assigneeOrgId, setAssignee] = useState(report.orgId);
  const [team, setTeam] = useState('');
  const [priority, setPriority] = useState<WorkOrderPriority>('normal');
  const [dueDate, setDueDate] = useState(dayFromNow(7));
  const [instructions, setInstructions] = useState('');
  const submit = async (): Promise<void> => {
    try {
      await api(`/api/citizen-reports/${report.reportId}/work-order`, {
        method: 'POST',
        body: { assigneeOrgId, team: team.trim() || null, priority, dueDate, instructions },
      });
      setInstructions('');
      onDone(null);
    } catch (e) {
      onDone(errorText(t, e));
    }
  };
  return (
    <fieldset className="work-order-form" data-testid="work-order-form">
      <legend>{t('Make a work order')}</legend>
      <div className="row">
        <label>
          {t('Assigned to')}
          <select name="assignee" value={assigneeOrgId} onChange={(e) => setAssignee(e.target.value)}>
            {assignees.map((a) => (
              <option key={a.orgId} value={a.orgId}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('Team')}
          <input name="team" maxLength={200} value={team} onChange={(e) => setTeam(e.target.value)} />
        </label>
      </div>
      <div className="row">
        <label>
          {t('Priority')}
          <select name="priority" value={priority} onChange={(e) => setPriority(e.target.value as WorkOrderPriority)}>
            {WORK_ORDER_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(PRIORITY_TEXT[p])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('Due date')}
          <input type="date" name="due-date" value={dueDate} onChange={(e) => setDueDate(e.target.value)} />
        </label>
      </div>
      <label>
        {t('Instructions')}
        <textarea name="instructions" rows={3} maxLength={2000} value={instructions} onChange={(e) => setInstructions(e.target.value)} />
      </label>
      <button disabled={!instructions.trim() || !dueDate} onClick={() => void submit()} data-testid="make-work-order">
        {t('Make a work order')}
      </button>
    </fieldset>
  );
}
