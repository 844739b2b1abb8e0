/** What one zone gathered over a window: latest occupancy counts and summed gate crossings. */
export interface ZoneWindow {
  counts: Map<string, { count: number; at: number }>;
  /** gateId → [in, out] summed over the window. */
  flows: Map<string, [number, number]>;
  readings: number;
}

interface Pending extends ZoneWindow {
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * Aggregates people counts per zone and hands each window to `write` as one batch
 * (one event per zone): counters report every second, and thousands of them would
 * otherwise put thousands of events a second in the log. Each caller's promise
 * resolves only when its window is durable, so an MQTT PUBACK or an HTTP 202 still
 * means "stored". Same shape as units/avl-batcher.ts.
 */
export class CountBatcher {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (batch: Map<string, ZoneWindow>) => Promise<void>,
    private readonly windowMs = 1000,
    private readonly maxReadings = 1000,
  ) {}

  private slot(zoneId: string): Pending {
    let p = this.pending.get(zoneId);
    if (!p) {
      p = { counts: new Map(), flows: new Map(), readings: 0, waiters: [] };
      this.pending.set(zoneId, p);
    }
    return p;
  }

  private wait(p: Pending): Promise<void> {
    const done = new Promise<void>((resolve, reject) => p.waiters.push({ resolve, reject }));
    if (p.readings >= this.maxReadings) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.windowMs);
      this.timer.unref();
    }
    return done;
  }

  /** An occupancy count; a later count of the same counter in the window replaces it (an older one is ignored). */
  addCount(zoneId: string, counterId: string, count: number, at: number): Promise<void> {
    const p = this.slot(zoneId);
    const old = p.counts.get(counterId);
    if (!old || at >= old.at) p.counts.set(counterId, { count, at });
    p.readings++;
    return this.wait(p);
  }

  /** Crossings at a gate, filed under the gate's inside zone. */
  addFlow(zoneId: string, gateId: string, inCount: number, outCount: number): Promise<void> {
    const p = this.slot(zoneId);
    const f = p.flows.get(gateId) ?? [0, 0];
    f[0] += inCount;
    f[1] += outCount;
    p.flows.set(gateId, f);
    p.readings++;
    return this.wait(p);
  }

  get waiting(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.readings;
    return n;
  }

  /** Writes everything waiting now; windows are written in order, one after the other. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    if (batch.size === 0) return this.flushing;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      try {
        await this.write(batch);
        for (const p of batch.values()) for (const w of p.waiters) w.resolve();
      } catch (error) {
        for (const p of batch.values()) for (const w of p.waiters) w.reject(error);
      }
    });
    return this.flushing;
  }
}
