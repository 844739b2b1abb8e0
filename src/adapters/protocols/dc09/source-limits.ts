/**
 * Per-source-address limits for the DC-09 listeners: a token bucket of frames per
 * second and a count of open TCP connections. A panel sends a few frames a minute.
 * Over TCP a frame over the rate waits for its token (the connection stops being
 * read meanwhile, so nothing is lost and a flood costs nothing); over UDP it is
 * dropped before any parsing or decryption. Both are counted. Junk costs tokens
 * too (one per JUNK_BYTES_PER_TOKEN bytes that belonged to no frame), and so does a
 * refused frame (REFUSAL_TOKENS): a real panel sends neither, an attacker pays for both.
 */
export const JUNK_BYTES_PER_TOKEN = 64;
export const REFUSAL_TOKENS = 50;
export interface SourceLimitOptions {
  /** Frames a second one address may send, sustained (0 = unlimited). */
  framesPerSecond: number;
  /** Frames one address may send at once before the rate applies. */
  burst: number;
  /** Open TCP connections per address. */
  connectionsPerSource: number;
  /**
   * Strikes (a refused frame: 1; a KiB of junk: 1) after which an address is quarantined; they leak at
   * this many a minute (0 or absent: no quarantine).
   */
  quarantineStrikes?: number;
  /** How long a quarantine lasts. */
  quarantineMs?: number;
}

/** Bytes that belonged to no frame per quarantine strike. */
export const JUNK_BYTES_PER_STRIKE = 1024;

interface Bucket {
  tokens: number;
  at: number;
  connections: number;
  /** Quarantine strikes at `struckAt` (they leak), and the end of a quarantine (0: none). */
  strikes: number;
  struckAt: number;
  quarantinedUntil: number;
}

/** Addresses remembered at most; beyond it idle buckets are forgotten (a full bucket is the default). */
const MAX_SOURCES = 100_000;

export class SourceLimits {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: SourceLimitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one frame's token; false when the address is over its rate. */
  allowFrame(address: string): boolean {
    if (this.options.framesPerSecond <= 0) return true;
    const b = this.bucket(address);
    const t = this.now();
    b.tokens = Math.min(this.options.burst, b.tokens + ((t - b.at) / 1000) * this.options.framesPerSecond);
    b.at = t;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /**
   * Charges extra tokens for work that was not a good frame: bytes that belonged to no
   * frame and frames that were refused. The balance may go below zero (down to one
   * burst of debt): the source then waits, or is dropped, until it has paid.
   */
  charge(address: string, tokens: number): void {
    if (this.options.framesPerSecond <= 0 || tokens <= 0) return;
    const b = this.bucket(address);
    const t = this.now();
    b.tokens = Math.max(-this.options.burst, Math.min(this.options.burst, b.tokens + ((t - b.at) / 1000) * this.options.framesPerSecond) - tokens);
    b.at = t;
  }

  /** Milliseconds until the address has a token again (0 when it has one). */
  waitMs(address: string): number {
    if (this.options.framesPerSecond <= 0) return 0;
    const b = this.bucket(address);
    const tokens = Math.min(this.options.burst, b.tokens + ((this.now() - b.at) / 1000) * this.options.framesPerSecond);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / this.options.framesPerSecond) * 1000);
  }

  /**
   * Adds quarantine strikes (refused frames, junk) to an address; returns the end of its quarantine when
   * this put it in quarantine (its strikes then start again from none), else null.
   */
  strike(address: string, strikes: number): number | null {
    const limit = this.options.quarantineStrikes ?? 0;
    if (limit <= 0 || strikes <= 0) return null;
    const b = this.bucket(address);
    const t = this.now();
    if (b.quarantinedUntil > t) return null;
    b.strikes = Math.max(0, b.strikes - ((t - b.struckAt) / 60_000) * limit) + strikes;
    b.struckAt = t;
    if (b.strikes < limit) return null;
    b.strikes = 0;
    b.quarantinedUntil = t + (this.options.quarantineMs ?? 300_000);
    return b.quarantinedUntil;
  }

  /** Whether the address is in quarantine now (looked up only: an unknown address is not remembered). */
  quarantined(address: string): boolean {
    const b = this.buckets.get(address);
    return b !== undefined && b.quarantinedUntil > this.now();
  }

  /** Puts an address in quarantine until `until` (a quarantine decided on another thread). */
  quarantine(address: string, until: number): void {
    const b = this.bucket(address);
    if (until > b.quarantinedUntil) b.quarantinedUntil = until;
  }

  /** Counts a new connection; false (and not counted) when the address has its share open. */
  openConnection(address: string): boolean {
    const b = this.bucket(address);
    if (b.connections >= this.options.connectionsPerSource) return false;
    b.connections++;
    return true;
  }

  closeConnection(address: string): void {
    const b = this.buckets.get(address);
    if (b && b.connections > 0) b.connections--;
  }

  private bucket(address: string): Bucket {
    let b = this.buckets.get(address);
    if (!b) {
      if (this.buckets.size >= MAX_SOURCES) this.forgetIdle();
      b = { tokens: this.options.burst, at: this.now(), connections: 0, strikes: 0, struckAt: this.now(), quarantinedUntil: 0 };
      this.buckets.set(address, b);
    }
    return b;
  }

  private forgetIdle(): void {
    const t = this.now();
    for (const [address, b] of this.buckets) if (b.connections === 0 && b.quarantinedUntil <= t) this.buckets.delete(address);
  }
}
