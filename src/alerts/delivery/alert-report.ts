import type { AlertRecord } from '../model.js';
import type { ChannelProgress } from './delivery-state.js';
import type { RecipientTrack } from './recipient-track.js';

type SecondsTo = { p50: number | null; p90: number | null; p99: number | null };

export interface AlertReport {
  alertId: string;
  issuedAt: string | null;
  channels: {
    channel: string;
    status: string;
    queued: number;
    sent: number;
    delivered: number;
    failed: number;
    /** sent / queued, or null when nobody was queued on it. */
    reach: number | null;
    /** delivered / queued on channels with delivery receipts (SMS), else null. */
    deliveredReach: number | null;
    /** Seconds from issue until 50 %, 90 %, 99 % of the queued recipients were sent the message. */
    secondsTo: SecondsTo;
    /** … until their delivery was confirmed by a receipt. */
    secondsToDelivered: SecondsTo;
    byLanguage: Record<string, number>;
    /**
     * Recipients per neighbourhood of the city (the first of their places inside the alert's
     * area) and where each stands now: still queued, sent (no receipt yet, or none on this channel), delivered, failed.
     */
    byArea: { areaId: string | null; name: string; recipients: number; queued: number; sent: number; delivered: number; failed: number }[];
    note: string | null;
  }[];
  answers: { safe: number; needHelp: number };
}

/** Channels whose peer confirms delivery to the person. */
const WITH_RECEIPTS = new Set(['sms']);

/** The after-action figures of one alert: reach and speed per channel, languages, neighbourhoods, answers. */
export function alertReport(
  alert: AlertRecord,
  progress: readonly ChannelProgress[],
  answers: { safe: number; needHelp: number },
  trackOf: (channel: string) => RecipientTrack | null = () => null,
): AlertReport {
  const issued = alert.issuedAt ? Date.parse(alert.issuedAt) : null;
  const since = (at: string | null): number | null => (at && issued !== null ? Math.max(0, Math.round((Date.parse(at) - issued) / 100) / 10) : null);
  const seconds = (r: ChannelProgress['reached']): SecondsTo => ({ p50: since(r.p50), p90: since(r.p90), p99: since(r.p99) });
  return {
    alertId: alert.alertId,
    issuedAt: alert.issuedAt,
    channels: progress.map((p) => {
      const byArea = (trackOf(p.channel)?.perArea() ?? []).map((a) => ({ ...a, recipients: a.queued + a.sent + a.delivered + a.failed }));
      return {
        channel: p.channel,
        status: p.status,
        queued: p.queued,
        sent: p.sent,
        delivered: p.delivered ?? 0,
        failed: p.failed,
        reach: p.queued ? p.sent / p.queued : null,
        deliveredReach: p.queued && WITH_RECEIPTS.has(p.channel) ? (p.delivered ?? 0) / p.queued : null,
        secondsTo: seconds(p.reached),
        secondsToDelivered: seconds(p.deliveredReached ?? { p50: null, p90: null, p99: null }),
        byLanguage: p.byLanguage,
        byArea,
        note: p.note,
      };
    }),
    answers,
  };
}
