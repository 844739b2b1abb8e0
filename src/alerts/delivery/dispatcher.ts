import type { AppContext } from '../../platform/app-context.js';
import type { NewEvent } from '../../platform/event-log.js';
import type { CapInfo } from '../cap/cap-model.js';
import { channelTexts, type ChannelTexts } from '../messages/channel-text.js';
import { exerciseMark, type AlertRecord, type Channel } from '../model.js';
import type { Subscriber, SubscribersState } from '../subscribers/subscribers-state.js';
import { asksToEvacuate, type GuidanceSource } from '../evacuation-guidance.js';
import { inArea, targetAreaOf, type LonLat, type TargetArea } from '../targeting/area-geometry.js';
import { ackToken } from './acknowledgements.js';
import type { ChannelAdapter, OutgoingMessage } from './channel-adapter.js';
import type { ChannelRunner } from './channel-runner.js';
import { DEFAULT_AMBIENT_DB, type WarningLevel } from '../channels/sirens/ambient-noise.js';
import type { DeliveryEvents } from './delivery-state.js';
import type { ReceiptTracker } from '../channels/sms/receipt-tracker.js';
import { toRuns, type AreaRef, type RecipientTrack } from './recipient-track.js';

const BATCH = 200;
/** Recipients per `alerts.delivery.queued` event: ≈ 330 kB of ids, under the log's 1 MB event limit. */
const QUEUE_CHUNK = 10_000;
/** Progress events in flight while the next batch is sent; the log keeps them in order. */
const MAX_PROGRESS_IN_FLIGHT = 4;

/** Where each person-addressed channel reaches a subscriber. */
const ADDRESS: Partial<Record<Channel, (s: Subscriber) => string | null>> = { email: (s) => s.email, sms: (s) => s.phone, push: (s) => (s.push ? JSON.stringify(s.push) : null) };
const NOT_CONFIGURED: Partial<Record<Channel, string>> = { email: 'no SMTP server configured (VIGIL_SMTP_URL)', sms: 'no SMSC configured (VIGIL_SMPP_URL)', push: 'Web Push is off' };

export interface DispatcherOptions {
  /** Waits before retrying the messages that failed in a batch; one attempt more than there are waits. */
  backoffMs?: number[];
  /** Sirens and loudspeakers of the city (their positions decide which sound). */
  warningDevices?: () => Iterable<WarningDevice>;
  sirenTopicPrefix?: string;
  /** Base URL (no trailing slash) of the links in messages and the voice files loudspeakers fetch. */
  publicUrl?: () => string;
  /** The neighbourhood of the city a point is in (for reach per area), or null outside them all. */
  neighbourhoodOf?: (position: [number, number]) => AreaRef | null;
  /** Where the SMSC's message ids go, so its delivery receipts find their recipient. */
  receipts?: ReceiptTracker;
  /** Evacuation guidance at a recipient's place, in their language (routing), for alerts that ask to evacuate. */
  guidance?: GuidanceSource;
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

  /**
   * Sends on every channel the alert selected; with `resume`, only the channels named,
   * skipping recipients whose message an earlier run already handed over or failed
   * (their positions are in the channel's track), and queueing those it never reached.
   */
  /** `alertId:channel` of the deliveries running in this process (a resumer must not start them twice). */
  readonly running = new Set<string>();

  async dispatch(alert: AlertRecord, resume?: Resume): Promise<void> {
    const infos = alert.cap.info ?? [];
    const area = targetAreaOf(infos.flatMap((i) => i.area ?? []));
    const recipients = area.rings.length + area.circles.length > 0 ? this.subscribers.within(area) : [];
    // Each language's texts are the same for every recipient: made once per info block.
    const texts = new Map(infos.map((i) => [i, channelTexts(alert.cap, i)] as const));
    // Only alerts that ask people to leave carry a route: decided once, not per message.
    const guidance = this.options.guidance && asksToEvacuate(alert) ? this.options.guidance : null;
    const job: Job = { alert, infos, area, recipients, textsOf: (i) => texts.get(i)!, guidance, resume: resume ?? null };
    const channels = resume ? alert.channels.filter((c) => resume.channels.includes(c)) : alert.channels;
    await Promise.allSettled(channels.map(async (channel) => {
      const key = `${alert.alertId}:${channel}`;
      this.running.add(key);
      try {
        await this.channel(job, channel);
      } finally {
        this.running.delete(key);
      }
    }));
  }

  private async channel(job: Job, channel: Channel): Promise<void> {
    const { alert, infos, recipients } = job;
    const record = (data: DeliveryEvents['alerts.delivery.updated']): Promise<unknown> => this.ctx.record([deliveryEvent(alert, 'alerts.delivery.updated', data)]);
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
    const where = this.options.neighbourhoodOf;
    const areas: (AreaRef | null)[] | undefined = where ? [] : undefined;
    for (const r of recipients) {
      const to = address(r);
      if (!to) continue;
      const info = infoFor(infos, r.language);
      const lang = info.language ?? 'en-US';
      byLanguage[lang] = (byLanguage[lang] ?? 0) + 1;
      messages.push(this.message(job, channel, r, to, job.textsOf(info)));
      // The neighbourhood of the first of their places inside the alert's area.
      if (where) areas!.push(where((r.locations.find((l) => inArea(l.position, job.area)) ?? r.locations[0])!.position));
    }
    await this.send(job, channel, adapter, messages, record, byLanguage, areas);
  }

  /** One command per siren or loudspeaker inside the area: sound (or stop, for a Cancel), level, voice files per language. */
  private async sirens(job: Job, record: (d: DeliveryEvents['alerts.delivery.updated']) => Promise<unknown>): Promise<void> {
    const { alert, infos, area, textsOf } = job;
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
    const base = this.options.publicUrl?.() ?? '';
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
    await this.send(job, 'sirens', adapter, messages, record);
  }

  /**
   * Batches with retries and progress; the same for people and devices. Recipients are
   * recorded in order first (their position is how later progress names them), then
   * each batch's outcome by position: the log holds each recipient id once. A resumed
   * run keeps the positions already queued, sends only those still waiting, and queues
   * the recipients it never reached after them.
   */
  private async send({ alert, resume }: Job, channel: Channel, adapter: ChannelAdapter, messages: OutgoingMessage[], record: (d: DeliveryEvents['alerts.delivery.updated']) => Promise<unknown>, byLanguage?: Record<string, number>, areas?: (AreaRef | null)[]): Promise<void> {
    const progress = (data: Omit<DeliveryEvents['alerts.delivery.progressed'], 'alertId' | 'channel'>): Promise<unknown> => this.ctx.record([deliveryEvent(alert, 'alerts.delivery.progressed', { alertId: alert.alertId, channel, ...data })]);
    const inFlight = new Set<Promise<unknown>>();
    const receipts = channel === 'sms' ? this.options.receipts : undefined;
    const track = resume?.trackOf(channel) ?? null;
    const base = track?.size ?? 0;
    /** [message index, position] of recipients queued by an earlier run and still waiting. */
    const waiting: [number, number][] = [];
    let fresh: number[];
    if (track) {
      fresh = [];
      messages.forEach((m, i) => {
        const at = track.positionOf(m.recipientId);
        if (at < 0) fresh.push(i);
        else if (track.isState(at, 'queued')) waiting.push([i, at]);
      });
      await record({ alertId: alert.alertId, channel, status: 'sending', queued: fresh.length, sent: [], failed: [], note: `resumed after an interruption: ${waiting.length} queued earlier and not yet sent, ${fresh.length} not queued before` });
    } else {
      fresh = Array.from(messages.keys());
      await record({ alertId: alert.alertId, channel, status: 'sending', queued: messages.length, sent: [], failed: [], ...(byLanguage ? { byLanguage } : {}) });
    }
    const batch = async (pairs: [number, number][]): Promise<void> => {
      let pending = pairs;
      const sent: number[] = [];
      const failed: [number, string][] = [];
      for (let attempt = 0; pending.length > 0; attempt++) {
        const results = await adapter.send(pending.map(([i]) => messages[i]!));
        const retry: [number, number][] = [];
        results.forEach((r, j) => {
          const pair = pending[j]!;
          if (r.ok) {
            sent.push(pair[1]);
            if (receipts && r.messageIds) receipts.expect(alert, channel, pair[1], r.messageIds);
          } else if (r.retry && attempt < this.backoffMs.length) retry.push(pair);
          else failed.push([pair[1], r.error.slice(0, 200)]);
        });
        // Stopping: those still to retry stay queued, for the run that resumes this delivery.
        if (retry.length === 0 || this.stopped) break;
        await new Promise((r) => setTimeout(r, this.backoffMs[attempt]).unref());
        pending = retry;
      }
      sent.sort((x, y) => x - y);
      const step = progress({ sent: toRuns(sent), failed });
      inFlight.add(step);
      void step.finally(() => inFlight.delete(step)).catch(() => {});
      if (inFlight.size >= MAX_PROGRESS_IN_FLIGHT) await Promise.race(inFlight);
    };
    for (let i = 0; i < waiting.length && !this.stopped; i += BATCH) await batch(waiting.slice(i, i + BATCH));
    for (let chunk = 0; chunk < fresh.length && !this.stopped; chunk += QUEUE_CHUNK) {
      const inChunk = fresh.slice(chunk, chunk + QUEUE_CHUNK);
      const first = base + chunk;
      await this.ctx.record([deliveryEvent(alert, 'alerts.delivery.queued', { alertId: alert.alertId, channel, first, recipients: inChunk.map((i) => messages[i]!.recipientId), ...(areas ? areaTable(inChunk.map((i) => areas[i] ?? null)) : {}) })]);
      for (let k = 0; k < inChunk.length && !this.stopped; k += BATCH) await batch(inChunk.slice(k, k + BATCH).map((i, j): [number, number] => [i, first + k + j]));
    }
    await Promise.all(inFlight);
    // A node that is stopping leaves the channel 'sending': the next run resumes it.
    if (!this.stopped) await record({ alertId: alert.alertId, channel, status: 'done', queued: 0, sent: [], failed: [] });
  }

  private message({ alert, area, guidance }: Job, channel: Channel, r: Subscriber, address: string, texts: ChannelTexts): OutgoingMessage {
    const mark = exerciseMark(alert.cap);
    // The personal "are you safe?" link goes where it can be followed (e-mail, push), not into the SMS.
    const link = (): string => `${this.options.publicUrl?.() ?? ''}/safe/${ackToken(this.ctx.secrets, alert.alertId, r.subscriberId)}`;
    // Where this person should walk, from their place in the area: only where a message can carry a route (e-mail, push).
    const g = guidance && (channel === 'email' || channel === 'push') ? guidance(alert, placeIn(r, area), r.language) : null;
    return {
      recipientId: r.subscriberId, address, subject: channel === 'email' ? texts.email.subject : '',
      text: channel === 'email' ? `${texts.email.body}${g ? `\n\n${g}` : ''}\n\nAre you safe? Tell us: ${link()}`
        : channel === 'push' ? JSON.stringify({ title: texts.email.subject, body: g ? `${texts.sms}\n${g}` : texts.sms, alertId: alert.alertId, status: alert.cap.status, url: link(), guidance: g })
        : texts.sms,
      headers: { 'X-Vigil-Alert': alert.alertId, 'X-CAP-Identifier': alert.cap.identifier, ...(mark ? { 'X-Vigil-Exercise': mark } : {}) },
    };
  }

  stop(): void {
    this.stopped = true;
  }
}

/** The recipient's place the guidance starts from: the first of their places inside the area, else their first. */
function placeIn(r: Subscriber, area: TargetArea): LonLat | null {
  return (r.locations.find((l) => inArea(l.position, area)) ?? r.locations[0])?.position ?? null;
}

/** One alert's dispatch: what every channel shares. */
interface Job {
  alert: AlertRecord;
  infos: CapInfo[];
  area: TargetArea;
  recipients: Subscriber[];
  textsOf: (info: CapInfo) => ChannelTexts;
  /** Evacuation guidance for this alert, or null when it asks for none. */
  guidance: GuidanceSource | null;
  resume: Resume | null;
}

/** What a resumed delivery needs: the channels left unfinished, and what each already reached. */
export interface Resume {
  channels: readonly Channel[];
  trackOf(channel: Channel): RecipientTrack | null;
}

export function deliveryEvent<T extends keyof DeliveryEvents>(alert: AlertRecord, type: T, data: DeliveryEvents[T]): NewEvent {
  return { type, subject: `alert:${alert.alertId}`, orgId: alert.orgId, actor: 'system:alert-dispatcher', data };
}

/** The neighbourhoods of a chunk as a small table and an index per recipient (-1: in none). */
function areaTable(of: readonly (AreaRef | null)[]): { area: number[]; areas: AreaRef[] } {
  const areas: AreaRef[] = [];
  const index = new Map<string, number>();
  const area = of.map((a) => {
    if (!a) return -1;
    let i = index.get(a.id);
    if (i === undefined) {
      index.set(a.id, (i = areas.length));
      areas.push(a);
    }
    return i;
  });
  return { area, areas };
}
