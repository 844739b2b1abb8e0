import { holds, liveView, withData, type LiveProjector, type LiveView } from '../platform/live-view.js';
import { noticeErrorForStaff } from '../platform/notices.js';
import { can } from '../platform/policy.js';
import type { CitizenReportsEvents } from './events.js';
import type { ReportsState } from './reports-state.js';
import { TRIAGE_ROLES } from './routes.js';
import { workOrderResource } from './work-orders.js';

/**
 * `citizen-reports.*` on the live feed: to triage staff who may read the responsible
 * organisation's data, as GET /api/citizen-reports shows them — without the reporter
 * (sealed, read only through GET /api/citizen-reports/:id) and without photo bytes.
 * A work order's steps go to those who may read the work order, as GET
 * /api/citizen-reports/work-orders lists it (the assignee organisation too).
 */
export function citizenReportsLiveView(state: Pick<ReportsState, 'reports'>): LiveView {
  const staff: LiveProjector = (p, e) => (holds(p, TRIAGE_ROLES) && can(p, 'read', { orgId: e.orgId }) ? e : null);
  const workOrder: LiveProjector = (p, e) => {
    if (!holds(p, TRIAGE_ROLES)) return null;
    const d = e.data as { reportId: string; workOrderId: string; assigneeOrgId?: string };
    const w = state.reports.get(d.reportId)?.workOrder;
    // The assignee from the event itself when it says it (issued); otherwise from the report's work order, when it is this one.
    const assigneeOrgId = d.assigneeOrgId ?? (w?.workOrderId === d.workOrderId ? w.assigneeOrgId : null);
    const resource = assigneeOrgId && e.orgId ? workOrderResource({ orgId: e.orgId, assigneeOrgId }) : { orgId: e.orgId };
    return can(p, 'read', resource) ? e : null;
  };
  const submitted: LiveProjector = (p, e) => {
    if (!staff(p, e)) return null;
    const d = e.data as CitizenReportsEvents['citizen-reports.report.submitted'];
    const { followHash: _f, ...report } = d.report;
    return withData(e, { report, reporter: null });
  };
  const photo: LiveProjector = (p, e) => {
    if (!staff(p, e)) return null;
    const { data: _bytes, ...rest } = e.data as CitizenReportsEvents['citizen-reports.photo.attached'];
    return withData(e, rest);
  };
  // A peer's refusal can quote the reporter's address or push endpoint: the feed gets it as the lists give it.
  const noticeFailed: LiveProjector = (p, e) => {
    if (!staff(p, e)) return null;
    const d = e.data as CitizenReportsEvents['citizen-reports.notice.failed'];
    return withData(e, { ...d, error: noticeErrorForStaff(d.error) ?? '' });
  };
  return liveView('citizen-reports.', {
    'citizen-reports.report.submitted': submitted,
    'citizen-reports.photo.attached': photo,
    'citizen-reports.report.acknowledged': staff,
    'citizen-reports.report.merged': staff,
    'citizen-reports.report.escalated': staff,
    'citizen-reports.report.resolved': staff,
    'citizen-reports.work-order.issued': workOrder,
    'citizen-reports.work-order.started': workOrder,
    'citizen-reports.work-order.completed': workOrder,
    'citizen-reports.work-order.cancelled': workOrder,
    'citizen-reports.notice.sent': staff,
    'citizen-reports.notice.failed': noticeFailed,
  } satisfies Record<keyof CitizenReportsEvents, LiveProjector>);
}
