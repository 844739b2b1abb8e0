import { isIPv6 } from 'node:net';

export type Take = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * At most `limit` acceptances per key in any `windowMs` (a sliding log: each key
 * keeps the times it was accepted, at most `limit` of them). The number of keys is
 * bounded too: when `maxKeys` are live, a new key is refused until old ones expire,
 * so a flood from many addresses costs bounded memory instead of growing the map.
 */
export class SlidingWindowLimiter {
  private readonly accepted = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly maxKeys = 100_000,
  ) {
    if (!(limit >= 1) || !(windowMs > 0) || !(maxKeys >= 1)) throw new Error('a limiter needs limit ≥ 1, windowMs > 0 and maxKeys ≥ 1');
  }

  take(key: string, now: number): Take {
    let times = this.accepted.get(key);
    if (times) {
      while (times.length > 0 && times[0]! <= now - this.windowMs) times.shift();
    } else {
      if (this.accepted.size >= this.maxKeys) this.sweep(now);
      if (this.accepted.size >= this.maxKeys) return { ok: false, retryAfterMs: this.windowMs };
      times = [];
      this.accepted.set(key, times);
    }
    if (times.length >= this.limit) return { ok: false, retryAfterMs: times[0]! + this.windowMs - now };
    times.push(now);
    return { ok: true };
  }

  get size(): number {
    return this.accepted.size;
  }

  private sweep(now: number): void {
    for (const [key, times] of this.accepted) if (times.length === 0 || times.at(-1)! <= now - this.windowMs) this.accepted.delete(key);
  }
}

/**
 * The key a client is limited by: its IPv4 address, or the /64 prefix of an IPv6
 * address (one subscriber line holds a whole /64, so single IPv6 addresses are free to rotate).
 */
export function clientKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
