import type { AppContext } from '../../platform/app-context.js';
import type { NewEvent } from '../../platform/event-log.js';
import type { CapInfo } from '../cap/cap-model.js';
import { channelTexts, type ChannelTexts } from '../channels/channel-text.js';
import { exerciseMark, type AlertRecord, type Channel } from '../model.js';
import type { Subscriber, SubscribersState } from '../subscribers/subscribers-state.js';
import { inArea, targetAreaOf, type TargetArea } from '../targeting/area-geometry.js';
import { ackToken } from './acknowledgements.js';
import type { ChannelAdapter, OutgoingMessage } from './channel-adapter.js';
import type { ChannelRunner } from './channel-runner.js';
import { DEFAULT_AMBIENT_DB, type WarningLevel } from './ambient-noise.js';
import type { DeliveryEvents } from './delivery-state.js';

const BATCH = 200;

/** Where each person-addressed channel reaches a subscriber. */
const ADDRESS: Partial<Record<Channel, (s: Subscriber) => string | null>> = { email: (s) => s.email, sms: (s) => s.phone, push: (s) => (s.push ? JSON.stringify(s.push) : null) };
const NOT_CONFIGURED: Partial<Record<Channel, string>> = { email: 'no SMTP server configured (VIGIL_SMTP_URL)', sms: 'no SMSC configured (VIGIL_SMPP_URL)', push: 'Web Push is off' };

export interface DispatcherOptions {
  /** Waits before retrying the messages that failed in a batch; one attempt more than there are waits. */
  backoffMs?: number[];
  /** Sirens and loudspeakers of the city (their positions decide which sound). */
  warningDevices?: () => Iterable<WarningDevice>;
  sirenTopicPrefix?: string;
  /** Base URL loudspeakers fetch the voice files from. */
  publicUrl?: string | null;
  /** Channels that run their own delivery (cell broadcast, webhooks). */
  runners?: readonly ChannelRunner[];
  /** The ambient each device's level is set above (measured, or the default per kind), and where the chosen levels are recorded. */
  ambientOf?: (d: WarningDevice) => Pick<WarningLevel, 'ambientDb' | 'ambientSource' | 'measuredAt'>;
  onWarningLevels?: (alert: AlertRecord, levels: WarningLevel[]) => Promise<void>;
}

export interface WarningDevice {
  id: string;
  kind: 'siren' | 'loudspeaker';
  position: [number, number];
}

/**
 * Sound level of a warning device: above the ambient noise by a margin, never above
 * the device's maximum (EN ISO 7731 asks for a warning signal 15 dB above ambient).
 * Ambient is the zone's measured level when a noise sensor reported one recently
 * (ambient-noise.ts), else a typical urban level per kind of place.
 */
export function warningLevelDb(kind: WarningDevice['kind'], ambientDb: number = kind === 'siren' ? 70 : 60): number {
  const maxDb = kind === 'siren' ? 120 : 96;
  return Math.min(ambientDb + 15, maxDb);
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
    private readonly options: DispatcherOptions = {},
  ) {
    this.backoffMs = options.backoffMs ?? [1_000, 4_000, 16_000];
  }

  async dispatch(alert: AlertRecord): Promise<void> {
    const infos = alert.cap.info ?? [];
    const area = targetAreaOf(infos.flatMap((i) => i.area ?? []));
    const recipients = area.rings.length + area.circles.length > 0 ? this.subscribers.within(area) : [];
    // Each language's texts are the same for every recipient: made once per info block.
    const texts = new Map(infos.map((i) => [i, channelTexts(alert.cap, i)] as const));
    const job: Job = { alert, infos, area, recipients, textsOf: (i) => texts.get(i)! };
    await Promise.allSettled(alert.channels.map((channel) => this.channel(job, channel)));
  }

  private async channel(job: Job, channel: Channel): Promise<void> {
    const { alert, infos, recipients } = job;
    const record = (data: DeliveryEvents['alerts.delivery.updated']): Promise<unknown> => this.ctx.record([deliveryEvent(alert, data)]);
    if (channel === 'cap-feed') {
      await record({ alertId: alert.alertId, channel, status: 'done', queued: 0, sent: [], failed: [], note: 'published in the Atom feed' });
      return;
    }
    if (channel === 'sirens') {
      await this.sirens(job, record);
      return;
    }
    const runner = this.options.runners?.find((r) => r.channel === channel);
    if (runner) {
      await runner.run({ alert, infos, area: job.area, textsOf: job.textsOf, record });
      return;
    }
    const address = ADDRESS[channel];
    const adapter = this.adapters.get(channel);
    if (!address || !adapter) {
      await record({ alertId: alert.alertId, channel, status: 'unavailable', queued: 0, sent: [], failed: [], note: address ? NOT_CONFIGURED[channel] : 'no adapter for this channel in this version' });
      return;
    }
    const messages: OutgoingMessage[] = [];
    const byLanguage: Record<string, number> = {};
    for (const r of recipients) {
      const to = address(r);
      if (!to) continue;
      const info = infoFor(infos, r.language);
      const lang = info.language ?? 'en-US';
      byLanguage[lang] = (byLanguage[lang] ?? 0) + 1;
      messages.push(this.message(job, channel, r, to, job.textsOf(info)));
    }
    await this.send(alert, channel, adapter, messages, record, byLanguage);
  }

  /** One command per siren or loudspeaker inside the area: sound (or stop, for a Cancel), level, voice files per language. */
  private async sirens({ alert, infos, area, textsOf }: Job, record: (d: DeliveryEvents['alerts.delivery.updated']) => Promise<unknown>): Promise<void> {
    const adapter = this.adapters.get('sirens');
    if (!adapter) {
      await record({ alertId: alert.alertId, channel: 'sirens', status: 'unavailable', queued: 0, sent: [], failed: [], note: 'no MQTT broker for sirens (VIGIL_SIREN_MQTT_URL)' });
      return;
    }
    const devices = [...(this.options.warningDevices?.() ?? [])].filter((d) => inArea(d.position, area));
    const levels = new Map(devices.map((d) => {
      const ambient = this.options.ambientOf?.(d) ?? { ambientDb: DEFAULT_AMBIENT_DB[d.kind], ambientSource: 'default' as const, measuredAt: null };
      return [d.id, { deviceId: d.id, kind: d.kind, ...ambient, levelDb: warningLevelDb(d.kind, ambient.ambientDb) }] as const;
    }));
    await this.options.onWarningLevels?.(alert, [...levels.values()]);
    const evacuate = infos.some((i) => i.responseType?.includes('Evacuate'));
    const base = this.options.publicUrl?.replace(/\/$/, '') ?? '';
    const messages: OutgoingMessage[] = devices.map((d) => ({
      recipientId: d.id,
      address: `${this.options.sirenTopicPrefix ?? 'vigil/sirens'}/${d.id}/command`,
      subject: '',
      headers: {},
      text: JSON.stringify({
        alertId: alert.alertId, identifier: alert.cap.identifier, sent: alert.cap.sent, status: alert.cap.status, exercise: exerciseMark(alert.cap),
        action: alert.cap.msgType === 'Cancel' ? 'stop' : 'sound', signal: alert.cap.msgType === 'Cancel' ? 'all-clear' : evacuate ? 'evacuate' : 'alert',
        levelDb: levels.get(d.id)!.levelDb, ambientDb: levels.get(d.id)!.ambientDb, ambientSource: levels.get(d.id)!.ambientSource,
        voice: d.kind === 'loudspeaker' && alert.cap.scope === 'Public' ? infos.map((i) => ({ language: i.language ?? 'en-US', url: `${base}/api/alerts/public/${alert.alertId}/voice/${i.language ?? 'en-US'}.wav`, text: textsOf(i).voice })) : [],
        expires: infos.map((i) => i.expires).filter(Boolean).sort().at(-1) ?? null,
      }),
    }));
    await this.send(alert, 'sirens', adapter, messages, record);
  }

  /** Batches with retries and progress; the same for people and devices. */
  private async send(alert: AlertRecord, channel: Channel, adapter: ChannelAdapter, messages: OutgoingMessage[], record: (d: DeliveryEvents['alerts.delivery.updated']) => Promise<unknown>, byLanguage?: Record<string, number>): Promise<void> {
    await record({ alertId: alert.alertId, channel, status: 'sending', queued: messages.length, sent: [], failed: [], ...(byLanguage ? { byLanguage } : {}) });
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

  private message({ alert }: Job, channel: Channel, r: Subscriber, address: string, texts: ChannelTexts): OutgoingMessage {
    const mark = exerciseMark(alert.cap);
    // The personal "are you safe?" link goes where it can be followed (e-mail, push), not into the SMS.
    const link = (): string => `${this.options.publicUrl?.replace(/\/$/, '') ?? ''}/safe/${ackToken(this.ctx.secrets, alert.alertId, r.subscriberId)}`;
    return {
      recipientId: r.subscriberId, address, subject: channel === 'email' ? texts.email.subject : '',
      text: channel === 'email' ? `${texts.email.body}\n\nAre you safe? Tell us: ${link()}`
        : channel === 'push' ? JSON.stringify({ title: texts.email.subject, body: texts.sms, alertId: alert.alertId, status: alert.cap.status, url: link() })
        : texts.sms,
      headers: { 'X-Vigil-Alert': alert.alertId, 'X-CAP-Identifier': alert.cap.identifier, ...(mark ? { 'X-Vigil-Exercise': mark } : {}) },
    };
  }

  stop(): void {
    this.stopped = true;
  }
}

/** One alert's dispatch: what every channel shares. */
interface Job {
  alert: AlertRecord;
  infos: CapInfo[];
  area: TargetArea;
  recipients: Subscriber[];
  textsOf: (info: CapInfo) => ChannelTexts;
}

function deliveryEvent(alert: AlertRecord, data: DeliveryEvents['alerts.delivery.updated']): NewEvent {
  return { type: 'alerts.delivery.updated', subject: `alert:${alert.alertId}`, orgId: alert.orgId, actor: 'system:alert-dispatcher', data };
}
