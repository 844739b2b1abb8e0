/**
 * Refuses a replayed DC-09 frame: the same account, sequence number and timestamp
 * seen again. Only encrypted frames are guarded — they alone are authenticated, and
 * their timestamp must be inside the window (40 s past, 20 s future) or they are
 * NAKed before they get here.
 *
 * Why memory is enough, and why a restart opens no hole: a frame can only be
 * replayed while its timestamp is inside the window, so an entry is kept until its
 * timestamp leaves the window, and no longer (the memory is bounded by the window
 * times the rate frames are accepted). After a restart the memory is empty, so
 * frames timestamped before this node started are refused too: whatever was sent
 * before the restart cannot be replayed after it, and an honest panel whose frame
 * fell in that gap is NAKed with our time and sends it again with a fresh timestamp.
 * Timestamps have whole seconds, so "before" means before the second the node
 * started in: frames made in that second pass, and the node was down for longer than
 * that while it restarted (a restart takes seconds: modules load, the log replays).
 */
export type ReplayVerdict = 'fresh' | 'replay' | 'before-start' | 'memory-full';

export class ReplayGuard {
  /** 'account|seq|timestamp' → when the entry may be forgotten (its timestamp has left the window). */
  private readonly seen = new Map<string, number>();
  private readonly pending = new Set<string>();

  private readonly startedAt: number;

  constructor(
    startedAt: number,
    private readonly windowPastMs = 40_000,
    private readonly maxEntries = 200_000,
  ) {
    this.startedAt = Math.floor(startedAt / 1000) * 1000;
  }

  /** Reserves the frame; call `accepted` once it is durable or `release` if it was not. */
  check(account: string, seq: string, timestamp: number, now: number): { verdict: ReplayVerdict; key: string } {
    const key = `${account}|${seq}|${timestamp}`;
    if (timestamp < this.startedAt) return { verdict: 'before-start', key };
    this.forgetExpired(now);
    if (this.seen.has(key) || this.pending.has(key)) return { verdict: 'replay', key };
    if (this.seen.size + this.pending.size >= this.maxEntries) return { verdict: 'memory-full', key };
    this.pending.add(key);
    return { verdict: 'fresh', key };
  }

  accepted(key: string, timestamp: number): void {
    this.pending.delete(key);
    this.seen.set(key, timestamp + this.windowPastMs);
  }

  release(key: string): void {
    this.pending.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }

  private forgetExpired(now: number): void {
    // Map keeps insertion order, and frames arrive roughly in timestamp order: stop at the first live one.
    for (const [key, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(key);
    }
  }
}
