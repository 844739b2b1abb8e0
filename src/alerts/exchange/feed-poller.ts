import { createHash } from 'node:crypto';
import { getOnce } from '../../adapters/http/outbound-get.js';
import { VigilError } from '../../kernel/errors.js';
import type { AppContext } from '../../platform/app-context.js';
import type { AlertsService } from '../alerts-service.js';
import { MAX_CAP_BYTES } from '../cap/cap-xml.js';
import { charsetOf, decodeXml, xmlMediaType } from './charset.js';
import type { ExchangeEvents, ExchangeState, FeedStatus, FeedSubscription } from './exchange-state.js';
import { readFeed } from './feed-reader.js';

/** The largest feed document read (an index of a few hundred entries is well under it). */
export const MAX_FEED_BYTES = 8 * 1024 * 1024;
/** New entries fetched per poll; the rest wait for the next poll (validators are not kept until all are read). */
export const MAX_NEW_PER_POLL = 50;
/** The longest wait between polls of a failing feed. */
export const MAX_BACKOFF_MS = 60 * 60_000;
/** Entry keys remembered per feed (a feed's entries, with room for churn). */
const SEEN_LIMIT = 5000;

interface Memo {
  etag: string | null;
  lastModified: string | null;
  seen: Set<string>;
  failures: number;
  nextAt: number;
  /** The last status recorded (what the log says), to record only changes. */
  recorded: { ok: boolean; error: string | null } | null;
}

/** The wait after `failures` failures in a row: the interval doubled each time, at most an hour, at least what the peer asked (Retry-After). */
export function backoffMs(intervalMs: number, failures: number, retryAfter?: number): number {
  const wait = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(failures, 16));
  return Math.max(wait, Math.min(retryAfter ?? 0, MAX_BACKOFF_MS));
}

/**
 * Polls other agencies' CAP feeds (Atom, RSS) and CAP endpoints and imports what is
 * new. Only the cluster's leader polls (ctx.leadership, like the alarm timers), so each
 * document is fetched and imported once; a new leader starts with an unconditional GET
 * and the import's duplicate check keeps it to one alert per message. Conditional GET
 * (ETag, Last-Modified), backoff on errors (doubling, Retry-After honoured), the
 * outbound SSRF guard, and bounded sizes. The log records a feed's status when it
 * changes or when something was imported, never every poll.
 */
export class FeedPoller {
  private readonly memos = new Map<string, Memo>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly stopping = new AbortController();

  constructor(
    private readonly ctx: AppContext,
    private readonly state: ExchangeState,
    private readonly alerts: AlertsService,
    private readonly options: { tickMs: number } = { tickMs: 5_000 },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopping.abort();
  }

  private memo(feedId: string): Memo {
    let m = this.memos.get(feedId);
    if (!m) {
      const s = this.state.status.get(feedId);
      m = { etag: null, lastModified: null, seen: new Set(), failures: s?.failures ?? 0, nextAt: 0, recorded: s ? { ok: s.ok, error: s.error } : null };
      this.memos.set(feedId, m);
    }
    return m;
  }

  /** Polls the feeds that are due; nothing on a node that is not the leader. */
  async tick(): Promise<void> {
    if (this.running || !this.ctx.leadership.isLeader()) return;
    this.running = true;
    try {
      for (const id of this.memos.keys()) if (!this.state.feeds.has(id)) this.memos.delete(id);
      const now = this.ctx.clock.now();
      for (const feed of this.state.feeds.values()) {
        if (this.stopping.signal.aborted) break;
        if (this.memo(feed.feedId).nextAt <= now) await this.poll(feed);
      }
    } catch (error) {
      this.ctx.logger.error({ err: error }, 'feed polling failed');
    } finally {
      this.running = false;
    }
  }

  /** Polls one feed now (the leader only: another node would fetch what the leader fetches). */
  async pollNow(feed: FeedSubscription): Promise<void> {
    if (!this.ctx.leadership.isLeader())
      throw new VigilError('unavailable', 'feeds are polled by the cluster’s leader, and this node is not it: the leader polls it on schedule');
    await this.poll(feed);
  }

  private async poll(feed: FeedSubscription): Promise<void> {
    const m = this.memo(feed.feedId);
    const intervalMs = feed.intervalSeconds * 1000;
    const publicOnly = !this.ctx.config.webhookAllowPrivate;
    const answer = await getOnce(feed.url, { etag: m.etag, lastModified: m.lastModified, maxBytes: MAX_FEED_BYTES, publicOnly, signal: this.stopping.signal });
    if (!answer.ok) return this.failed(feed, m, answer.error, answer.retryAfterMs);
    if (answer.status === 304) return this.succeeded(feed, m, 0, []);
    let entries: { key: string; url: string | null }[];
    try {
      const decoded = decodeXml(answer.bytes, charsetOf(answer.contentType ?? undefined));
      const read = readFeed(decoded.text, feed.url);
      entries =
        read.kind === 'cap' ? [{ key: `sha256:${createHash('sha256').update(answer.bytes).digest('hex')}`, url: null }] : read.entries.map((e) => ({ ...e }));
    } catch (error) {
      return this.failed(feed, m, error instanceof VigilError ? error.message : String(error));
    }
    const fresh = entries.filter((e) => !m.seen.has(e.key));
    let imported = 0;
    const refused: FeedStatus['refused'] = [];
    let transient: string | null = null;
    for (const entry of fresh.slice(0, MAX_NEW_PER_POLL)) {
      if (this.stopping.signal.aborted) return;
      let bytes = answer.bytes;
      let contentType = answer.contentType;
      if (entry.url !== null) {
        const doc = await getOnce(entry.url, {
          maxBytes: MAX_CAP_BYTES,
          publicOnly,
          signal: this.stopping.signal,
          accept: 'application/cap+xml, application/xml;q=0.9',
        });
        if (!doc.ok) {
          transient = `${entry.url}: ${doc.error}`;
          continue;
        }
        [bytes, contentType] = [doc.bytes, doc.contentType];
      }
      try {
        const { alert, duplicate } = await this.alerts.importDocument(
          bytes,
          { orgId: feed.orgId, actor: `feed:${feed.feedId}` },
          { via: 'feed', feedId: feed.feedId, charset: charsetOf(contentType ?? undefined), contentType: xmlMediaType(contentType ?? undefined) },
        );
        if (!duplicate) {
          imported++;
          if (feed.relayChannels.length > 0 && (alert.cap.msgType === 'Alert' || alert.cap.msgType === 'Update') && alert.cap.scope === 'Public') {
            await this.alerts
              .relay(alert.alertId, { orgId: feed.orgId, actor: `feed:${feed.feedId}` }, feed.relayChannels, true)
              .catch((error: unknown) =>
                refused.push({ url: entry.url ?? feed.url, reason: `imported, not relayed: ${(error as Error).message.slice(0, 300)}` }),
              );
          }
        }
      } catch (error) {
        if (!(error instanceof VigilError)) throw error;
        // The sender's error (invalid, conflicting, unsigned): not fetched again until the entry changes.
        refused.push({
          url: entry.url ?? feed.url,
          reason: `${error.status} ${error.message.slice(0, 300)}`,
          ...(error.reason ? { why: { reason: error.reason, params: { ...(error.params ?? {}) } } } : {}),
        });
      }
      m.seen.add(entry.key);
    }
    // Forget entries no longer listed; keep the set bounded.
    const listed = new Set(entries.map((e) => e.key));
    for (const k of m.seen) if (!listed.has(k) && m.seen.size > SEEN_LIMIT) m.seen.delete(k);
    // The validators are kept only when everything listed was read: otherwise a 304 would hide what is left.
    if (fresh.length <= MAX_NEW_PER_POLL && transient === null) [m.etag, m.lastModified] = [answer.etag, answer.lastModified];
    if (transient !== null) return this.failed(feed, m, transient, undefined, imported, refused);
    return this.succeeded(feed, m, imported, refused, fresh.length > MAX_NEW_PER_POLL ? 0 : intervalMs);
  }

  private async succeeded(
    feed: FeedSubscription,
    m: Memo,
    imported: number,
    refused: FeedStatus['refused'],
    wait = feed.intervalSeconds * 1000,
  ): Promise<void> {
    m.failures = 0;
    m.nextAt = this.ctx.clock.now() + wait;
    if (imported > 0 || refused.length > 0 || m.recorded?.ok !== true)
      await this.recordStatus(feed, m, { ok: true, error: null, refused, imported, failures: 0 });
  }

  private async failed(feed: FeedSubscription, m: Memo, error: string, retryAfter?: number, imported = 0, refused: FeedStatus['refused'] = []): Promise<void> {
    m.failures++;
    m.nextAt = this.ctx.clock.now() + backoffMs(feed.intervalSeconds * 1000, m.failures, retryAfter);
    const message = error.slice(0, 500);
    if (imported > 0 || refused.length > 0 || m.recorded?.ok !== false || m.recorded.error !== message)
      await this.recordStatus(feed, m, { ok: false, error: message, refused, imported, failures: m.failures });
  }

  private async recordStatus(feed: FeedSubscription, m: Memo, s: Omit<FeedStatus, 'at'>): Promise<void> {
    if (!this.state.feeds.has(feed.feedId)) return;
    const status: FeedStatus = { ...s, refused: s.refused.slice(0, 20), at: new Date(this.ctx.clock.now()).toISOString() };
    await this.ctx.record([
      {
        type: 'alerts.feed.polled',
        subject: `feed:${feed.feedId}`,
        orgId: feed.orgId,
        actor: `feed:${feed.feedId}`,
        data: { feedId: feed.feedId, status } satisfies ExchangeEvents['alerts.feed.polled'],
      },
    ]);
    m.recorded = { ok: s.ok, error: s.error };
  }
}
