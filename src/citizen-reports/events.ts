import type { NewEvent } from '../platform/event-log.js';
import type { CitizenReport, WorkOrderPriority } from './model.js';

/** A value sealed under a personal-data key (platform/personal-data.ts `Sealed`). */
interface SealedValue {
  key: string;
  sealed: string;
}

/** Event payloads of citizen reports (type → data). */
export interface CitizenReportsEvents {
  /** A report accepted; the reporter's personal data sealed under their own key (class `reporter`). */
  'citizen-reports.report.submitted': {
    report: CitizenReport;
    reporter: SealedValue | null;
    /** Where to tell the reporter (e-mail, push subscription, follow token), sealed under the same key as `reporter`; when they consented. */
    notice?: SealedValue | null;
  };
  /** The photo, stripped of its metadata, in the log itself (base64, under the event size limit). */
  'citizen-reports.photo.attached': { reportId: string; contentType: string; sha256: string; data: string };
  'citizen-reports.report.acknowledged': { reportId: string; note: string | null };
  'citizen-reports.report.merged': { reportId: string; into: string; note: string | null };
  'citizen-reports.report.escalated': { reportId: string; incidentId: string; reference: string };
  'citizen-reports.report.resolved': { reportId: string; note: string };
  /** A work order issued from the report (the report shows "a work order has been issued"). */
  'citizen-reports.work-order.issued': {
    reportId: string;
    workOrderId: string;
    assigneeOrgId: string;
    team: string | null;
    priority: WorkOrderPriority;
    dueDate: string;
    dueAt: string;
    instructions: string;
  };
  'citizen-reports.work-order.started': { reportId: string; workOrderId: string };
  /** Done; the report's resolution (with the public note) is recorded with it. */
  'citizen-reports.work-order.completed': { reportId: string; workOrderId: string };
  'citizen-reports.work-order.cancelled': { reportId: string; workOrderId: string; reason: string };
  /** A notice to the reporter was taken by the channel's peer (the SMTP server, the push service). */
  'citizen-reports.notice.sent': { reportId: string; noticeId: string; channel: 'email' | 'push' };
  /** A notice attempt failed; `final`: given up (refused for good, too many attempts, the reporter's data erased). */
  'citizen-reports.notice.failed': { reportId: string; noticeId: string; channel: 'email' | 'push'; error: string; final: boolean };
}

export type CitizenReportsEventType = keyof CitizenReportsEvents;

export function reportEvent<K extends CitizenReportsEventType>(
  type: K,
  reportId: string,
  orgId: string,
  actor: string,
  data: CitizenReportsEvents[K],
  /** When it happened, when not now (the demo's history of past days). */
  at?: number,
): NewEvent {
  return { type, subject: `citizen-report:${reportId}`, orgId, actor, data, reason: null, ...(at === undefined ? {} : { at }) };
}
