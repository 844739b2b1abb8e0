import type { MqttMessage } from '../../../adapters/protocols/mqtt/topic-router.js';
import type { AppContext } from '../../../platform/app-context.js';
import type { StoredEvent } from '../../../platform/event-log.js';
import type { Projection } from '../../../platform/projection.js';

/**
 * Sirens and loudspeakers acknowledge each command: `{"commandId": "…"}` on
 * `<prefix>/<deviceId>/ack`. A PUBACK only says the broker has the command; the ack says
 * the device got it. A device that does not acknowledge within the timeout is reported:
 * an event (`alerts.siren.unacknowledged`), a warning in the log, and its status in the
 * alert's channel details. Commands awaiting their ack are kept on the node that sent
 * them; a node that stops forgets them (the delivery itself is resumed from the log).
 */
export interface SirenAckEvents {
  'alerts.siren.acknowledged': { alertId: string; deviceId: string; commandId: string; at: string };
  'alerts.siren.unacknowledged': { alertId: string; deviceId: string; commandId: string; sentAt: string; timeoutMs: number };
}

export type SirenAckStatus = { state: 'awaiting' | 'acknowledged' | 'unacknowledged'; commandId: string; at: string };

export class SirenAcksState implements Projection {
  readonly name = 'alert-siren-acks';
  readonly typePrefixes = ['alerts.siren.'];
  /** alertId → deviceId → the outcome of its last command. */
  readonly byAlert = new Map<string, Map<string, SirenAckStatus>>();

  apply(e: StoredEvent): void {
    if (e.type === 'alerts.siren.acknowledged') {
      const d = e.data as SirenAckEvents['alerts.siren.acknowledged'];
      this.set(d.alertId, d.deviceId, { state: 'acknowledged', commandId: d.commandId, at: d.at });
    } else if (e.type === 'alerts.siren.unacknowledged') {
      const d = e.data as SirenAckEvents['alerts.siren.unacknowledged'];
      this.set(d.alertId, d.deviceId, { state: 'unacknowledged', commandId: d.commandId, at: new Date(Date.parse(d.sentAt) + d.timeoutMs).toISOString() });
    }
  }

  set(alertId: string, deviceId: string, status: SirenAckStatus): void {
    let devices = this.byAlert.get(alertId);
    if (!devices) this.byAlert.set(alertId, (devices = new Map()));
    devices.set(deviceId, status);
  }
}

interface Pending {
  alertId: string;
  deviceId: string;
  sentAt: number;
  timer: NodeJS.Timeout;
}

export class SirenAcks {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly ctx: AppContext,
    readonly state: SirenAcksState,
    private readonly timeoutMs: number,
    /** The organisation of an alert (its events are that organisation's). */
    private readonly orgOf: (alertId: string) => string | null,
  ) {}

  /** A command the broker accepted: its ack is awaited from now. */
  sent(alertId: string, deviceId: string, commandId: string): void {
    const sentAt = this.ctx.clock.now();
    const timer = setTimeout(() => void this.missed(commandId), this.timeoutMs);
    timer.unref();
    this.pending.set(commandId, { alertId, deviceId, sentAt, timer });
    const old = this.state.byAlert.get(alertId)?.get(deviceId);
    if (old?.commandId !== commandId) this.state.set(alertId, deviceId, { state: 'awaiting', commandId, at: new Date(sentAt).toISOString() });
  }

  /** An ack on `<prefix>/<deviceId>/ack`: recorded when it answers a command sent to that device. */
  async ack(message: MqttMessage, deviceId: string): Promise<'acknowledged' | 'unknown'> {
    const json = message.json() as { commandId?: unknown } | undefined;
    const commandId = typeof json?.commandId === 'string' ? json.commandId : null;
    const p = commandId ? this.pending.get(commandId) : undefined;
    if (!p || p.deviceId !== deviceId) {
      this.ctx.logger.warn({ deviceId, commandId }, 'siren acknowledgement for no command awaiting it');
      return 'unknown';
    }
    clearTimeout(p.timer);
    this.pending.delete(commandId!);
    const data: SirenAckEvents['alerts.siren.acknowledged'] = {
      alertId: p.alertId,
      deviceId,
      commandId: commandId!,
      at: new Date(this.ctx.clock.now()).toISOString(),
    };
    await this.ctx.record([
      { type: 'alerts.siren.acknowledged', subject: `alert:${p.alertId}`, orgId: this.orgOf(p.alertId), actor: `device:${deviceId}`, data },
    ]);
    return 'acknowledged';
  }

  private async missed(commandId: string): Promise<void> {
    const p = this.pending.get(commandId);
    if (!p) return;
    this.pending.delete(commandId);
    this.ctx.logger.warn({ deviceId: p.deviceId, alertId: p.alertId, commandId, timeoutMs: this.timeoutMs }, 'siren did not acknowledge its command');
    const data: SirenAckEvents['alerts.siren.unacknowledged'] = {
      alertId: p.alertId,
      deviceId: p.deviceId,
      commandId,
      sentAt: new Date(p.sentAt).toISOString(),
      timeoutMs: this.timeoutMs,
    };
    await this.ctx
      .record([{ type: 'alerts.siren.unacknowledged', subject: `alert:${p.alertId}`, orgId: this.orgOf(p.alertId), actor: 'system:sirens', data }])
      .catch((error: unknown) => this.ctx.logger.error({ err: error, commandId }, 'missing siren acknowledgement not recorded'));
  }

  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }
}
