import { WindowBatcher } from '../platform/window-batcher.js';

/** What one zone gathered over a window: latest occupancy counts and summed gate crossings. */
export interface ZoneWindow {
  counts: Map<string, { count: number; at: number }>;
  /** gateId → [in, out] summed over the window. */
  flows: Map<string, [number, number]>;
  readings: number;
}

/**
 * Aggregates people counts per zone and hands each window to `write` as one batch
 * (one event per zone): counters report every second, and thousands of them would
 * otherwise put thousands of events a second in the log. Each caller's promise
 * resolves only when its window is durable (platform/window-batcher.ts).
 */
export class CountBatcher {
  private readonly batcher: WindowBatcher<ZoneWindow>;

  constructor(write: (batch: Map<string, ZoneWindow>) => Promise<void>, windowMs = 1000, maxReadings = 1000) {
    this.batcher = new WindowBatcher<ZoneWindow>({
      write,
      newSlot: () => ({ counts: new Map(), flows: new Map(), readings: 0 }),
      size: (w) => w.readings,
      max: maxReadings,
      windowMs,
    });
  }

  /** An occupancy count; a later count of the same counter in the window replaces it (an older one is ignored). */
  addCount(zoneId: string, counterId: string, count: number, at: number): Promise<void> {
    return this.batcher.add(zoneId, (w) => {
      const old = w.counts.get(counterId);
      if (!old || at >= old.at) w.counts.set(counterId, { count, at });
      w.readings++;
    });
  }

  /** Crossings at a gate, filed under the gate's inside zone. */
  addFlow(zoneId: string, gateId: string, inCount: number, outCount: number): Promise<void> {
    return this.batcher.add(zoneId, (w) => {
      const f = w.flows.get(gateId) ?? [0, 0];
      f[0] += inCount;
      f[1] += outCount;
      w.flows.set(gateId, f);
      w.readings++;
    });
  }

  get waiting(): number {
    return this.batcher.waiting;
  }

  /** Writes everything waiting now; windows are written in order, one after the other. */
  flush(): Promise<void> {
    return this.batcher.flush();
  }
}
