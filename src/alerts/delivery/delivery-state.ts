import type { StoredEvent } from '../../platform/event-log.js';
import type { KeyVault } from '../../platform/key-vault.js';
import { ERASED_EVENT, SealedReader, erasedBy, type Sealed } from '../../platform/personal-data.js';
import type { Projection } from '../../platform/projection.js';
import type { Channel } from '../model.js';
import { forEachInRuns, RecipientTrack, type AreaRef } from './recipient-track.js';

export type ChannelStatus = 'sending' | 'done' | 'unavailable';

export interface DeliveryEvents {
  /**
   * A recipient answered (from the link in their message, or by SMS keyword); a later answer replaces an earlier one.
   * Since retention the answer is `sealed` under the key `answer:<alertId>:<recipientId>` (older logs: in clear).
   */
  'alerts.delivery.acknowledged':
    { alertId: string; recipientId: string; answer: 'safe' | 'need-help' } | { alertId: string; recipientId: string; sealed: Sealed };
  /**
   * A step of one channel's delivery: its status, how many recipients were queued, languages.
   * `sent`/`failed` by recipient id are how versions before per-recipient tracking recorded progress.
   */
  'alerts.delivery.updated': {
    alertId: string;
    channel: Channel;
    status: ChannelStatus;
    queued: number;
    sent?: string[];
    failed?: [string, string][];
    note?: string;
    byLanguage?: Record<string, number>;
    /** The channel waits on its node until then (a webhook retry due): not lost before it, whatever `lastAt` says. */
    quietUntil?: string;
  };
  /** Recipients of a channel in the order they are sent, from position `first` on; `area` indexes `areas` (-1: in none). */
  'alerts.delivery.queued': { alertId: string; channel: Channel; first: number; recipients: string[]; area?: number[]; areas?: AreaRef[] };
  /** What became of recipients, by position: handed over (runs of [first, count]), delivered (a receipt), failed with the reason. */
  'alerts.delivery.progressed': {
    alertId: string;
    channel: Channel;
    sent?: number[];
    delivered?: number[];
    failed?: [number, string][];
    failedAfterSend?: boolean;
  };
}

export interface ChannelProgress {
  channel: Channel;
  status: ChannelStatus;
  queued: number;
  /** Handed to the peer (SMTP server, SMSC, push service, broker). */
  sent: number;
  /** Confirmed by a delivery receipt (SMS). */
  delivered: number;
  failed: number;
  note: string | null;
  startedAt: string;
  /** The channel's latest recorded step: a delivery left 'sending' with nothing new for a while has lost its node. */
  lastAt: string;
  /** When the share of queued recipients handed over reached 50 %, 90 %, 99 % (for the report). */
  reached: { p50: string | null; p90: string | null; p99: string | null };
  /** The same for delivery receipts. */
  deliveredReached: { p50: string | null; p90: string | null; p99: string | null };
  lastFailures: [string, string][];
  /** Recipients queued per language of the message they get. */
  byLanguage: Record<string, number>;
}

type Reached = ChannelProgress['reached'];
const markReached = (r: Reached, share: number, at: string): void => {
  if (share >= 0.5) r.p50 ??= at;
  if (share >= 0.9) r.p90 ??= at;
  if (share >= 0.99) r.p99 ??= at;
};

/** Delivery progress per alert and channel, rebuilt from the log: what the progress bars, the recipient lists and the report show. */
export class DeliveryState implements Projection {
  readonly name = 'alert-delivery';
  readonly typePrefixes = ['alerts.delivery.', ERASED_EVENT];
  private readonly sealed: SealedReader;

  /** `vault`: where the answers' keys are (null: sealed answers read as erased). */
  constructor(vault: Pick<KeyVault, 'get'> | null = null) {
    this.sealed = new SealedReader(vault);
  }

  async prepare(events: readonly StoredEvent[]): Promise<void> {
    await this.sealed.prepare(
      events.flatMap((e) => (e.type === 'alerts.delivery.acknowledged' && 'sealed' in (e.data as object) ? [(e.data as { sealed: Sealed }).sealed.key] : [])),
    );
  }

  readonly progress = new Map<string, Map<Channel, ChannelProgress>>();
  /** Per `<alertId>:<channel>`, the latest time its node said it waits until (a retry due). */
  private readonly quiet = new Map<string, number>();
  /** Per alert and channel, every recipient's state by position. */
  readonly tracks = new Map<string, Map<Channel, RecipientTrack>>();
  /** Answers per alert: recipient → latest answer and when. */
  readonly answers = new Map<string, Map<string, { answer: 'safe' | 'need-help'; at: string }>>();

  apply(e: StoredEvent): void {
    const erased = erasedBy(e);
    if (erased) {
      // An erased answer is no one's answer any more: it leaves the lists and the counts.
      for (const subject of erased.subjects) {
        const [kind, alertId, recipientId] = subject.split(':');
        if (kind === 'answer' && alertId && recipientId) this.answers.get(alertId)?.delete(recipientId);
      }
      return;
    }
    switch (e.type) {
      case 'alerts.delivery.acknowledged': {
        const d = e.data as DeliveryEvents['alerts.delivery.acknowledged'];
        const answer = 'sealed' in d ? this.sealed.open<'safe' | 'need-help'>(d.sealed) : d.answer;
        const perAlert = this.answers.get(d.alertId) ?? new Map<string, { answer: 'safe' | 'need-help'; at: string }>();
        if (answer) perAlert.set(d.recipientId, { answer, at: e.at });
        else perAlert.delete(d.recipientId);
        this.answers.set(d.alertId, perAlert);
        return;
      }
      case 'alerts.delivery.updated':
        return this.updated(e.data as DeliveryEvents['alerts.delivery.updated'], e.at);
      case 'alerts.delivery.queued': {
        const d = e.data as DeliveryEvents['alerts.delivery.queued'];
        this.trackOf(d.alertId, d.channel).queue(d.first, d.recipients, d.area, d.areas);
        return;
      }
      case 'alerts.delivery.progressed':
        return this.progressed(e.data as DeliveryEvents['alerts.delivery.progressed'], e.at);
    }
  }

  private channelOf(alertId: string, channel: Channel, status: ChannelStatus, at: string): ChannelProgress {
    const perAlert = this.progress.get(alertId) ?? new Map<Channel, ChannelProgress>();
    this.progress.set(alertId, perAlert);
    let p = perAlert.get(channel);
    if (!p) {
      p = {
        channel,
        status,
        queued: 0,
        sent: 0,
        delivered: 0,
        failed: 0,
        note: null,
        startedAt: at,
        lastAt: at,
        reached: { p50: null, p90: null, p99: null },
        deliveredReached: { p50: null, p90: null, p99: null },
        lastFailures: [],
        byLanguage: {},
      };
      perAlert.set(channel, p);
    }
    p.lastAt = at;
    return p;
  }

  private trackOf(alertId: string, channel: Channel): RecipientTrack {
    const perAlert = this.tracks.get(alertId) ?? new Map<Channel, RecipientTrack>();
    this.tracks.set(alertId, perAlert);
    let t = perAlert.get(channel);
    if (!t) perAlert.set(channel, (t = new RecipientTrack()));
    return t;
  }

  /** Until when the channel's node said it waits (ms since the epoch; 0: it said nothing). */
  quietUntil(alertId: string, channel: Channel): number {
    return this.quiet.get(`${alertId}:${channel}`) ?? 0;
  }

  private updated(d: DeliveryEvents['alerts.delivery.updated'], at: string): void {
    const p = this.channelOf(d.alertId, d.channel, d.status, at);
    if (d.quietUntil) {
      const key = `${d.alertId}:${d.channel}`;
      this.quiet.set(key, Math.max(this.quiet.get(key) ?? 0, Date.parse(d.quietUntil) || 0));
    }
    p.status = d.status;
    p.queued += d.queued;
    if (d.note) p.note = d.note;
    for (const [lang, n] of Object.entries(d.byLanguage ?? {})) p.byLanguage[lang] = (p.byLanguage[lang] ?? 0) + n;
    // Older logs: progress by recipient id, counts only.
    p.sent += d.sent?.length ?? 0;
    p.failed += d.failed?.length ?? 0;
    if (d.failed?.length) p.lastFailures = [...d.failed, ...p.lastFailures].slice(0, 20);
    if (p.queued > 0) markReached(p.reached, p.sent / p.queued, at);
  }

  private progressed(d: DeliveryEvents['alerts.delivery.progressed'], at: string): void {
    const p = this.channelOf(d.alertId, d.channel, 'sending', at);
    const t = this.trackOf(d.alertId, d.channel);
    if (d.sent) forEachInRuns(d.sent, t.size, (pos) => t.markSent(pos));
    for (const pos of d.delivered ?? []) t.markDelivered(pos);
    const failures: [string, string][] = [];
    for (const [pos, reason] of d.failed ?? []) {
      if (t.stateAt(pos) === 'failed' || pos >= t.size) continue;
      t.markFailed(pos, String(reason), d.failedAfterSend === true);
      failures.push([t.ids[pos]!, String(reason)]);
    }
    if (failures.length) p.lastFailures = [...failures.slice(-20), ...p.lastFailures].slice(0, 20);
    p.sent = t.handedOver;
    p.delivered = t.counts.delivered;
    p.failed = t.counts.failed;
    if (p.queued > 0) {
      markReached(p.reached, p.sent / p.queued, at);
      markReached(p.deliveredReached, p.delivered / p.queued, at);
    }
  }

  answersOf(alertId: string): { safe: number; needHelp: { recipientId: string; at: string }[] } {
    const all = [...(this.answers.get(alertId) ?? new Map()).entries()] as [string, { answer: string; at: string }][];
    return {
      safe: all.filter(([, a]) => a.answer === 'safe').length,
      needHelp: all.filter(([, a]) => a.answer === 'need-help').map(([recipientId, a]) => ({ recipientId, at: a.at })),
    };
  }

  of(alertId: string): ChannelProgress[] {
    return [...(this.progress.get(alertId)?.values() ?? [])];
  }

  track(alertId: string, channel: Channel): RecipientTrack | null {
    return this.tracks.get(alertId)?.get(channel) ?? null;
  }

  /** The most recent alert whose `channel` message was handed over to this recipient (for answers by SMS keyword). */
  latestAlertSentTo(recipientId: string, channel: Channel): string | null {
    const alerts = [...this.tracks.keys()];
    for (let i = alerts.length - 1; i >= 0; i--) {
      const t = this.tracks.get(alerts[i]!)!.get(channel);
      const pos = t?.positionOf(recipientId) ?? -1;
      if (t && pos >= 0 && !t.isState(pos, 'queued')) return alerts[i]!;
    }
    return null;
  }
}
