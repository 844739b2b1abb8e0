import { forEachInRuns, type DeliveryEvents } from '../../alerts/contract.js';
import type { StoredEvent } from '../../platform/event-log.js';
import type { AreaIndex } from '../engine/area-index.js';
import type { MeasureStore } from '../engine/measure-store.js';

const NONE = 0xffff;

/** One channel of one alert: the area (index into `areaIds`) of each recipient position, as the dispatcher queued them. */
interface ChannelAreas {
  areaOf: Uint16Array;
  /** 1 once a position was handed over: a repeated report does not count it twice. */
  sent: Uint8Array;
  size: number;
}

interface AlertAreas {
  issuedMs: number;
  month: number;
  areaIds: string[];
  areaIndex: Map<string, number>;
  channels: Map<string, ChannelAreas>;
  /** Per neighbourhood: recipient messages queued and sent, and whether 90 % was reached. */
  queued: Map<string, number>;
  sent: Map<string, number>;
  reached90: Set<string>;
}

/**
 * Alert delivery reach and speed per neighbourhood. The dispatcher records the
 * neighbourhood of every queued recipient (`alerts.delivery.queued`) and what was
 * handed over by position (`alerts.delivery.progressed`): each message counts in
 * its neighbourhood, and up the chain. Variables of their own (`alert-area-*`):
 * the city-wide `alert-recipients-*` also count recipients placed in no
 * neighbourhood, so the two must not be mixed.
 */
export class AlertAreaFeed {
  private readonly alerts = new Map<string, AlertAreas>();

  constructor(
    private readonly store: MeasureStore,
    private readonly index: () => AreaIndex,
  ) {}

  issued(alertId: string, issuedMs: number, month: number): void {
    this.alerts.set(alertId, {
      issuedMs,
      month,
      areaIds: [],
      areaIndex: new Map(),
      channels: new Map(),
      queued: new Map(),
      sent: new Map(),
      reached90: new Set(),
    });
  }

  queued(d: DeliveryEvents['alerts.delivery.queued'], e: StoredEvent): void {
    const a = this.alerts.get(d.alertId);
    if (!a || !d.area || !d.areas) return;
    const ch = a.channels.get(d.channel) ?? { areaOf: new Uint16Array(1024).fill(NONE), sent: new Uint8Array(1024), size: 0 };
    a.channels.set(d.channel, ch);
    if (d.first !== ch.size) return; // replayed or out of order: positions must stay the dispatcher's
    const end = d.first + d.recipients.length;
    if (end > ch.areaOf.length) {
      const grown = new Uint16Array(Math.max(end, ch.areaOf.length * 2)).fill(NONE);
      grown.set(ch.areaOf);
      ch.areaOf = grown;
      const sent = new Uint8Array(grown.length);
      sent.set(ch.sent);
      ch.sent = sent;
    }
    const local = d.areas.map((ref) => this.areaIdx(a, ref.id));
    const added = new Map<number, number>();
    for (let k = 0; k < d.recipients.length; k++) {
      const i = d.area[k] ?? -1;
      const idx = i >= 0 && i < local.length ? local[i]! : NONE;
      ch.areaOf[d.first + k] = idx;
      if (idx !== NONE) added.set(idx, (added.get(idx) ?? 0) + 1);
    }
    ch.size = end;
    for (const [idx, n] of added) {
      const id = a.areaIds[idx]!;
      a.queued.set(id, (a.queued.get(id) ?? 0) + n);
      this.store.add('alert-area-recipients-queued', 'flow', this.chainOf(id), a.month, n, e.id);
    }
  }

  progressed(d: DeliveryEvents['alerts.delivery.progressed'], e: StoredEvent): void {
    const a = this.alerts.get(d.alertId);
    const ch = a?.channels.get(d.channel);
    if (!a || !ch || !d.sent?.length) return;
    const sent = new Map<number, number>();
    forEachInRuns(d.sent, ch.size, (p) => {
      if (ch.sent[p]) return;
      ch.sent[p] = 1;
      const idx = ch.areaOf[p]!;
      if (idx !== NONE) sent.set(idx, (sent.get(idx) ?? 0) + 1);
    });
    for (const [idx, n] of sent) {
      const id = a.areaIds[idx]!;
      a.sent.set(id, (a.sent.get(id) ?? 0) + n);
      const chain = this.chainOf(id);
      this.store.add('alert-area-recipients-sent', 'flow', chain, a.month, n, e.id);
      // One sample per alert and neighbourhood; districts and the city take percentiles over these raw samples.
      if (!a.reached90.has(id) && a.sent.get(id)! >= 0.9 * (a.queued.get(id) ?? 0)) {
        a.reached90.add(id);
        this.store.add('alert-area-seconds-to-90', 'distribution', chain, a.month, Math.max(0, (Date.parse(e.at) - a.issuedMs) / 1000), e.id);
      }
    }
  }

  private areaIdx(a: AlertAreas, id: string): number {
    let i = a.areaIndex.get(id);
    if (i === undefined) {
      i = a.areaIds.length;
      if (i >= NONE) return NONE;
      a.areaIds.push(id);
      a.areaIndex.set(id, i);
    }
    return i;
  }

  private chainOf(areaId: string): string[] {
    return this.index().chainFor(null, areaId);
  }
}
