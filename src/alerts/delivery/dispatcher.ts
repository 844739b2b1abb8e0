import type { AppContext } from '../../platform/app-context.js';
import type { NewEvent } from '../../platform/event-log.js';
import type { CapInfo } from '../cap/cap-model.js';
import { channelTexts } from '../channels/channel-text.js';
import { exerciseMark, type AlertRecord, type Channel } from '../model.js';
import type { Subscriber, SubscribersState } from '../subscribers/subscribers-state.js';
import { targetAreaOf } from '../targeting/area-geometry.js';
import type { ChannelAdapter, OutgoingMessage } from './channel-adapter.js';
import type { DeliveryEvents } from './delivery-state.js';

const BATCH = 200;

/** Where each person-addressed channel reaches a subscriber. */
const ADDRESS: Partial<Record<Channel, (s: Subscriber) => string | null>> = { email: (s) => s.email, sms: (s) => s.phone };
const NOT_CONFIGURED: Partial<Record<Channel, string>> = { email: 'no SMTP server configured (VIGIL_SMTP_URL)', sms: 'no SMSC configured (VIGIL_SMPP_URL)' };

export interface DispatcherOptions {
  /** Waits before retrying the messages that failed in a batch; one attempt more than there are waits. */
  backoffMs?: number[];
}

/** The info block in the recipient's language: exact tag, then same primary language, then the first. */
export function infoFor(infos: readonly CapInfo[], language: string): CapInfo {
  const lang = language.toLowerCase();
  return infos.find((i) => (i.language ?? 'en-US').toLowerCase() === lang) ?? infos.find((i) => (i.language ?? 'en-US').toLowerCase().split('-')[0] === lang.split('-')[0]) ?? infos[0]!;
}

/**
 * Sends an issued alert on every channel it selected, at once: each channel runs on
 * its own, a failing or missing channel is reported and never holds up the others.
 * Recipients are the subscribers with a location in the alert's area; each gets the
 * info block in their language. Progress is recorded in batches (queued, sent,
 * failed per recipient) so every node's UI shows it live.
 */
export class AlertDispatcher {
  private readonly backoffMs: number[];
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly subscribers: SubscribersState,
    private readonly adapters: ReadonlyMap<Channel, ChannelAdapter>,
    options: DispatcherOptions = {},
  ) {
    this.backoffMs = options.backoffMs ?? [1_000, 4_000, 16_000];
  }

  async dispatch(alert: AlertRecord): Promise<void> {
    const infos = alert.cap.info ?? [];
    const area = targetAreaOf(infos.flatMap((i) => i.area ?? []));
    const recipients = area.rings.length + area.circles.length > 0 ? this.subscribers.within(area) : [];
    await Promise.allSettled(alert.channels.map((channel) => this.channel(alert, channel, recipients, infos)));
  }

  private async channel(alert: AlertRecord, channel: Channel, recipients: Subscriber[], infos: CapInfo[]): Promise<void> {
    const record = (data: DeliveryEvents['alerts.delivery.updated']): Promise<unknown> => this.ctx.record([deliveryEvent(alert, data)]);
    if (channel === 'cap-feed') {
      await record({ alertId: alert.alertId, channel, status: 'done', queued: 0, sent: [], failed: [], note: 'published in the Atom feed' });
      return;
    }
    const address = ADDRESS[channel];
    const adapter = this.adapters.get(channel);
    if (!address || !adapter) {
      await record({ alertId: alert.alertId, channel, status: 'unavailable', queued: 0, sent: [], failed: [], note: address ? NOT_CONFIGURED[channel] : 'no adapter for this channel in this version' });
      return;
    }
    const messages = recipients.filter((r) => address(r)).map((r) => this.message(alert, channel, r, address(r)!, infos));
    await record({ alertId: alert.alertId, channel, status: 'sending', queued: messages.length, sent: [], failed: [] });
    for (let i = 0; i < messages.length && !this.stopped; i += BATCH) {
      let pending = messages.slice(i, i + BATCH);
      const sent: string[] = [];
      const failed: [string, string][] = [];
      for (let attempt = 0; pending.length > 0; attempt++) {
        const results = await adapter.send(pending);
        const retry: OutgoingMessage[] = [];
        results.forEach((r, k) => {
          const m = pending[k]!;
          if (r.ok) sent.push(m.recipientId);
          else if (r.retry && attempt < this.backoffMs.length) retry.push(m);
          else failed.push([m.recipientId, r.error.slice(0, 200)]);
        });
        if (retry.length === 0 || this.stopped) {
          failed.push(...retry.map((m): [string, string] => [m.recipientId, 'stopped']));
          break;
        }
        await new Promise((r) => setTimeout(r, this.backoffMs[attempt]).unref());
        pending = retry;
      }
      await record({ alertId: alert.alertId, channel, status: 'sending', queued: 0, sent, failed });
    }
    await record({ alertId: alert.alertId, channel, status: 'done', queued: 0, sent: [], failed: [] });
  }

  private message(alert: AlertRecord, channel: Channel, r: Subscriber, address: string, infos: CapInfo[]): OutgoingMessage {
    const texts = channelTexts(alert.cap, infoFor(infos, r.language));
    const mark = exerciseMark(alert.cap);
    return {
      recipientId: r.subscriberId, address, subject: channel === 'email' ? texts.email.subject : '', text: channel === 'email' ? texts.email.body : texts.sms,
      headers: { 'X-Vigil-Alert': alert.alertId, 'X-CAP-Identifier': alert.cap.identifier, ...(mark ? { 'X-Vigil-Exercise': mark } : {}) },
    };
  }

  stop(): void {
    this.stopped = true;
  }
}

function deliveryEvent(alert: AlertRecord, data: DeliveryEvents['alerts.delivery.updated']): NewEvent {
  return { type: 'alerts.delivery.updated', subject: `alert:${alert.alertId}`, orgId: alert.orgId, actor: 'system:alert-dispatcher', data };
}
