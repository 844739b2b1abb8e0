import type { AppContext } from '../../../platform/app-context.js';
import type { Channel } from '../../model.js';
import type { DeliveryEvents } from '../../delivery/delivery-state.js';
import type { SmsReceipt } from './sms-receipt.js';

/** One message handed to the SMSC, waiting for the receipts of its parts. */
interface Awaited {
  alertId: string;
  orgId: string;
  channel: Channel;
  position: number;
  partsLeft: number;
}

interface Options {
  /** Receipts gathered into one event at most (and the wait before a smaller batch goes). */
  batch?: number;
  flushMs?: number;
  /** How long a receipt that names an unknown message waits for it to be registered (receipts can overtake submit_sm_resp handling). */
  earlyWaitMs?: number;
  /** Message ids remembered at most; the oldest are forgotten first. */
  maxAwaited?: number;
}

/**
 * Turns an SMSC's delivery receipts into recipients' states: the dispatcher
 * registers the message ids of each part it handed over; a message is delivered
 * when the receipts of all its parts say DELIVRD, failed at the first that says
 * UNDELIV, EXPIRED, REJECTD or DELETED. Outcomes are recorded in batches, and each
 * receipt is answered only once its outcome is durable.
 *
 * The ids live in the memory of the node that sent: receipts that reach another
 * node, or arrive after a restart, are answered and counted as unmatched.
 */
export class ReceiptTracker {
  private readonly awaited = new Map<string, Awaited>();
  private readonly early = new Map<string, { receipt: SmsReceipt; done: () => void; timer: NodeJS.Timeout }>();
  private pending: { messageId: string; target: Awaited; outcome: 'delivered' | 'failed'; reason: string; done: () => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly batch: number;
  private readonly flushMs: number;
  private readonly earlyWaitMs: number;
  private readonly maxAwaited: number;
  readonly stats = { matched: 0, unmatched: 0, interim: 0 };

  constructor(
    private readonly ctx: AppContext,
    options: Options = {},
  ) {
    this.batch = options.batch ?? 500;
    this.flushMs = options.flushMs ?? 50;
    this.earlyWaitMs = options.earlyWaitMs ?? 2_000;
    this.maxAwaited = options.maxAwaited ?? 3_000_000;
  }

  /** The parts of one recipient's message, by the ids the SMSC gave them. */
  expect(alert: { alertId: string; orgId: string }, channel: Channel, position: number, messageIds: readonly string[]): void {
    const target: Awaited = { alertId: alert.alertId, orgId: alert.orgId, channel, position, partsLeft: messageIds.length };
    for (const id of messageIds) {
      if (!id) continue;
      this.awaited.set(id, target);
      const early = this.early.get(id);
      if (early) {
        clearTimeout(early.timer);
        this.early.delete(id);
        this.receipt(early.receipt, early.done);
      }
    }
    for (const id of this.awaited.keys()) {
      if (this.awaited.size <= this.maxAwaited) break;
      this.awaited.delete(id);
    }
  }

  receipt(receipt: SmsReceipt, done: () => void): void {
    const target = this.awaited.get(receipt.messageId);
    if (!target) {
      // Perhaps its submit_sm_resp is still being handled: wait a little, then answer it as unknown.
      if (this.early.has(receipt.messageId) || this.early.size >= 1000) {
        this.stats.unmatched++;
        return done();
      }
      const timer = setTimeout(() => {
        this.early.delete(receipt.messageId);
        this.stats.unmatched++;
        done();
      }, this.earlyWaitMs);
      timer.unref();
      this.early.set(receipt.messageId, { receipt, done, timer });
      return;
    }
    if (receipt.outcome === null) {
      this.stats.interim++;
      return done();
    }
    this.awaited.delete(receipt.messageId);
    this.stats.matched++;
    if (receipt.outcome === 'delivered' && --target.partsLeft > 0) return done();
    if (receipt.outcome === 'failed') target.partsLeft = -1; // later parts' receipts change nothing
    this.pending.push({
      messageId: receipt.messageId,
      target,
      outcome: receipt.outcome,
      reason: `SMSC receipt: ${receipt.stat}${receipt.err ? ` (err ${receipt.err})` : ''}`,
      done,
    });
    if (this.pending.length >= this.batch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Records the outcomes gathered so far, one event per alert and channel, then answers their receipts. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const groups = new Map<string, { target: Awaited; data: DeliveryEvents['alerts.delivery.progressed'] }>();
    for (const { target, outcome, reason } of batch) {
      const key = `${target.alertId}\n${target.channel}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { target, data: { alertId: target.alertId, channel: target.channel, delivered: [], failed: [], failedAfterSend: true } }));
      if (outcome === 'delivered') g.data.delivered!.push(target.position);
      else g.data.failed!.push([target.position, reason]);
    }
    try {
      await this.ctx.record(
        [...groups.values()].map(({ target, data }) => ({
          type: 'alerts.delivery.progressed',
          subject: `alert:${target.alertId}`,
          orgId: target.orgId,
          actor: 'system:sms-receipts',
          data,
        })),
      );
      for (const p of batch) p.done();
    } catch (error) {
      // Not answered: the SMSC sends these receipts again, and they must match again.
      for (const p of batch) {
        this.awaited.set(p.messageId, p.target);
        if (p.outcome === 'delivered') p.target.partsLeft++;
      }
      this.ctx.logger.error({ err: error }, 'delivery receipts could not be recorded');
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const e of this.early.values()) clearTimeout(e.timer);
    this.early.clear();
  }
}
