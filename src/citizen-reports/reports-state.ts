import { haversineM, type Position } from '../kernel/geo.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { CitizenReportsEvents } from './events.js';
import type { ReportState } from './model.js';

/** A notice to a reporter still to send: their report resolved, merged into another, or turned into an incident. */
export interface DueReportNotice {
  noticeId: string;
  reportId: string;
  what: 'resolved' | 'merged' | 'escalated';
  channel: 'email' | 'push';
  attempts: number;
}

/** A report of the same service within this distance and time, still open, is "nearby" (a duplicate candidate). */
export const DUPLICATE_RADIUS_M = 50;
export const DUPLICATE_WINDOW_MS = 7 * 86_400_000;
/** Grid cells of 0.001° (≈ 111 m north–south): a 50 m radius is inside the 3 × 3 cells around a point. */
const CELL = 1000;

const cellKey = (i: number, j: number): number => i * 360_001 + j;
const cellOf = (p: Position): [number, number] => [Math.floor((p[1] + 90) * CELL), Math.floor((p[0] + 180) * CELL)];

/** Citizen reports, rebuilt from `citizen-reports.*`: by id, by Open311 token and follow hash, and a grid for the duplicate check. */
export class ReportsState implements Projection {
  readonly name = 'citizen-reports';
  readonly typePrefixes = ['citizen-reports.'];
  readonly reports = new Map<string, ReportState>();
  readonly byToken = new Map<string, string>();
  readonly byFollowHash = new Map<string, string>();
  /** Report id → seq of its photo event (the bytes stay in the log). */
  readonly photoSeq = new Map<string, number>();
  /** Grid cell → report ids in it. */
  private readonly grid = new Map<number, string[]>();
  /** Submission order, newest last (Open311 lists newest first). */
  readonly order: string[] = [];
  /** Notices to reporters still due (noticeId → which report, why, on which channel), oldest first. */
  readonly dueNotices = new Map<string, DueReportNotice>();
  /** Report id → seq of its submission when the reporter gave personal data (their export and erasure read it back). */
  readonly reporterSeq = new Map<string, number>();
  /** Open work orders (assigned or in progress): workOrderId → report id. */
  readonly openWorkOrders = new Map<string, string>();

  /** The reporter asked to be told (`what`): one notice due per channel they consented to. */
  private noticeDue(r: ReportState, what: DueReportNotice['what'], at: string): void {
    for (const channel of r.notify?.channels ?? []) {
      const noticeId = `${r.reportId}:${what}:${channel}`;
      if (r.notices[noticeId]) continue;
      r.notices[noticeId] = { what, channel, state: 'due', attempts: 0, error: null, at };
      this.dueNotices.set(noticeId, { noticeId, reportId: r.reportId, what, channel, attempts: 0 });
    }
  }

  apply(e: StoredEvent): void {
    const type = e.type as keyof CitizenReportsEvents;
    if (type === 'citizen-reports.report.submitted') {
      const { report } = e.data as CitizenReportsEvents[typeof type];
      this.reports.set(report.reportId, {
        ...report,
        status: 'received',
        updatedAt: report.requestedAt,
        acknowledgedAt: null,
        resolvedAt: null,
        publicNote: null,
        mergedInto: null,
        incident: null,
        merged: [],
        notices: {},
        workOrder: null,
      });
      const d = e.data as CitizenReportsEvents[typeof type];
      if (d.reporter || d.notice) this.reporterSeq.set(report.reportId, e.seq);
      this.byToken.set(report.token, report.reportId);
      this.byFollowHash.set(report.followHash, report.reportId);
      const [i, j] = cellOf(report.position);
      const k = cellKey(i, j);
      const cell = this.grid.get(k);
      if (cell) cell.push(report.reportId);
      else this.grid.set(k, [report.reportId]);
      this.order.push(report.reportId);
      return;
    }
    const d = e.data as { reportId: string };
    const r = this.reports.get(d.reportId);
    if (!r) return;
    if (type === 'citizen-reports.notice.sent' || type === 'citizen-reports.notice.failed') {
      // A notice's outcome is the reporter's business, not a change of the report (its updatedAt stays).
      const o = e.data as CitizenReportsEvents['citizen-reports.notice.failed'];
      const n = r.notices[o.noticeId];
      if (!n) return;
      n.at = e.at;
      if (type === 'citizen-reports.notice.sent') {
        n.state = 'sent';
        n.error = null;
        this.dueNotices.delete(o.noticeId);
      } else {
        n.attempts++;
        n.error = o.error;
        const due = this.dueNotices.get(o.noticeId);
        if (due) due.attempts = n.attempts;
        if (o.final) {
          n.state = 'failed';
          this.dueNotices.delete(o.noticeId);
        }
      }
      return;
    }
    r.updatedAt = e.at;
    switch (type) {
      case 'citizen-reports.photo.attached':
        this.photoSeq.set(r.reportId, e.seq);
        break;
      case 'citizen-reports.report.acknowledged': {
        const { note } = e.data as CitizenReportsEvents[typeof type];
        r.status = 'acknowledged';
        r.acknowledgedAt = e.at;
        if (note) r.publicNote = note;
        break;
      }
      case 'citizen-reports.report.merged': {
        const { into, note } = e.data as CitizenReportsEvents[typeof type];
        r.status = 'merged';
        r.mergedInto = into;
        r.acknowledgedAt ??= e.at;
        r.resolvedAt = e.at;
        r.publicNote = note;
        this.reports.get(into)?.merged.push(r.reportId);
        this.noticeDue(r, 'merged', e.at);
        break;
      }
      case 'citizen-reports.report.escalated': {
        const { incidentId, reference } = e.data as CitizenReportsEvents[typeof type];
        r.status = 'in-progress';
        r.acknowledgedAt ??= e.at;
        r.incident = { incidentId, reference };
        this.noticeDue(r, 'escalated', e.at);
        break;
      }
      case 'citizen-reports.report.resolved': {
        const { note } = e.data as CitizenReportsEvents[typeof type];
        r.status = 'resolved';
        r.acknowledgedAt ??= e.at;
        r.resolvedAt = e.at;
        r.publicNote = note;
        // Its reporter, and those of the reports merged into it (their status follows this one).
        this.noticeDue(r, 'resolved', e.at);
        for (const id of r.merged) {
          const m = this.reports.get(id);
          if (m) this.noticeDue(m, 'resolved', e.at);
        }
        break;
      }
      case 'citizen-reports.work-order.issued': {
        const { reportId: _r, ...d } = e.data as CitizenReportsEvents[typeof type];
        r.status = 'work-order';
        r.acknowledgedAt ??= e.at;
        r.workOrder = {
          ...d,
          reportId: r.reportId,
          orgId: r.orgId,
          state: 'assigned',
          issued: { by: e.actor, at: e.at },
          started: null,
          done: null,
          cancelled: null,
        };
        this.openWorkOrders.set(d.workOrderId, r.reportId);
        break;
      }
      case 'citizen-reports.work-order.started':
        if (r.workOrder) {
          r.workOrder.state = 'in-progress';
          r.workOrder.started = { by: e.actor, at: e.at };
        }
        break;
      case 'citizen-reports.work-order.completed':
        if (r.workOrder) {
          r.workOrder.state = 'done';
          r.workOrder.done = { by: e.actor, at: e.at };
          this.openWorkOrders.delete(r.workOrder.workOrderId);
        }
        break;
      case 'citizen-reports.work-order.cancelled':
        if (r.workOrder) {
          const { reason } = e.data as CitizenReportsEvents[typeof type];
          r.workOrder.state = 'cancelled';
          r.workOrder.cancelled = { by: e.actor, at: e.at, reason };
          this.openWorkOrders.delete(r.workOrder.workOrderId);
          if (r.status === 'work-order') r.status = 'acknowledged';
        }
        break;
    }
  }

  /** The report a merged one ended in (following merges), itself otherwise. */
  final(r: ReportState): ReportState {
    let at = r;
    for (let i = 0; i < 20 && at.mergedInto; i++) at = this.reports.get(at.mergedInto) ?? at;
    return at;
  }

  /**
   * The nearest open report of the same service within DUPLICATE_RADIUS_M that came in
   * within DUPLICATE_WINDOW_MS before `at`, or null: only the 3 × 3 grid cells around the point are read.
   */
  nearbyOpen(serviceCode: string, p: Position, at: number): ReportState | null {
    const [i, j] = cellOf(p);
    let best: ReportState | null = null;
    let bestM = DUPLICATE_RADIUS_M;
    for (let di = -1; di <= 1; di++) {
      for (let dj = -1; dj <= 1; dj++) {
        const ids = this.grid.get(cellKey(i + di, j + dj));
        if (!ids) continue;
        // A cell holds its reports in the order they came in: read from the newest back to the window's start.
        for (let k = ids.length - 1; k >= 0; k--) {
          const r = this.reports.get(ids[k]!)!;
          const t = Date.parse(r.requestedAt);
          if (at - t > DUPLICATE_WINDOW_MS) break;
          if (t > at || r.serviceCode !== serviceCode || r.status === 'merged' || r.status === 'resolved') continue;
          const m = haversineM(p, r.position);
          if (m <= bestM) {
            best = r;
            bestM = m;
          }
        }
      }
    }
    return best;
  }

  /** Reports of any service that came in within `radiusM` (≤ 100 m) of a point in the `windowMs` before `at`: the surge check. */
  countRecent(p: Position, radiusM: number, windowMs: number, at: number): ReportState[] {
    const [i, j] = cellOf(p);
    const out: ReportState[] = [];
    for (let di = -1; di <= 1; di++) {
      for (let dj = -1; dj <= 1; dj++) {
        const ids = this.grid.get(cellKey(i + di, j + dj));
        if (!ids) continue;
        for (let k = ids.length - 1; k >= 0; k--) {
          const r = this.reports.get(ids[k]!)!;
          const t = Date.parse(r.requestedAt);
          if (at - t > windowMs) break;
          if (t <= at && haversineM(p, r.position) <= radiusM) out.push(r);
        }
      }
    }
    return out;
  }
}
