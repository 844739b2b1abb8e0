import type { Logger } from 'pino';
import type { Clock } from '../kernel/time.js';
import type { Leadership } from './leadership.js';

/**
 * Personal notices: telling a member of the public that something they asked about
 * changed — their citizen report was resolved, the consultation they answered was
 * decided — on the channels they agreed to (e-mail, Web Push on the device they used).
 *
 * Durable without a queue of its own: the fact that calls for a notice (the resolution,
 * the decision) is in the log, and so is each notice's outcome (sent, or failed with
 * whether it is final). The owning capability's projection derives the notices still
 * due from both, so a node that stops before sending sends them after its restart, and
 * retries go on until the peer takes the message or refuses it for good. At least once:
 * a node stopped between the peer's acceptance and the record sends it again.
 */
export const NOTICE_CHANNELS = ['email', 'push'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

/** The consent recorded with a report or an answer (no personal data: the addresses are sealed apart). */
export interface NoticeConsent {
  channels: NoticeChannel[];
  /** The language the person used, for the message. */
  lang: 'en' | 'fr';
  at: string;
}

/** A browser's Web Push subscription (W3C Push API). */
export interface PushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** Where to reach the person, sealed under their personal-data key with the rest of what they gave. */
export interface NoticeAddresses {
  email: string | null;
  push: PushSubscriptionJson | null;
  /** The personal follow token (only its hash is kept in the clear): the message links to the person's status page. */
  followToken: string;
}

/** The consent and where the person is told, as their data-subject export shows them (a push subscription by its endpoint only). */
export function consentInExport(
  consent: NoticeConsent | null | undefined,
  to: NoticeAddresses | null,
): { channels: NoticeChannel[]; consentAt: string; email: string | null; push: { endpoint: string } | null } | null {
  return consent
    ? { channels: consent.channels, consentAt: consent.at, email: to?.email ?? null, push: to?.push ? { endpoint: to.push.endpoint } : null }
    : null;
}

/** One message for one person on one channel. */
export interface PersonalMessage {
  /** An e-mail address, or a push subscription as JSON. */
  address: string;
  subject: string;
  /** The e-mail's text, or the push notification's JSON payload. */
  text: string;
  headers: Record<string, string>;
}

export type MessengerResult = { ok: true } | { ok: false; error: string; retry: boolean };

/** The installation's messaging channels to a person (the alerts capability's e-mail and Web Push adapters). */
export interface PersonalMessenger {
  /** Why a channel cannot deliver here (no SMTP server), or null. */
  unavailable(channel: NoticeChannel): string | null;
  send(channel: NoticeChannel, message: PersonalMessage): Promise<MessengerResult>;
}

/** What staff see of one notice to a person: what it told them, on which channel, when, and what became of it. */
export interface NoticeStateView {
  /** What it tells: the report resolved, merged, turned into an incident; the consultation decided. */
  what: 'resolved' | 'merged' | 'escalated' | 'decided';
  channel: NoticeChannel;
  /** due: not taken yet (pending, or failed attempts so far); sent: taken by the peer; failed: given up. */
  state: 'due' | 'sent' | 'failed';
  attempts: number;
  /** The last failure's reason, without the person's address (staff who may not read it see the notice all the same). */
  error: string | null;
  /** When it became due, or of its last outcome. */
  at: string;
}

/**
 * A peer's refusal as staff may read it: e-mail addresses and URLs (a push endpoint
 * names the person's device) are replaced, since SMTP servers echo the recipient.
 */
export function noticeErrorForStaff(error: string | null): string | null {
  if (!error) return null;
  return error
    .replace(/[^\s<>"'@]+@[^\s<>"'@]+/g, '[address]')
    .replace(/\bhttps?:\/\/[^\s"'<>]+/g, '[endpoint]')
    .slice(0, 300);
}

/** A notice still due, as the owning projection derives it. */
export interface DueNotice {
  /** Stable: `<record id>:<what happened>:<channel>`, so the outcome recorded for it closes it. */
  noticeId: string;
  channel: NoticeChannel;
  /** Failed attempts recorded so far. */
  attempts: number;
}

/** The message of a due notice, or why there is none (the person's data were erased: nothing to send, recorded as final). */
export type ComposedNotice = { message: PersonalMessage } | { skip: string };

/**
 * Sends the notices a projection says are due, on the leading node, one pass at a time:
 * composes each (opening the sealed addresses), hands it to the messenger, records the
 * outcome. A failure the peer may recover from waits (`retryMs[attempt]`) and is tried
 * again; after the last wait, or on a final refusal, it is recorded as final.
 */
export class NoticeSender<N extends DueNotice> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** noticeId → not before (ms), after a failed attempt. */
  private readonly waitUntil = new Map<string, number>();

  constructor(
    private readonly deps: {
      name: string;
      clock: Clock;
      logger: Logger;
      leadership: Leadership;
      messenger: PersonalMessenger | null;
      due(): Iterable<N>;
      compose(notice: N): Promise<ComposedNotice>;
      recordSent(notice: N): Promise<unknown>;
      recordFailed(notice: N, error: string, final: boolean): Promise<unknown>;
    },
    private readonly options: { everyMs: number; retryMs: readonly number[] },
  ) {}

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.kick(), this.options.everyMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Something may be due: run a pass now (or right after the one running). */
  kick(): void {
    if (this.stopped || !this.timer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, `${this.deps.name}: a notice pass failed; the next one tries again`))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One pass over what is due now; resolves when it is done (tests and `kick`). */
  async pass(): Promise<void> {
    if (!this.deps.leadership.isLeader()) return;
    const now = this.deps.clock.now();
    for (const n of [...this.deps.due()]) {
      if (this.stopped) return;
      if ((this.waitUntil.get(n.noticeId) ?? 0) > now) continue;
      const unavailable = this.deps.messenger ? this.deps.messenger.unavailable(n.channel) : 'no messaging channels on this node';
      if (unavailable) {
        // Nothing to try now (no SMTP server configured): kept due, looked at again later.
        this.waitUntil.set(n.noticeId, now + 60_000);
        continue;
      }
      const composed = await this.deps.compose(n);
      if ('skip' in composed) {
        await this.deps.recordFailed(n, composed.skip, true);
        continue;
      }
      const result = await this.deps.messenger!.send(n.channel, composed.message);
      if (result.ok) {
        this.waitUntil.delete(n.noticeId);
        await this.deps.recordSent(n);
        continue;
      }
      const final = !result.retry || n.attempts >= this.options.retryMs.length;
      if (final) this.waitUntil.delete(n.noticeId);
      else this.waitUntil.set(n.noticeId, now + this.options.retryMs[n.attempts]!);
      await this.deps.recordFailed(n, result.error.slice(0, 500), final);
    }
  }
}

/** A push subscription given by a browser, checked: an https endpoint and its two keys; null with a reason when it is not one. */
export function checkPushSubscription(value: unknown): { ok: true; value: PushSubscriptionJson } | { ok: false; error: string } {
  const v = value as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } } | null;
  if (typeof v !== 'object' || v === null) return { ok: false, error: 'the push subscription is not an object' };
  if (typeof v.endpoint !== 'string' || v.endpoint.length > 1000 || !/^https:\/\/[^\s]+$/.test(v.endpoint))
    return { ok: false, error: 'the push subscription needs an https endpoint' };
  const k = v.keys;
  if (typeof k !== 'object' || k === null || typeof k.p256dh !== 'string' || typeof k.auth !== 'string' || k.p256dh.length > 200 || k.auth.length > 100)
    return { ok: false, error: 'the push subscription needs its p256dh and auth keys' };
  if (!/^[A-Za-z0-9_-]+=*$/.test(k.p256dh) || !/^[A-Za-z0-9_-]+=*$/.test(k.auth)) return { ok: false, error: 'the push subscription keys are base64url' };
  return { ok: true, value: { endpoint: v.endpoint, keys: { p256dh: k.p256dh, auth: k.auth } } };
}

/** The service of a capability that owes people notices: composes and records each; told when something may be due. */
export interface NoticeSource<N extends DueNotice> {
  composeNotice(notice: N): Promise<ComposedNotice>;
  recordNoticeSent(notice: N): Promise<unknown>;
  recordNoticeFailed(notice: N, error: string, final: boolean): Promise<unknown>;
  /** Set here: the source calls it when something may have become due. */
  noticesMayBeDue: () => void;
}

/** The notice sender of a capability, on the node's clock, leadership and notice settings, kicked by its service. */
export function noticeSenderFor<N extends DueNotice>(
  name: string,
  node: { clock: Clock; logger: Logger; leadership: Leadership; config: { noticeTickMs: number; noticeRetryMs: number[] } },
  messenger: PersonalMessenger | null,
  due: () => Iterable<N>,
  source: NoticeSource<N>,
): NoticeSender<N> {
  const sender = new NoticeSender<N>(
    {
      name,
      clock: node.clock,
      logger: node.logger,
      leadership: node.leadership,
      messenger,
      due,
      compose: (n) => source.composeNotice(n),
      recordSent: (n) => source.recordNoticeSent(n),
      recordFailed: (n, error, final) => source.recordNoticeFailed(n, error, final),
    },
    { everyMs: node.config.noticeTickMs, retryMs: node.config.noticeRetryMs },
  );
  source.noticesMayBeDue = () => sender.kick();
  return sender;
}
