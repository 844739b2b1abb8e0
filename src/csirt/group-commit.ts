/**
 * Group commit for the security intake: what arrives while nothing is being written goes out at
 * the end of the tick (one write for every message the tick read); what arrives while a write is
 * under way waits for it and goes out together in the next one. No timer: a quiet sender's line is
 * stored at once, a busy stream fills each write by itself. Each caller's promise resolves only
 * when the write holding its items is durable, and rejects if that write fails: nothing is
 * acknowledged (TCP read further, HTTP 202) that is not stored.
 */
export class GroupCommit<T> {
  private queue: T[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private running: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    /** Items per write at most (a longer queue is written in several). */
    private readonly max: number,
  ) {}

  /** Items waiting for a write. */
  get waiting(): number {
    return this.queue.length;
  }

  add(items: readonly T[]): Promise<void> {
    for (const item of items) this.queue.push(item);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.running && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    }
    return done;
  }

  /** Writes everything waiting; resolves when the queue is empty and durable. */
  flush(): Promise<void> {
    return this.drain();
  }

  private drain(): Promise<void> {
    this.running ??= (async () => {
      try {
        while (this.queue.length > 0) {
          const items = this.queue;
          const waiters = this.waiters;
          this.queue = [];
          this.waiters = [];
          // More than one write's worth (a burst read while the last write ran): written in pieces,
          // every caller answered once all are durable, or refused if any piece failed.
          let failed: { error: unknown } | null = null;
          for (let i = 0; i < items.length; i += this.max) {
            try {
              await this.write(items.length <= this.max ? items : items.slice(i, i + this.max));
            } catch (error) {
              failed ??= { error };
            }
          }
          for (const w of waiters) {
            if (failed) w.reject(failed.error);
            else w.resolve();
          }
        }
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
