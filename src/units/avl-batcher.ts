import type { Fix } from './model.js';

interface Pending {
  fixes: Fix[];
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * Gathers AVL fixes per unit and writes each unit's fixes of one window as one
 * event: a fleet reporting every second would otherwise put one event per fix in
 * the log. Every caller's promise resolves only when its fix is durable, so an
 * MQTT PUBACK or an HTTP 202 still means "stored". A window is closed by the timer
 * (`windowMs`) or early when a unit has `maxFixes` waiting.
 */
export class AvlBatcher {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (batch: Map<string, Fix[]>) => Promise<void>,
    private readonly windowMs = 2000,
    private readonly maxFixes = 100,
  ) {}

  add(unitId: string, fixes: Fix[]): Promise<void> {
    let p = this.pending.get(unitId);
    if (!p) {
      p = { fixes: [], waiters: [] };
      this.pending.set(unitId, p);
    }
    p.fixes.push(...fixes);
    const done = new Promise<void>((resolve, reject) => p.waiters.push({ resolve, reject }));
    if (p.fixes.length >= this.maxFixes) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.windowMs);
      this.timer.unref();
    }
    return done;
  }

  get waiting(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.fixes.length;
    return n;
  }

  /** Writes everything waiting now (one commit for every unit's window). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    if (batch.size === 0) return this.flushing;
    this.pending = new Map();
    // Windows are written in order, one after the other.
    this.flushing = this.flushing.then(async () => {
      try {
        await this.write(new Map([...batch].map(([id, p]) => [id, p.fixes])));
        for (const p of batch.values()) for (const w of p.waiters) w.resolve();
      } catch (error) {
        for (const p of batch.values()) for (const w of p.waiters) w.reject(error);
      }
    });
    return this.flushing;
  }
}
