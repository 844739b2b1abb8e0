import { clientKey } from '../kernel/rate-limiter.js';

/** How long a failed sign-in still counts (NIST SP 800-63B: throttle consecutive failures, not forever). */
export const FAILURE_MEMORY_MS = 15 * 60 * 1000;

/** Free attempts, then a delay doubling from `firstDelayMs` with each further failure, up to `maxDelayMs`. */
export interface DelayRule {
  free: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

/**
 * Per account a short cap: somebody else's failures can slow an operator down by at
 * most a minute, never lock them out. Per source (IPv4 address or IPv6 /64) the cap is
 * longer: that is where a guessing attack comes from.
 */
export const ACCOUNT_DELAYS: DelayRule = { free: 5, firstDelayMs: 1_000, maxDelayMs: 60_000 };
export const SOURCE_DELAYS: DelayRule = { free: 20, firstDelayMs: 1_000, maxDelayMs: 15 * 60_000 };

export function delayAfter(failures: number, rule: DelayRule): number {
  if (failures < rule.free) return 0;
  return Math.min(rule.maxDelayMs, rule.firstDelayMs * 2 ** Math.min(30, failures - rule.free));
}

interface Counter {
  /** Times of recorded failures (from `identity.login.failed`, so they survive restarts). */
  failures: number[];
  /** Attempts reserved and not yet decided: counted as failures until they succeed. */
  pending: number;
  /** When the last attempt started or failed: the delay runs from here. */
  lastAt: number;
}

export type Reservation = { ok: true; release: () => void } | { ok: false; retryAfterMs: number };

/**
 * Growing delays per account and per source. An attempt is reserved before the
 * (awaited) password check and counts as a failure until it is released, so a
 * parallel burst is throttled as if its attempts came one after the other.
 */
export class LoginThrottle {
  private readonly accounts = new Map<string, Counter>();
  private readonly sources = new Map<string, Counter>();

  constructor(
    private readonly accountRule: DelayRule = ACCOUNT_DELAYS,
    private readonly sourceRule: DelayRule = SOURCE_DELAYS,
    private readonly maxKeys = 100_000,
  ) {}

  reserve(account: string, ip: string, now: number): Reservation {
    const a = this.counter(this.accounts, account, now);
    const s = this.counter(this.sources, clientKey(ip), now);
    const waitA = a.lastAt + delayAfter(a.failures.length + a.pending, this.accountRule) - now;
    const waitS = s.lastAt + delayAfter(s.failures.length + s.pending, this.sourceRule) - now;
    const wait = Math.max(waitA, waitS);
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    a.pending++;
    s.pending++;
    a.lastAt = s.lastAt = now;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        a.pending--;
        s.pending--;
      },
    };
  }

  /** A failed sign-in (applied from the event, live or on replay). */
  noteFailure(account: string, ip: string, at: number): void {
    for (const [map, key] of [
      [this.accounts, account],
      [this.sources, clientKey(ip)],
    ] as const) {
      const c = this.counter(map, key, at);
      c.failures.push(at);
      c.lastAt = Math.max(c.lastAt, at);
    }
  }

  /** A successful sign-in clears the account's count (not the source's). */
  noteSuccess(account: string): void {
    const c = this.accounts.get(account);
    if (c) c.failures = [];
  }

  failuresOf(account: string, now: number): number {
    return this.counter(this.accounts, account, now).failures.length;
  }

  private counter(map: Map<string, Counter>, key: string, now: number): Counter {
    let c = map.get(key);
    if (!c) {
      if (map.size >= this.maxKeys) this.sweep(map, now);
      c = { failures: [], pending: 0, lastAt: 0 };
      map.set(key, c);
    }
    while (c.failures.length > 0 && c.failures[0]! <= now - FAILURE_MEMORY_MS) c.failures.shift();
    return c;
  }

  private sweep(map: Map<string, Counter>, now: number): void {
    for (const [key, c] of map) if (c.pending === 0 && c.lastAt <= now - FAILURE_MEMORY_MS) map.delete(key);
  }
}
