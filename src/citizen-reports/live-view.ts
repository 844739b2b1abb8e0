import { holds, liveView, withData, type LiveProjector, type LiveView } from '../platform/live-view.js';
import { can } from '../platform/policy.js';
import type { CitizenReportsEvents } from './events.js';
import { TRIAGE_ROLES } from './routes.js';

/**
 * `citizen-reports.*` on the live feed: to triage staff who may read the responsible
 * organisation's data, as GET /api/citizen-reports shows them — without the reporter
 * (sealed, read only through GET /api/citizen-reports/:id) and without photo bytes.
 */
export function citizenReportsLiveView(): LiveView {
  const staff: LiveProjector = (p, e) => (holds(p, TRIAGE_ROLES) && can(p, 'read', { orgId: e.orgId }) ? e : null);
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
  return liveView('citizen-reports.', {
    'citizen-reports.report.submitted': submitted,
    'citizen-reports.photo.attached': photo,
    'citizen-reports.report.acknowledged': staff,
    'citizen-reports.report.merged': staff,
    'citizen-reports.report.escalated': staff,
    'citizen-reports.report.resolved': staff,
    'citizen-reports.work-order.issued': staff,
    'citizen-reports.work-order.started': staff,
    'citizen-reports.work-order.completed': staff,
    'citizen-reports.work-order.cancelled': staff,
    'citizen-reports.notice.sent': staff,
    'citizen-reports.notice.failed': staff,
  } satisfies Record<keyof CitizenReportsEvents, LiveProjector>);
}
