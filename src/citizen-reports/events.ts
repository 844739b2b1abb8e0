import type { NewEvent } from '../platform/event-log.js';
import type { CitizenReport } from './model.js';

/** A value sealed under a personal-data key (platform/personal-data.ts `Sealed`). */
interface SealedValue {
  key: string;
  sealed: string;
}

/** Event payloads of citizen reports (type → data). */
export interface CitizenReportsEvents {
  /** A report accepted; the reporter's personal data sealed under their own key (class `reporter`). */
  'citizen-reports.report.submitted': { report: CitizenReport; reporter: SealedValue | null };
  /** The photo, stripped of its metadata, in the log itself (base64, under the event size limit). */
  'citizen-reports.photo.attached': { reportId: string; contentType: string; sha256: string; data: string };
  'citizen-reports.report.acknowledged': { reportId: string; note: string | null };
  'citizen-reports.report.merged': { reportId: string; into: string; note: string | null };
  'citizen-reports.report.escalated': { reportId: string; incidentId: string; reference: string };
  'citizen-reports.report.resolved': { reportId: string; note: string };
}

export type CitizenReportsEventType = keyof CitizenReportsEvents;

export function reportEvent<K extends CitizenReportsEventType>(
  type: K,
  reportId: string,
  orgId: string,
  actor: string,
  data: CitizenReportsEvents[K],
): NewEvent {
  return { type, subject: `citizen-report:${reportId}`, orgId, actor, data, reason: null };
}
