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
