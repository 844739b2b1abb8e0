import type { CapInfo } from '../cap/cap-model.js';
import type { DeliveryEvents } from '../delivery/delivery-state.js';
import type { ChannelTexts } from '../messages/channel-text.js';
import { exerciseMark, type AlertRecord, type Channel } from '../model.js';
import type { Subscriber } from '../subscribers/subscribers-state.js';
import type { TargetArea } from '../targeting/area-geometry.js';

/**
 * The one interface of an alert channel (e-mail, SMS, Web Push, sirens and loudspeakers,
 * cell broadcast, webhooks, the CAP feed). What differs between channels is data the
 * dispatcher reads, not a case it knows: `reach` says who a message goes to, and so how
 * the dispatcher drives the channel.
 *
 * - 'per-recipient': one message per subscriber in the area with an address on this channel;
 * - 'per-device': one command per device of the city in the area (sirens, loudspeakers).
 *   For both the dispatcher queues the targets in order, hands the messages over in
 *   batches with retries, tracks each target by position and resumes after a node failure.
 * - 'area-broadcast' (cell broadcast), 'endpoints' (webhooks), 'feed' (the CAP feed): the
 *   channel delivers itself and reports its progress through `job.record`.
 */
export type AlertChannel = RecipientChannel | DeviceChannel | SelfDeliveringChannel;
export type Reach = AlertChannel['reach'];

interface ChannelBase {
  readonly channel: Channel;
  /** Why this channel cannot deliver in this installation (recorded as 'unavailable'), or null when it can. */
  readonly unavailable: string | null;
  /**
   * Set when a delivery cut short by a node failure must not be run again blind (what the
   * peer accepted is on air already): the note recorded, as the channel's end, instead.
   */
  readonly notResumed?: string;
  /** Vigil is stopping: nothing new is started; what is in flight ends as soon as it can. */
  stop?(): void;
  close(): Promise<void>;
}

/** A channel that hands one message per target to its peer (SMTP server, SMSC, push service, broker). */
interface MessageChannel extends ChannelBase {
  send(messages: readonly OutgoingMessage[]): Promise<SendResult[]>;
}

export interface RecipientChannel extends MessageChannel {
  readonly reach: 'per-recipient';
  /** Whether the peer confirms delivery later (SMS receipts): the ids it gives go to the receipt tracker. */
  readonly receipts: boolean;
  /** Where this channel reaches a subscriber, or null when it does not. */
  addressOf(s: Subscriber): string | null;
  /** The subscriber's message, in their language (`texts`). */
  message(job: ChannelJob, to: Subscriber, address: string, texts: ChannelTexts, personal: PersonalParts): OutgoingMessage;
}

export interface DeviceChannel extends MessageChannel {
  readonly reach: 'per-device';
  /** One command per device in the alert's area, in a stable order (positions in the track). */
  commands(job: ChannelJob): Promise<OutgoingMessage[]>;
}

export interface SelfDeliveringChannel extends ChannelBase {
  readonly reach: 'area-broadcast' | 'endpoints' | 'feed';
  deliver(job: ChannelJob): Promise<void>;
}

/** What the dispatcher hands a channel for one alert. */
export interface ChannelJob {
  alert: AlertRecord;
  infos: CapInfo[];
  area: TargetArea;
  /** The channel texts of an info block (made once per language). */
  textsOf: (info: CapInfo) => ChannelTexts;
  /** Records one step of this channel's progress, durably. */
  record: (data: DeliveryEvents['alerts.delivery.updated']) => Promise<unknown>;
}

/** What a person's message may carry beyond the alert's texts; where it can be followed (e-mail, push), not in an SMS. */
export interface PersonalParts {
  /** The personal "are you safe?" link. */
  safeLink(to: Subscriber): string;
  /** Where this person should walk from their place in the area, in their language; null when the alert asks no evacuation. */
  guidance(to: Subscriber): string | null;
}

/** One message for one recipient on one channel, already in the recipient's language. */
export interface OutgoingMessage {
  recipientId: string;
  address: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

/** `messageIds`: the peer's ids of what it accepted (an SMSC's per part), which its delivery receipts name later. */
export type SendResult = { ok: true; detail?: string; messageIds?: string[] } | { ok: false; error: string; retry: boolean };

const headersOf = new WeakMap<AlertRecord, Readonly<Record<string, string>>>();
/**
 * The headers every person-addressed message carries: the alert, its CAP identifier, the
 * exercise mark — one frozen object for all the messages of an alert record (a million
 * recipients, one object).
 */
export function alertHeaders(alert: AlertRecord): Record<string, string> {
  let headers = headersOf.get(alert);
  if (!headers) {
    const mark = exerciseMark(alert.cap);
    headers = Object.freeze({ 'X-Vigil-Alert': alert.alertId, 'X-CAP-Identifier': alert.cap.identifier, ...(mark ? { 'X-Vigil-Exercise': mark } : {}) });
    headersOf.set(alert, headers);
  }
  return headers;
}
