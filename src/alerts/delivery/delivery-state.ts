import type { StoredEvent } from '../../platform/event-log.js';
import type { Projection } from '../../platform/projection.js';
import type { Channel } from '../model.js';

export type ChannelStatus = 'sending' | 'done' | 'unavailable';

export interface DeliveryEvents {
  /** A recipient answered from the link in their message; a later answer replaces an earlier one. */
  'alerts.delivery.acknowledged': { alertId: string; recipientId: string; answer: 'safe' | 'need-help' };
  /** A step of one channel's delivery: recipients queued, then batches sent and failed, then done. */
  'alerts.delivery.updated': { alertId: string; channel: Channel; status: ChannelStatus; queued: number; sent: string[]; failed: [string, string][]; note?: string; byLanguage?: Record<string, number> };
}

export interface ChannelProgress {
  channel: Channel;
  status: ChannelStatus;
  queued: number;
  sent: number;
  failed: number;
  note: string | null;
  startedAt: string;
  /** When the share of queued recipients reached 50 %, 90 %, 99 % (for the report). */
  reached: { p50: string | null; p90: string | null; p99: string | null };
  lastFailures: [string, string][];
  /** Recipients queued per language of the message they get. */
  byLanguage: Record<string, number>;
}

/** Delivery progress per alert and channel, rebuilt from the log: what the progress bars and the report show. */
export class DeliveryState implements Projection {
  readonly name = 'alert-delivery';
  readonly typePrefixes = ['alerts.delivery.'];
  readonly progress = new Map<string, Map<Channel, ChannelProgress>>();
  /** Answers per alert: recipient → latest answer and when. */
  readonly answers = new Map<string, Map<string, { answer: 'safe' | 'need-help'; at: string }>>();

  apply(e: StoredEvent): void {
    if (e.type === 'alerts.delivery.acknowledged') {
      const d = e.data as DeliveryEvents['alerts.delivery.acknowledged'];
      const perAlert = this.answers.get(d.alertId) ?? new Map<string, { answer: 'safe' | 'need-help'; at: string }>();
      perAlert.set(d.recipientId, { answer: d.answer, at: e.at });
      this.answers.set(d.alertId, perAlert);
      return;
    }
    if (e.type !== 'alerts.delivery.updated') return;
    const d = e.data as DeliveryEvents['alerts.delivery.updated'];
    const perAlert = this.progress.get(d.alertId) ?? new Map<Channel, ChannelProgress>();
    this.progress.set(d.alertId, perAlert);
    const p = perAlert.get(d.channel) ?? { channel: d.channel, status: d.status, queued: 0, sent: 0, failed: 0, note: null, startedAt: e.at, reached: { p50: null, p90: null, p99: null }, lastFailures: [], byLanguage: {} };
    p.status = d.status;
    p.queued += d.queued;
    p.sent += d.sent.length;
    p.failed += d.failed.length;
    if (d.note) p.note = d.note;
    for (const [lang, n] of Object.entries(d.byLanguage ?? {})) p.byLanguage[lang] = (p.byLanguage[lang] ?? 0) + n;
    if (d.failed.length) p.lastFailures = [...d.failed, ...p.lastFailures].slice(0, 20);
    if (p.queued > 0) {
      const share = p.sent / p.queued;
      if (share >= 0.5) p.reached.p50 ??= e.at;
      if (share >= 0.9) p.reached.p90 ??= e.at;
      if (share >= 0.99) p.reached.p99 ??= e.at;
    }
    perAlert.set(d.channel, p);
  }

  answersOf(alertId: string): { safe: number; needHelp: { recipientId: string; at: string }[] } {
    const all = [...(this.answers.get(alertId) ?? new Map()).entries()] as [string, { answer: string; at: string }][];
    return { safe: all.filter(([, a]) => a.answer === 'safe').length, needHelp: all.filter(([, a]) => a.answer === 'need-help').map(([recipientId, a]) => ({ recipientId, at: a.at })) };
  }

  of(alertId: string): ChannelProgress[] {
    return [...(this.progress.get(alertId)?.values() ?? [])];
  }
}
