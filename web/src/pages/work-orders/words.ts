import type { WorkOrderPriority, WorkOrderState } from '../../../../src/citizen-reports/contract.js';

/** An organisation a work order can be assigned to (shown by its name). */
export interface Assignee {
  orgId: string;
  name: string;
}

export const PRIORITY_TEXT: Record<WorkOrderPriority, string> = { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' };
export const WORK_ORDER_STATE_TEXT: Record<WorkOrderState, string> = {
  assigned: 'Assigned',
  'in-progress': 'In progress',
  done: 'Done',
  cancelled: 'Cancelled',
};

/** A due day (YYYY-MM-DD) in words: "12 December 2026" / "12 décembre 2026". */
export const dueDay = (date: string, lang: string): string =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
