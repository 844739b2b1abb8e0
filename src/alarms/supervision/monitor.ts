/**
 * Transmission-path supervision for up to millions of paths without a timer per
 * path: each path has a slot in typed arrays (deadline, interval, state) and its
 * deadline is filed in a bucket per second; a tick every few hundred milliseconds
 * empties the buckets that are due. Refiling on every frame leaves stale entries
 * behind, skipped when their bucket comes up (lazy deletion) — cheaper than
 * finding and removing them.
 */
export interface PathEvent {
  path: string;
  /** Deadline that was missed (epoch ms), or when the path was heard again. */
  at: number;
  lateMs: number;
}

export class SupervisionMonitor {
  private readonly index = new Map<string, number>();
  private names: string[] = [];
  private deadlines = new Float64Array(1024);
  private intervals = new Uint32Array(1024);
  private faulted = new Uint8Array(1024);
  private readonly buckets = new Map<number, number[]>();
  private lastSecond: number;

  constructor(now: number) {
    this.lastSecond = Math.floor(now / 1000);
  }

  get size(): number {
    return this.index.size;
  }

  /** Starts (or changes) supervising a path; its first deadline is one interval from now. */
  watch(path: string, intervalSeconds: number, now: number): void {
    let i = this.index.get(path);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(path);
      this.index.set(path, i);
      if (i >= this.deadlines.length) this.grow();
    }
    this.intervals[i] = Math.max(1, Math.round(intervalSeconds));
    this.faulted[i] = 0;
    this.file(i, now + this.intervals[i]! * 1000);
  }

  /**
   * Supervises a path from a saved state (a restart): its next deadline as given and,
   * when `faulted`, its fault already raised (reported again only after it is heard).
   */
  restore(path: string, intervalSeconds: number, deadline: number, faulted: boolean): void {
    this.watch(path, intervalSeconds, deadline - Math.max(1, Math.round(intervalSeconds)) * 1000);
    if (faulted) this.faulted[this.index.get(path)!] = 1;
  }

  /**
   * Every path with when it was last heard (a faulted one: its missed deadline less one
   * interval; NaN when no longer supervised) and its fault flag. `paths` is the monitor's
   * own list, only ever appended to: the checkpoint reuses its encoding until it grows.
   */
  snapshot(): { paths: string[]; heard: Float64Array; faulted: Uint8Array } {
    const n = this.names.length;
    const heard = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const deadline = this.deadlines[i]!;
      heard[i] = deadline === Number.POSITIVE_INFINITY ? Number.NaN : deadline - this.intervals[i]! * 1000;
    }
    return { paths: this.names, heard, faulted: this.faulted.slice(0, n) };
  }

  unwatch(path: string): void {
    const i = this.index.get(path);
    if (i === undefined) return;
    this.deadlines[i] = Number.POSITIVE_INFINITY; // its bucket entries become stale
    this.faulted[i] = 0;
  }

  /** A frame arrived on the path: push its deadline out; returns a restore if it was faulted. */
  heard(path: string, now: number): PathEvent | null {
    const i = this.index.get(path);
    if (i === undefined || this.deadlines[i] === Number.POSITIVE_INFINITY) return null;
    const wasFaulted = this.faulted[i] === 1;
    const missed = this.deadlines[i]!;
    this.faulted[i] = 0;
    this.file(i, now + this.intervals[i]! * 1000);
    return wasFaulted ? { path, at: now, lateMs: now - missed } : null;
  }

  /** Paths whose deadline passed since the last tick, each reported once until heard again. */
  tick(now: number): PathEvent[] {
    const second = Math.floor(now / 1000);
    const out: PathEvent[] = [];
    for (let s = this.lastSecond; s <= second; s++) {
      const bucket = this.buckets.get(s);
      if (!bucket) continue;
      const keep: number[] = [];
      for (const i of bucket) {
        const deadline = this.deadlines[i]!;
        if (Math.floor(deadline / 1000) !== s || this.faulted[i]) continue; // stale or already reported
        if (deadline > now) {
          keep.push(i); // due later within this second
          continue;
        }
        this.faulted[i] = 1;
        out.push({ path: this.names[i]!, at: deadline, lateMs: now - deadline });
      }
      if (keep.length > 0 && s === second) this.buckets.set(s, keep);
      else this.buckets.delete(s);
    }
    this.lastSecond = second;
    return out;
  }

  isFaulted(path: string): boolean {
    const i = this.index.get(path);
    return i !== undefined && this.faulted[i] === 1;
  }

  /** The path's polling interval in seconds, or null when it is not supervised. */
  intervalOf(path: string): number | null {
    const i = this.index.get(path);
    return i === undefined || this.deadlines[i] === Number.POSITIVE_INFINITY ? null : this.intervals[i]!;
  }

  deadlineOf(path: string): number | null {
    const i = this.index.get(path);
    return i === undefined || this.deadlines[i] === Number.POSITIVE_INFINITY ? null : this.deadlines[i]!;
  }

  private file(i: number, deadline: number): void {
    this.deadlines[i] = deadline;
    const s = Math.max(Math.floor(deadline / 1000), this.lastSecond);
    const bucket = this.buckets.get(s);
    if (bucket) bucket.push(i);
    else this.buckets.set(s, [i]);
  }

  private grow(): void {
    const n = this.deadlines.length * 2;
    const d = new Float64Array(n);
    d.set(this.deadlines);
    const iv = new Uint32Array(n);
    iv.set(this.intervals);
    const f = new Uint8Array(n);
    f.set(this.faulted);
    this.deadlines = d;
    this.intervals = iv;
    this.faulted = f;
  }
}
