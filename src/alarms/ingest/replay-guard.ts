/**
 * Refuses a replayed DC-09 frame: the same account, sequence number and timestamp
 * seen again. Only encrypted frames are guarded — they alone are authenticated, and
 * their timestamp must be inside the window (40 s past, 20 s future) or they are
 * NAKed before they get here.
 *
 * Why memory is enough, and why a restart opens no hole: a frame can only be
 * replayed while its timestamp is inside the window, so an entry is kept until its
 * timestamp leaves the window, and no longer. After a restart the memory holds what the
 * receiver journal still has inside the window (`remember`: an identical resend of such
 * a frame is a duplicate, ACKed again); other
 * frames timestamped before this node started are refused too: whatever was sent
 * before the restart cannot be replayed after it, and an honest panel whose frame
 * fell in that gap is NAKed with our time and sends it again with a fresh timestamp.
 * Timestamps have whole seconds, so "before" means before the second the node
 * started in: frames made in that second pass, and the node was down for longer than
 * that while it restarted (a restart takes seconds: modules load, the log replays).
 *
 * Bounded memory, per node (see docs/security.md):
 *  - a time window: entries are filed by the whole second they expire in and dropped
 *    by second, so one frame stamped in the future (up to 20 s) no longer keeps every
 *    later entry alive behind it (the old list stopped at the first live entry);
 *  - per account: at most `maxPerAccount` frames remembered for one account. A panel
 *    (or whoever holds its key) sending more than that inside the window is refused
 *    (`account-full`) — only that account, never the others;
 *  - in all: at most `maxEntries`, beyond which frames are refused (`memory-full`)
 *    rather than forgotten: forgetting would let a replay through.
 *
 * A duplicate is not a replay: a panel whose ACK was lost (its connection dropped after
 * the frame was journalled) sends the very same frame again, byte for byte. When the
 * caller gives the frame's digest and it equals the remembered one, the verdict is
 * `duplicate`: the frame is ACKed again and recorded no second time (DC-09 receivers do
 * the same). `settled` says when the first copy is durable (true) or was released
 * (false) — null once it is. The same key with other bytes is still a `replay`.
 */
export type ReplayVerdict = 'fresh' | 'duplicate' | 'replay' | 'before-start' | 'account-full' | 'memory-full';

export interface ReplayGuardLimits {
  /** How long past its timestamp a frame is remembered (the receiver's window into the past). */
  windowPastMs?: number;
  /** Frames remembered for one account at most (default 2 000: over 30 a second for 60 s). */
  maxPerAccount?: number;
  /** Frames remembered in all (default 200 000, about 25 MB). */
  maxEntries?: number;
}

export class ReplayGuard {
  /** key → the second (ms / 1000) its entry expires in. */
  private readonly seen = new Map<string, number>();
  /** expiry second → the keys expiring then. */
  private readonly bySecond = new Map<number, Set<string>>();
  /** Seconds of `bySecond` in expiry order (appended in order almost always; kept sorted). */
  private seconds: number[] = [];
  private readonly pending = new Set<string>();
  /** key → the digest of the frame's bytes, for the entries checked with one. */
  private readonly digests = new Map<string, number>();
  /** key → callers waiting for a pending entry's outcome (its identical copies). */
  private readonly waiters = new Map<string, ((accepted: boolean) => void)[]>();
  /** account → entries (seen or pending) held for it. */
  private readonly perAccount = new Map<string, number>();

  private readonly startedAt: number;
  /** How long past its timestamp a frame is remembered (a cluster's shared ledger keeps it as long). */
  readonly windowPastMs: number;
  private readonly maxPerAccount: number;
  private readonly maxEntries: number;

  constructor(startedAt: number, limits: ReplayGuardLimits = {}) {
    this.startedAt = Math.floor(startedAt / 1000) * 1000;
    this.windowPastMs = limits.windowPastMs ?? 40_000;
    this.maxPerAccount = limits.maxPerAccount ?? 2_000;
    this.maxEntries = limits.maxEntries ?? 200_000;
  }

  /** Reserves the frame; call `accepted` once it is durable or `release` if it was not. */
  check(
    account: string,
    seq: string,
    timestamp: number,
    now: number,
    digest?: number,
  ): { verdict: ReplayVerdict; key: string; settled?: Promise<boolean> | null } {
    const key = `${account}|${seq}|${timestamp}`;
    this.forgetExpired(now);
    // A frame accepted before the restart (remembered from the journal) is a duplicate or a replay, not before-start.
    if (timestamp < this.startedAt && !this.seen.has(key)) return { verdict: 'before-start', key };
    const pending = this.pending.has(key);
    if (pending || this.seen.has(key)) {
      if (digest === undefined || this.digests.get(key) !== digest) return { verdict: 'replay', key };
      if (!pending) return { verdict: 'duplicate', key, settled: null };
      let waiting = this.waiters.get(key);
      if (!waiting) this.waiters.set(key, (waiting = []));
      const list = waiting;
      return { verdict: 'duplicate', key, settled: new Promise<boolean>((resolve) => list.push(resolve)) };
    }
    if ((this.perAccount.get(account) ?? 0) >= this.maxPerAccount) return { verdict: 'account-full', key };
    if (this.seen.size + this.pending.size >= this.maxEntries) return { verdict: 'memory-full', key };
    this.pending.add(key);
    if (digest !== undefined) this.digests.set(key, digest);
    this.count(account, 1);
    return { verdict: 'fresh', key };
  }

  /**
   * The frame is durable (`here`), or was accepted by another node of a cluster (`here` false):
   * then it is remembered as used, but a copy of it is a replay here, never a duplicate to ACK.
   */
  accepted(key: string, timestamp: number, here = true): void {
    if (!this.pending.delete(key)) return;
    if (!here) this.digests.delete(key);
    this.settle(key, here);
    const second = Math.ceil((timestamp + this.windowPastMs) / 1000);
    this.seen.set(key, second);
    let keys = this.bySecond.get(second);
    if (!keys) {
      keys = new Set();
      this.bySecond.set(second, keys);
      const last = this.seconds[this.seconds.length - 1];
      this.seconds.push(second);
      if (last !== undefined && last > second) this.seconds.sort((a, b) => a - b);
    }
    keys.add(key);
  }

  /**
   * A frame accepted before this start (rebuilt from the receiver journal): remembered as if
   * accepted here, so an identical resend is a duplicate and any other copy a replay.
   */
  remember(account: string, seq: string, timestamp: number, digest: number, now: number): void {
    const key = `${account}|${seq}|${timestamp}`;
    if (this.seen.has(key) || this.pending.has(key) || timestamp + this.windowPastMs <= now) return;
    this.pending.add(key);
    this.digests.set(key, digest);
    this.count(account, 1);
    this.accepted(key, timestamp);
  }

  release(key: string): void {
    if (!this.pending.delete(key)) return;
    this.digests.delete(key);
    this.count(accountOf(key), -1);
    this.settle(key, false);
  }

  private settle(key: string, accepted: boolean): void {
    const waiting = this.waiters.get(key);
    if (!waiting) return;
    this.waiters.delete(key);
    for (const resolve of waiting) resolve(accepted);
  }

  /** Frames remembered (accepted and still inside the window). */
  get size(): number {
    return this.seen.size;
  }

  /** Frames remembered or reserved for one account. */
  heldFor(account: string): number {
    return this.perAccount.get(account) ?? 0;
  }

  private count(account: string, delta: number): void {
    const n = (this.perAccount.get(account) ?? 0) + delta;
    if (n <= 0) this.perAccount.delete(account);
    else this.perAccount.set(account, n);
  }

  private forgetExpired(now: number): void {
    const nowSecond = now / 1000;
    let drop = 0;
    while (drop < this.seconds.length && this.seconds[drop]! <= nowSecond) {
      const second = this.seconds[drop++]!;
      for (const key of this.bySecond.get(second) ?? []) {
        this.seen.delete(key);
        this.digests.delete(key);
        this.count(accountOf(key), -1);
      }
      this.bySecond.delete(second);
    }
    if (drop > 0) this.seconds = this.seconds.slice(drop);
  }
}

function accountOf(key: string): string {
  return key.slice(0, key.indexOf('|'));
}
