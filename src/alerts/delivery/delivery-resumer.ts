import type { AppContext } from '../../platform/app-context.js';
import type { AlertsState } from '../alerts-state.js';
import type { AlertRecord, Channel } from '../model.js';
import type { DeliveryState } from './delivery-state.js';
import { deliveryEvent, type AlertDispatcher } from './dispatcher.js';

/**
 * Delivery runs on the node that issued the alert. If that node dies mid-delivery
 * (kill -9, power, OOM), the alert is issued — acknowledged to the approving officer —
 * but some people were never warned. The resumer finds channels left unfinished and
 * runs them again from what the log says they reached: on a single node at start-up
 * (nothing else can be sending), in a cluster on the leader, for channels with no
 * recorded step for `staleMs` (their node is gone) after the retry they said they wait for.
 */
export class DeliveryResumer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly alerts: AlertsState,
    private readonly delivery: DeliveryState,
    private readonly dispatcher: AlertDispatcher,
    private readonly options: { staleMs: number; everyMs: number; singleNode: boolean },
  ) {}

  start(): void {
    // A moment after listening, so links in the resumed messages carry the port the node really took.
    if (this.options.singleNode)
      setTimeout(() => void this.resume(0).catch((error: unknown) => this.ctx.logger.error({ err: error }, 'resuming deliveries failed')), 1_000).unref();
    this.timer = setInterval(() => {
      if (this.ctx.leadership.isLeader())
        void this.resume(this.options.staleMs).catch((error: unknown) => this.ctx.logger.error({ err: error }, 'resuming deliveries failed'));
    }, this.options.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The alerts in force with channels neither done nor unavailable, quiet for at least `staleMs`. */
  unfinished(staleMs: number): { alert: AlertRecord; channels: Channel[] }[] {
    const now = this.ctx.clock.now();
    const out: { alert: AlertRecord; channels: Channel[] }[] = [];
    for (const alert of this.alerts.alerts.values()) {
      if (alert.state !== 'issued' || !alert.issuedAt) continue;
      const expires = (alert.cap.info ?? []).map((i) => i.expires);
      if (expires.length > 0 && expires.every((e) => e && Date.parse(e) < now)) continue;
      const progress = new Map(this.delivery.of(alert.alertId).map((p) => [p.channel, p]));
      const channels = alert.channels.filter((c) => {
        if (this.dispatcher.running.has(`${alert.alertId}:${c}`)) return false;
        const p = progress.get(c);
        if (p && p.status !== 'sending') return false;
        // A retry due later on the channel's node (webhooks) is not a lost node; at start-up on one node (staleMs 0) nothing else is sending.
        const quiet = staleMs > 0 ? this.delivery.quietUntil(alert.alertId, c) : 0;
        return now - Math.max(Date.parse(p?.lastAt ?? alert.issuedAt!), quiet) >= staleMs;
      });
      if (channels.length > 0) out.push({ alert, channels });
    }
    return out;
  }

  async resume(staleMs: number): Promise<number> {
    const found = this.unfinished(staleMs);
    await Promise.allSettled(
      found.map(async ({ alert, channels }) => {
        this.ctx.logger.warn({ alertId: alert.alertId, channels }, 'resuming an alert delivery that was interrupted');
        // A channel that must not be sent again blind (cell broadcast: what the CBC accepted is on air) is ended with its note, if it had started.
        const started = new Set(this.delivery.of(alert.alertId).map((p) => p.channel));
        const ended = channels.filter((c) => started.has(c) && this.dispatcher.channelOf(c)?.notResumed);
        if (ended.length > 0) {
          await this.ctx.record(
            ended.map((c) =>
              deliveryEvent(alert, 'alerts.delivery.updated', {
                alertId: alert.alertId,
                channel: c,
                status: 'done',
                queued: 0,
                sent: [],
                failed: [],
                note: this.dispatcher.channelOf(c)!.notResumed!,
              }),
            ),
          );
        }
        await this.dispatcher.dispatch(alert, { channels: channels.filter((c) => !ended.includes(c)), trackOf: (c) => this.delivery.track(alert.alertId, c) });
      }),
    );
    return found.length;
  }
}
