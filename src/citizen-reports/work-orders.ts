import { badRequest, conflict, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { zonedParts } from '../kernel/time.js';
import type { Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import { assertCan, can, filterVisible, type PolicyResource } from '../platform/policy.js';
import { reportEvent } from './events.js';
import {
  SERVICE_BY_CODE,
  WORK_ORDER_PRIORITIES,
  type ReportState,
  type StaffReportView,
  type WorkOrder,
  type WorkOrderPriority,
  type WorkOrderView,
} from './model.js';
import type { CitizenReportsService } from './reports-service.js';
import type { ReportsState } from './reports-state.js';
import { triageRefusal } from './rules.js';

export interface WorkOrderInput {
  /** The organisation that does the work; the report's responsible organisation when absent. */
  assigneeOrgId?: string;
  team?: string | null;
  priority?: WorkOrderPriority;
  /** YYYY-MM-DD, today or later in the city's time. */
  dueDate: string;
  instructions: string;
}

const PRIORITY_RANK: Record<WorkOrderPriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** The last second of a calendar day in an IANA zone, as an ISO UTC instant (Open311 expected_datetime). */
export function endOfDayIn(date: string, timeZone: string): string {
  const naive = Date.parse(`${date}T23:59:59Z`);
  const p = zonedParts(naive, timeZone);
  const localAsUtc = Date.parse(`${p.date}T00:00:00Z`) + p.minutesOfDay * 60_000 + 59_000;
  return new Date(naive - (localAsUtc - naive)).toISOString();
}

const isOpen = (w: WorkOrder | null | undefined): boolean => !!w && (w.state === 'assigned' || w.state === 'in-progress');

/**
 * What the policy is asked about a work order: owned by the issuing organisation (the report's), so its
 * shares apply as for the report; the assignee organisation takes part in it (reads and acts on it, as
 * participants do). Not the assignee's partners: a share from the assignee does not reach another
 * organisation's work orders.
 */
export const workOrderResource = (w: Pick<WorkOrder, 'orgId' | 'assigneeOrgId'>): PolicyResource => ({
  orgId: w.orgId,
  participantOrgIds: [w.assigneeOrgId],
});

/**
 * Work orders issued from citizen reports: assigned to an organisation (and a team in words), with a
 * priority, a due day and instructions; assigned → in progress → done (the report resolved with the
 * public note, the reporter told as for any resolution) or cancelled with a reason (the report is
 * back to acknowledged). Who reads and acts on it is the policy's answer for `workOrderResource`.
 */
export class WorkOrders {
  constructor(
    private readonly ctx: AppContext,
    private readonly state: ReportsState,
    private readonly reports: CitizenReportsService,
  ) {}

  /** Organisations a work order can be assigned to, by name (the UI shows names). */
  assignees(): { orgId: string; name: string }[] {
    return this.reports.organisations().map((o) => ({ orgId: o.id, name: o.name }));
  }

  async issue(reportId: string, input: WorkOrderInput, by: Principal): Promise<StaffReportView> {
    const r = this.state.reports.get(reportId);
    if (!r) throw notFound('report', reportId);
    assertCan(by, 'act', { orgId: r.orgId }, 'report', reportId);
    const why = triageRefusal('work-order', r);
    if (why) throw conflict(`report ${reportId}: ${why}`, { status: r.status });
    const assigneeOrgId = input.assigneeOrgId ?? r.orgId;
    if (!this.reports.organisations().some((o) => o.id === assigneeOrgId)) throw badRequest(`no organisation ${assigneeOrgId}`);
    const instructions = input.instructions.trim();
    if (!instructions) throw badRequest('a work order needs instructions');
    const today = zonedParts(this.ctx.clock.now(), this.ctx.config.timeZone).date;
    if (input.dueDate < today) throw badRequest(`the due date ${input.dueDate} is in the past`);
    const priority = input.priority ?? 'normal';
    if (!WORK_ORDER_PRIORITIES.includes(priority)) throw badRequest(`unknown priority ${priority}`);
    await this.ctx.record([
      reportEvent('citizen-reports.work-order.issued', reportId, r.orgId, by.actor, {
        reportId,
        workOrderId: newId('wo'),
        assigneeOrgId,
        team: input.team?.trim() || null,
        priority,
        dueDate: input.dueDate,
        dueAt: endOfDayIn(input.dueDate, this.ctx.config.timeZone),
        instructions,
      }),
    ]);
    return this.reports.staffView(r, by, null);
  }

  async start(workOrderId: string, by: Principal): Promise<WorkOrderView> {
    const { r, w } = this.toAct(workOrderId, by);
    if (w.state !== 'assigned') throw conflict(`work order ${workOrderId} is ${w.state}`, { state: w.state });
    await this.ctx.record([reportEvent('citizen-reports.work-order.started', r.reportId, r.orgId, by.actor, { reportId: r.reportId, workOrderId })]);
    return this.view(r, r.workOrder!, by);
  }

  /** Done: the report is resolved with the public note through the same path as any resolution (the reporter is told). */
  async complete(workOrderId: string, note: string, by: Principal): Promise<WorkOrderView> {
    const { r } = this.toAct(workOrderId, by);
    await this.reports.resolveWith(r, note, by, [
      reportEvent('citizen-reports.work-order.completed', r.reportId, r.orgId, by.actor, { reportId: r.reportId, workOrderId }),
    ]);
    return this.view(r, r.workOrder!, by);
  }

  async cancel(workOrderId: string, reason: string, by: Principal): Promise<WorkOrderView> {
    const { r } = this.toAct(workOrderId, by);
    const why = reason.trim();
    if (!why) throw badRequest('a cancellation needs a reason');
    await this.ctx.record([
      reportEvent('citizen-reports.work-order.cancelled', r.reportId, r.orgId, by.actor, { reportId: r.reportId, workOrderId, reason: why }),
    ]);
    return this.view(r, r.workOrder!, by);
  }

  /** Open work orders the principal may read (its organisation's and those shared with it, or assigned to its organisation): overdue first, then by due time and priority. */
  listOpen(by: Principal): WorkOrderView[] {
    const now = this.ctx.clock.now();
    const open = [...this.state.openWorkOrders.values()].map((id) => this.state.reports.get(id)!).filter((r) => isOpen(r.workOrder));
    return filterVisible(by, open, (r) => workOrderResource(r.workOrder!))
      .map((r) => this.view(r, r.workOrder!, by, now))
      .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.dueAt.localeCompare(b.dueAt) || PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority]);
  }

  private toAct(workOrderId: string, by: Principal): { r: ReportState; w: WorkOrder } {
    const reportId = this.state.openWorkOrders.get(workOrderId);
    const r = reportId ? this.state.reports.get(reportId) : undefined;
    const w = r?.workOrder;
    if (!r || !w || w.workOrderId !== workOrderId) throw notFound('work order', workOrderId);
    assertCan(by, 'act', workOrderResource(w), 'work order', workOrderId);
    if (!isOpen(w)) throw conflict(`work order ${workOrderId} is ${w.state}`, { state: w.state });
    return { r, w };
  }

  view(r: ReportState, w: WorkOrder, by: Principal, now = this.ctx.clock.now()): WorkOrderView {
    return {
      ...w,
      serviceName: SERVICE_BY_CODE.get(r.serviceCode)?.name.en ?? r.serviceCode,
      address: r.address,
      orgName: this.reports.orgName(w.orgId),
      assigneeName: this.reports.orgName(w.assigneeOrgId),
      overdue: isOpen(w) && Date.parse(w.dueAt) < now,
      mayAct: can(by, 'act', workOrderResource(w)),
    };
  }
}
