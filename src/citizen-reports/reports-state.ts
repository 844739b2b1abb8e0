import { haversineM, type Position } from '../kernel/geo.js';
import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import type { CitizenReportsEvents } from './events.js';
import type { ReportState } from './model.js';

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
      });
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
        break;
      }
      case 'citizen-reports.report.escalated': {
        const { incidentId, reference } = e.data as CitizenReportsEvents[typeof type];
        r.status = 'in-progress';
        r.acknowledgedAt ??= e.at;
        r.incident = { incidentId, reference };
        break;
      }
      case 'citizen-reports.report.resolved': {
        const { note } = e.data as CitizenReportsEvents[typeof type];
        r.status = 'resolved';
        r.acknowledgedAt ??= e.at;
        r.resolvedAt = e.at;
        r.publicNote = note;
        break;
      }
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
