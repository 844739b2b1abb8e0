/**
 * Gathers high-rate readings per key (a unit's AVL fixes, a crowd zone's counts) and
 * hands each window to `write` as one batch, so the log gets one event per key per
 * window instead of one per reading. Every caller's promise resolves only when the
 * window holding its reading is durable: an MQTT PUBACK or an HTTP 202 still means
 * "stored". A window closes on the timer (`windowMs`) or early when a key's slot is
 * full; windows are written in order, one after the other.
 */
export class WindowBatcher<S> {
  private pending = new Map<string, { slot: S; waiters: { resolve: () => void; reject: (e: unknown) => void }[] }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      write: (batch: Map<string, S>) => Promise<void>;
      newSlot: () => S;
      /** How many readings a slot holds: a full slot closes the window early. */
      size: (slot: S) => number;
      max: number;
      windowMs: number;
    },
  ) {}

  /** Adds a reading to the key's slot (`update` changes it) and resolves once it is written. */
  add(key: string, update: (slot: S) => void): Promise<void> {
    let p = this.pending.get(key);
    if (!p) {
      p = { slot: this.options.newSlot(), waiters: [] };
      this.pending.set(key, p);
    }
    update(p.slot);
    const done = new Promise<void>((resolve, reject) => p.waiters.push({ resolve, reject }));
    if (this.options.size(p.slot) >= this.options.max) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.windowMs);
      this.timer.unref();
    }
    return done;
  }

  /** Readings waiting in the open window. */
  get waiting(): number {
    let n = 0;
    for (const p of this.pending.values()) n += this.options.size(p.slot);
    return n;
  }

  /** Writes everything waiting now (one call of `write` for every key's window). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    if (batch.size === 0) return this.flushing;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      try {
        await this.options.write(new Map([...batch].map(([key, p]) => [key, p.slot])));
        for (const p of batch.values()) for (const w of p.waiters) w.resolve();
      } catch (error) {
        for (const p of batch.values()) for (const w of p.waiters) w.reject(error);
      }
    });
    return this.flushing;
  }
}
