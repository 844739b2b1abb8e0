import type { AppContext } from '../../platform/app-context.js';
import type { NewEvent } from '../../platform/event-log.js';
import type { CapInfo } from '../cap/cap-model.js';
import { channelTexts, type ChannelTexts } from '../messages/channel-text.js';
import type { AlertRecord, Channel } from '../model.js';
import type { Subscriber, SubscribersState } from '../subscribers/subscribers-state.js';
import { asksToEvacuate, prepareGuidance, type GuidanceSource } from '../evacuation-guidance.js';
import { inArea, targetAreaOf, type LonLat, type TargetArea } from '../targeting/area-geometry.js';
import type { AlertChannel, ChannelJob, DeviceChannel, OutgoingMessage, PersonalParts, RecipientChannel } from '../channels/channel.js';
import type { ReceiptTracker } from '../channels/sms/receipt-tracker.js';
import { ackTokens } from './acknowledgements.js';
import type { DeliveryEvents } from './delivery-state.js';
import { toRuns, type AreaRef, type RecipientTrack } from './recipient-track.js';

const BATCH = 200;
/** Recipients per `alerts.delivery.queued` event: ≈ 330 kB of ids, under the log's 1 MB event limit. */
const QUEUE_CHUNK = 10_000;
/**
 * Recipients whose outcome may be not yet durable when the next batch goes out (three
 * batches): with that batch, what a node killed mid-delivery may send twice on resuming.
 */
const UNDURABLE_WINDOW = 3 * BATCH;

export interface DispatcherOptions {
  /** Waits before retrying the messages that failed in a batch; one attempt more than there are waits. */
  backoffMs?: number[];
  /** Base URL (no trailing slash) of the links in messages. */
  publicUrl?: () => string;
  /** The neighbourhood of the city a point is in (for reach per area), or null outside them all. */
  neighbourhoodOf?: (position: [number, number]) => AreaRef | null;
  /** Where the peer's message ids go, on channels whose receipts confirm delivery (SMS). */
  receipts?: ReceiptTracker;
  /** Evacuation guidance at a recipient's place, in their language (routing), for alerts that ask to evacuate. */
  guidance?: GuidanceSource;
}

/** The info block in the recipient's language: exact tag, then same primary language, then the first. */
export function infoFor(infos: readonly CapInfo[], language: string): CapInfo {
  const lang = language.toLowerCase();
  return (
    infos.find((i) => (i.language ?? 'en-US').toLowerCase() === lang) ??
    infos.find((i) => (i.language ?? 'en-US').toLowerCase().split('-')[0] === lang.split('-')[0]) ??
    infos[0]!
  );
}

/**
 * Sends an issued alert on every channel it selected, at once: each channel runs on
 * its own, a failing or missing channel is reported and never holds up the others.
 * Channels are driven by what they are (channels/channel.ts): a per-recipient channel
 * gets the subscribers with a location in the alert's area, each with the info block
 * in their language; a per-device channel names its devices in the area; both are sent
 * in batches with retries, tracked per target and resumed. Other channels deliver
 * themselves. Progress is recorded in batches so every node's UI shows it live.
 */
export class AlertDispatcher {
  private readonly backoffMs: number[];
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly subscribers: SubscribersState,
    private readonly channels: ReadonlyMap<Channel, AlertChannel>,
    private readonly options: DispatcherOptions = {},
  ) {
    this.backoffMs = options.backoffMs ?? [1_000, 4_000, 16_000];
  }

  /** `alertId:channel` of the deliveries running in this process (a resumer must not start them twice). */
  readonly running = new Set<string>();

  /** The channel of that name in this installation, if any. */
  channelOf(name: Channel): AlertChannel | undefined {
    return this.channels.get(name);
  }

  /**
   * Sends on every channel the alert selected; with `resume`, only the channels named,
   * skipping recipients whose message an earlier run already handed over or failed
   * (their positions are in the channel's track), and queueing those it never reached.
   */
  async dispatch(alert: AlertRecord, resume?: Resume): Promise<void> {
    // Marked running before the first await, so a resumer looking meanwhile does not start them twice.
    const channels = resume ? alert.channels.filter((c) => resume.channels.includes(c)) : alert.channels;
    const keys = channels.map((channel) => `${alert.alertId}:${channel}`);
    keys.forEach((key) => this.running.add(key));
    try {
      await this.dispatchOn(alert, channels, resume);
    } finally {
      keys.forEach((key) => this.running.delete(key));
    }
  }

  private async dispatchOn(alert: AlertRecord, channels: Channel[], resume?: Resume): Promise<void> {
    const infos = alert.cap.info ?? [];
    const area = targetAreaOf(infos.flatMap((i) => i.area ?? []));
    // Each language's texts are the same for every recipient: made once per info block.
    const texts = new Map(infos.map((i) => [i, channelTexts(alert.cap, i)] as const));
    // Only alerts that ask people to leave carry a route: decided once, not per message.
    const guidance = this.options.guidance && asksToEvacuate(alert) ? this.options.guidance : null;
    if (guidance) await prepareGuidance(guidance, [alert]);
    let recipients: Subscriber[] | null = null;
    const job: Job = {
      alert,
      infos,
      area,
      textsOf: (i) => texts.get(i)!,
      guidance,
      resume: resume ?? null,
      // Looked up once, by the first per-recipient channel that needs them.
      recipients: () => (recipients ??= area.rings.length + area.circles.length > 0 ? this.subscribers.within(area) : []),
    };
    await Promise.allSettled(channels.map((channel) => this.channel(job, channel)));
  }

  private async channel(job: Job, name: Channel): Promise<void> {
    const { alert } = job;
    const record = (data: DeliveryEvents['alerts.delivery.updated']): Promise<unknown> =>
      this.ctx.record([deliveryEvent(alert, 'alerts.delivery.updated', data)]);
    const channel = this.channels.get(name);
    const unavailable = channel ? channel.unavailable : 'no adapter for this channel in this version';
    if (!channel || unavailable !== null) {
      await record({ alertId: alert.alertId, channel: name, status: 'unavailable', queued: 0, sent: [], failed: [], note: unavailable! });
      return;
    }
    const channelJob: ChannelJob = { alert, infos: job.infos, area: job.area, textsOf: job.textsOf, record };
    switch (channel.reach) {
      case 'per-recipient':
        return this.toRecipients(job, channelJob, channel);
      case 'per-device':
        return this.send(job, channel, messagesAsTargets(await channel.commands(channelJob)), record);
      default:
        return channel.deliver(channelJob);
    }
  }

  /**
   * One message per subscriber in the area with an address on this channel, in their
   * language. The recipients, their languages and neighbourhoods are gathered first (the
   * log records them before any message); each message is made when its batch goes out,
   * so a million recipients are never a million message objects alive at once.
   */
  private async toRecipients(job: Job, channelJob: ChannelJob, channel: RecipientChannel): Promise<void> {
    const { alert, infos, area, guidance } = job;
    const targets: Subscriber[] = [];
    const addresses: string[] = [];
    const textsAt: ChannelTexts[] = [];
    const where = this.options.neighbourhoodOf;
    const areas: (AreaRef | null)[] | undefined = where ? [] : undefined;
    // Per subscriber language (one lookup per recipient): the info block's texts and language, and how many get it.
    const perLanguage = new Map<string, { texts: ChannelTexts; lang: string; count: number }>();
    for (const r of job.recipients()) {
      const to = channel.addressOf(r);
      if (!to) continue;
      let language = perLanguage.get(r.language);
      if (!language) {
        const info = infoFor(infos, r.language);
        perLanguage.set(r.language, (language = { texts: job.textsOf(info), lang: info.language ?? 'en-US', count: 0 }));
      }
      language.count++;
      targets.push(r);
      addresses.push(to);
      textsAt.push(language.texts);
      // The neighbourhood of the first of their places inside the alert's area (where guidance starts too).
      if (where) {
        const place = placeIn(r, area);
        areas!.push(place ? where(place) : null);
      }
    }
    const byLanguage = Object.create(null) as Record<string, number>; // languages are the author's input
    for (const { lang, count } of perLanguage.values()) byLanguage[lang] = (byLanguage[lang] ?? 0) + count;
    // Per alert, not per recipient: the link's base and the alert's MAC key; the links of a batch in one call.
    const links = new SafeLinks(`${this.options.publicUrl?.() ?? ''}/safe/`, ackTokens(this.ctx.secrets, alert.alertId));
    const personal: PersonalParts = {
      safeLink: (r) => links.of(r),
      guidance: (r) => (guidance ? guidance(alert, placeIn(r, area), r.language) : null),
    };
    const recipients: Targets = {
      size: targets.length,
      idOf: (i) => targets[i]!.subscriberId,
      messagesOf: (indices) => {
        const batch = indices.map((i) => targets[i]!);
        links.start(batch);
        return indices.map((i, j) => channel.message(channelJob, batch[j]!, addresses[i]!, textsAt[i]!, personal));
      },
    };
    await this.send(job, channel, recipients, channelJob.record, byLanguage, areas);
  }

  /**
   * Batches with retries and progress; the same for people and devices. Recipients are
   * recorded in order first (their position is how later progress names them), then
   * each batch's outcome by position: the log holds each recipient id once. A resumed
   * run keeps the positions already queued, sends only those still waiting, and queues
   * the recipients it never reached after them.
   */
  private async send(
    { alert, resume }: Job,
    adapter: RecipientChannel | DeviceChannel,
    targets: Targets,
    record: (d: DeliveryEvents['alerts.delivery.updated']) => Promise<unknown>,
    byLanguage?: Record<string, number>,
    areas?: (AreaRef | null)[],
  ): Promise<void> {
    const channel = adapter.channel;
    const progress = new ProgressLog(
      (data) => this.ctx.record([deliveryEvent(alert, 'alerts.delivery.progressed', { alertId: alert.alertId, channel, ...data })]),
      UNDURABLE_WINDOW,
    );
    const receipts = adapter.reach === 'per-recipient' && adapter.receipts ? this.options.receipts : undefined;
    const track = resume?.trackOf(channel) ?? null;
    const base = track?.size ?? 0;
    /** Target indices and positions of recipients queued by an earlier run and still waiting. */
    const waiting: number[] = [];
    const waitingAt: number[] = [];
    const fresh: number[] = [];
    if (track) {
      for (let i = 0; i < targets.size; i++) {
        const at = track.positionOf(targets.idOf(i));
        if (at < 0) fresh.push(i);
        else if (track.isState(at, 'queued')) {
          waiting.push(i);
          waitingAt.push(at);
        }
      }
      await record({
        alertId: alert.alertId,
        channel,
        status: 'sending',
        queued: fresh.length,
        sent: [],
        failed: [],
        note: `resumed after an interruption: ${waiting.length} queued earlier and not yet sent, ${fresh.length} not queued before`,
      });
    } else {
      for (let i = 0; i < targets.size; i++) fresh.push(i);
      await record({
        alertId: alert.alertId,
        channel,
        status: 'sending',
        queued: targets.size,
        sent: [],
        failed: [],
        ...(byLanguage ? { byLanguage } : {}),
      });
    }
    /** Sends the targets `indices` (at `positions` in the track), retrying what the peer asks to retry. */
    const batch = async (indices: number[], positions: readonly number[]): Promise<void> => {
      const messages = targets.messagesOf(indices);
      /** Indices into `messages` still to send; null: all of them. */
      let pending: number[] | null = null;
      const sent: number[] = [];
      const failed: [number, string][] = [];
      for (let attempt = 0; ; attempt++) {
        const results = await adapter.send(pending ? pending.map((j) => messages[j]!) : messages);
        const retry: number[] = [];
        for (let k = 0; k < results.length; k++) {
          const r = results[k]!;
          const j = pending ? pending[k]! : k;
          if (r.ok) {
            sent.push(positions[j]!);
            if (receipts && r.messageIds) receipts.expect(alert, channel, positions[j]!, r.messageIds);
          } else if (r.retry && attempt < this.backoffMs.length) retry.push(j);
          else failed.push([positions[j]!, r.error.slice(0, 200)]);
        }
        // Stopping: those still to retry stay queued, for the run that resumes this delivery.
        if (retry.length === 0 || this.stopped) break;
        await new Promise((r) => setTimeout(r, this.backoffMs[attempt]).unref());
        pending = retry;
      }
      progress.add(sent, failed);
      await progress.room();
    };
    for (let i = 0; i < waiting.length && !this.stopped; i += BATCH) await batch(waiting.slice(i, i + BATCH), waitingAt.slice(i, i + BATCH));
    /** Records the positions of one chunk of recipients; their messages go only once it is durable. */
    const queue = (chunk: number): Promise<unknown> => {
      const inChunk = fresh.slice(chunk, chunk + QUEUE_CHUNK);
      const written = this.ctx.record([
        deliveryEvent(alert, 'alerts.delivery.queued', {
          alertId: alert.alertId,
          channel,
          first: base + chunk,
          recipients: inChunk.map((i) => targets.idOf(i)),
          ...(areas ? areaTable(inChunk.map((i) => areas[i] ?? null)) : {}),
        }),
      ]);
      written.catch(() => {}); // awaited where its chunk is sent; not at all if the node stops before
      return written;
    };
    let queued = fresh.length > 0 ? queue(0) : null;
    for (let chunk = 0; chunk < fresh.length && !this.stopped; chunk += QUEUE_CHUNK) {
      await queued;
      // The next chunk is written while this one is sent (still durable before its first message).
      queued = chunk + QUEUE_CHUNK < fresh.length ? queue(chunk + QUEUE_CHUNK) : null;
      const first = base + chunk;
      for (let k = 0; k < QUEUE_CHUNK && chunk + k < fresh.length && !this.stopped; k += BATCH) {
        const indices = fresh.slice(chunk + k, Math.min(chunk + k + BATCH, chunk + QUEUE_CHUNK));
        await batch(
          indices,
          indices.map((_, j) => first + k + j),
        );
      }
    }
    await progress.drain();
    // A node that is stopping leaves the channel 'sending': the next run resumes it.
    if (!this.stopped) await record({ alertId: alert.alertId, channel, status: 'done', queued: 0, sent: [], failed: [] });
  }

  stop(): void {
    this.stopped = true;
  }
}

/** The recipient's place the guidance starts from: the first of their places inside the area, else their first. */
function placeIn(r: Subscriber, area: TargetArea): LonLat | null {
  return (r.locations.find((l) => inArea(l.position, area)) ?? r.locations[0])?.position ?? null;
}

/** What `send` hands over: targets by index, their ids, and their messages, made a batch at a time. */
interface Targets {
  size: number;
  idOf(i: number): string;
  /** The messages of these targets, in this order (made when their batch goes out, so they die young). */
  messagesOf(indices: readonly number[]): OutgoingMessage[];
}

/** Messages made in advance (a device channel's commands) as targets. */
function messagesAsTargets(messages: readonly OutgoingMessage[]): Targets {
  return { size: messages.length, idOf: (i) => messages[i]!.recipientId, messagesOf: (indices) => indices.map((i) => messages[i]!) };
}

/**
 * The "are you safe?" links of the batch being made: all of them in one call (ackTokens)
 * when the channel asks for the first, none for a channel that carries no link (SMS).
 */
class SafeLinks {
  private batch: readonly Subscriber[] = [];
  private tokens: string[] | null = null;
  private next = 0;

  constructor(
    private readonly base: string,
    private readonly tokensOf: (recipientIds: readonly string[]) => string[],
  ) {}

  start(batch: readonly Subscriber[]): void {
    this.batch = batch;
    this.tokens = null;
    this.next = 0;
  }

  of(to: Subscriber): string {
    // Asked in batch order by the dispatcher's loop; any other recipient gets a link of its own.
    const k = this.batch[this.next] === to ? this.next : this.batch.indexOf(to);
    if (k < 0) return this.base + this.tokensOf([to.subscriberId])[0]!;
    this.tokens ??= this.tokensOf(this.batch.map((r) => r.subscriberId));
    this.next = k + 1;
    return this.base + this.tokens[k]!;
  }
}

/**
 * A channel's progress in the log, one event at a time: the outcomes of the batches sent
 * while an event is being written go together in the next one (a group commit per channel:
 * fewer, larger events, each recipient's outcome once, in order), and the dispatcher sends
 * no new batch while more than `window` outcomes are not yet durable.
 */
class ProgressLog {
  private sent: number[] = [];
  private failed: [number, string][] = [];
  /** The event being written (never rejects: a failure is kept for `drain`). */
  private writing: Promise<void> | null = null;
  /** Outcomes gathered or being written, not yet durable. */
  private undurable = 0;
  private error: unknown = null;

  constructor(
    private readonly write: (data: Pick<DeliveryEvents['alerts.delivery.progressed'], 'sent' | 'failed'>) => Promise<unknown>,
    private readonly window: number,
  ) {}

  add(sent: readonly number[], failed: readonly [number, string][]): void {
    for (const p of sent) this.sent.push(p);
    for (const f of failed) this.failed.push(f);
    this.undurable += sent.length + failed.length;
    if (!this.writing) this.next();
  }

  /**
   * Waits while too many outcomes are not durable; otherwise one turn of the event loop, so
   * the log hands the event to its writer now and it is committed while the next batch is sent.
   */
  async room(): Promise<void> {
    if (this.undurable <= this.window) return new Promise((resolve) => setImmediate(resolve));
    while (this.undurable > this.window && this.writing) await this.writing;
  }

  /** Everything gathered is durable; throws when an event could not be written. */
  async drain(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.error) throw this.error;
  }

  private next(): void {
    const n = this.sent.length + this.failed.length;
    if (n === 0) return;
    const sent = this.sent.sort((x, y) => x - y);
    const failed = this.failed;
    this.sent = [];
    this.failed = [];
    const done = (error?: unknown): void => {
      if (error !== undefined) this.error ??= error;
      this.undurable -= n;
      this.writing = null;
      this.next();
    };
    this.writing = this.write({ sent: toRuns(sent), failed }).then(() => done(), done);
  }
}

/** One alert's dispatch: what every channel shares. */
interface Job {
  alert: AlertRecord;
  infos: CapInfo[];
  area: TargetArea;
  recipients: () => Subscriber[];
  textsOf: ChannelJob['textsOf'];
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
