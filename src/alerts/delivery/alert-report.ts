import type { AlertRecord } from '../model.js';
import type { ChannelProgress } from './delivery-state.js';

export interface AlertReport {
  alertId: string;
  issuedAt: string | null;
  channels: {
    channel: string;
    status: string;
    queued: number;
    sent: number;
    failed: number;
    /** sent / queued, or null when nobody was queued on it. */
    reach: number | null;
    /** Seconds from issue until 50 %, 90 %, 99 % of the queued recipients were sent the message. */
    secondsTo: { p50: number | null; p90: number | null; p99: number | null };
    byLanguage: Record<string, number>;
    note: string | null;
  }[];
  answers: { safe: number; needHelp: number };
}

/** The after-action figures of one alert: reach and speed per channel, languages, answers. */
export function alertReport(alert: AlertRecord, progress: readonly ChannelProgress[], answers: { safe: number; needHelp: number }): AlertReport {
  const issued = alert.issuedAt ? Date.parse(alert.issuedAt) : null;
  const since = (at: string | null): number | null => (at && issued !== null ? Math.max(0, Math.round((Date.parse(at) - issued) / 100) / 10) : null);
  return {
    alertId: alert.alertId,
    issuedAt: alert.issuedAt,
    channels: progress.map((p) => ({
      channel: p.channel, status: p.status, queued: p.queued, sent: p.sent, failed: p.failed,
      reach: p.queued ? p.sent / p.queued : null,
      secondsTo: { p50: since(p.reached.p50), p90: since(p.reached.p90), p99: since(p.reached.p99) },
      byLanguage: p.byLanguage, note: p.note,
    })),
    answers,
  };
}
