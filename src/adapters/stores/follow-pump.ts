import type { StoredEvent, Unsubscribe } from '../../platform/event-log.js';

type Handler = (events: StoredEvent[]) => void | Promise<void>;

interface Follower {
  cursor: number;
  handler: Handler;
  running: boolean;
  /** Set when new events were committed while the follower was busy. */
  dirty: boolean;
  stopped: boolean;
}

/**
 * Delivers a log to its followers in seq order, without gaps or repeats, whatever
 * the timing of commits: each follower reads from its own cursor until caught up,
 * and a commit only "wakes" it. Both stores use it; PostgreSQL wakes it on NOTIFY
 * (commits of other nodes) and on a timer, SQLite after each local commit.
 */
export class FollowPump {
  private readonly followers = new Set<Follower>();

  constructor(
    private readonly readAfter: (afterSeq: number, limit: number) => Promise<StoredEvent[]>,
    private readonly onError: (error: unknown) => void,
    private readonly pageSize = 2000,
  ) {}

  follow(afterSeq: number, handler: Handler): Unsubscribe {
    const f: Follower = { cursor: afterSeq, handler, running: false, dirty: false, stopped: false };
    this.followers.add(f);
    void this.pump(f);
    return () => {
      f.stopped = true;
      this.followers.delete(f);
    };
  }

  /**
   * New events are committed. `committed` (contiguous, in order) lets an idle,
   * caught-up follower take them without a read.
   */
  wake(committed?: StoredEvent[]): void {
    for (const f of this.followers) {
      if (!f.running && committed && committed.length > 0 && committed[0]!.seq === f.cursor + 1) {
        f.running = true;
        void this.deliver(f, committed).finally(() => {
          f.running = false;
          if (f.dirty) void this.pump(f);
        });
      } else {
        void this.pump(f);
      }
    }
  }

  get size(): number {
    return this.followers.size;
  }

  close(): void {
    for (const f of this.followers) f.stopped = true;
    this.followers.clear();
  }

  private async deliver(f: Follower, events: StoredEvent[]): Promise<void> {
    if (f.stopped) return;
    try {
      await f.handler(events);
    } catch (error) {
      this.onError(error);
    }
    f.cursor = events[events.length - 1]!.seq;
  }

  private async pump(f: Follower): Promise<void> {
    if (f.running) {
      f.dirty = true;
      return;
    }
    f.running = true;
    try {
      do {
        f.dirty = false;
        for (;;) {
          if (f.stopped) return;
          const events = await this.readAfter(f.cursor, this.pageSize);
          if (events.length === 0 || f.stopped) break;
          await this.deliver(f, events);
        }
      } while (f.dirty && !f.stopped);
    } catch (error) {
      this.onError(error);
    } finally {
      f.running = false;
    }
  }
}
