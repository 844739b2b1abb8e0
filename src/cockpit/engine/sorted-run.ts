/**
 * The raw values of one area and month, kept sorted so that exact percentiles
 * of any union of months (a quarter, a year) can be selected without merging
 * or re-sorting. Insertion of one value is a binary search and one block move
 * (copyWithin); bulk loading appends and sorts once on first read.
 */
export class SortedRun {
  private data: Float64Array;
  private n = 0;
  private sorted = true;

  constructor(capacity = 8) {
    this.data = new Float64Array(capacity);
  }

  get length(): number {
    return this.n;
  }

  /** Keeps the run sorted: for live, one-at-a-time updates. */
  insert(value: number): void {
    this.ensureSorted();
    this.grow();
    const at = this.upperBound(value, 0, this.n);
    this.data.copyWithin(at + 1, at, this.n);
    this.data[at] = value;
    this.n++;
  }

  /** Appends without ordering: for bulk loads; the run sorts itself on first read. */
  push(value: number): void {
    this.grow();
    this.data[this.n++] = value;
    this.sorted = false;
  }

  /** The sorted values (a view, valid until the next write). */
  values(): Float64Array {
    this.ensureSorted();
    return this.data.subarray(0, this.n);
  }

  at(i: number): number {
    return this.data[i]!;
  }

  /** First index in [lo, hi) whose value is ≥ x. */
  lowerBound(x: number, lo: number, hi: number): number {
    this.ensureSorted();
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index in [lo, hi) whose value is > x. */
  upperBound(x: number, lo: number, hi: number): number {
    this.ensureSorted();
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  ensureSorted(): void {
    if (this.sorted) return;
    this.data.subarray(0, this.n).sort();
    this.sorted = true;
  }

  private grow(): void {
    if (this.n < this.data.length) return;
    const next = new Float64Array(Math.max(8, this.data.length * 2));
    next.set(this.data.subarray(0, this.n));
    this.data = next;
  }
}

/**
 * The k-th smallest value (0-based) of the union of sorted runs, exactly, without
 * merging them: repeatedly take the middle of the widest remaining window as a
 * pivot, count what lies below and at it in every run, and keep the side that
 * holds rank k. Each round halves the widest window.
 */
export function kthOfRuns(runs: readonly SortedRun[], k: number): number {
  const m = runs.length;
  const lo = new Array<number>(m);
  const hi = new Array<number>(m);
  let total = 0;
  for (let i = 0; i < m; i++) {
    runs[i]!.ensureSorted();
    lo[i] = 0;
    hi[i] = runs[i]!.length;
    total += hi[i]!;
  }
  if (k < 0 || k >= total) throw new RangeError(`rank ${k} outside 0..${total - 1}`);
  const lt = new Array<number>(m);
  const le = new Array<number>(m);
  for (;;) {
    let widest = -1;
    for (let i = 0; i < m; i++) if (hi[i]! > lo[i]! && (widest < 0 || hi[i]! - lo[i]! > hi[widest]! - lo[widest]!)) widest = i;
    const pivot = runs[widest]!.at((lo[widest]! + hi[widest]!) >>> 1);
    let below = 0;
    let equal = 0;
    for (let i = 0; i < m; i++) {
      const r = runs[i]!;
      lt[i] = r.lowerBound(pivot, lo[i]!, hi[i]!);
      le[i] = r.upperBound(pivot, lt[i]!, hi[i]!);
      below += lt[i]! - lo[i]!;
      equal += le[i]! - lt[i]!;
    }
    if (k < below) for (let i = 0; i < m; i++) hi[i] = lt[i]!;
    else if (k < below + equal) return pivot;
    else {
      k -= below + equal;
      for (let i = 0; i < m; i++) lo[i] = le[i]!;
    }
  }
}

export function countOfRuns(runs: readonly SortedRun[]): number {
  let n = 0;
  for (const r of runs) n += r.length;
  return n;
}

/**
 * The p-th percentile (0 < p < 100) of the union of the runs, by linear
 * interpolation between closest ranks (R-7, numpy's default, Excel PERCENTILE.INC):
 * h = (n − 1)·p/100, value = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). Null when empty.
 */
export function percentileOfRuns(runs: readonly SortedRun[], p: number): number | null {
  const n = countOfRuns(runs);
  if (n === 0) return null;
  const h = ((n - 1) * p) / 100;
  const k = Math.floor(h);
  const low = kthOfRuns(runs, k);
  if (h === k || k + 1 >= n) return low;
  return low + (h - k) * (kthOfRuns(runs, k + 1) - low);
}

/** The same percentile over a plain array: the reference the tests compare with. */
export function percentileOfArray(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const h = ((s.length - 1) * p) / 100;
  const k = Math.floor(h);
  return k + 1 >= s.length ? s[k]! : s[k]! + (h - k) * (s[k + 1]! - s[k]!);
}

/** The mean of every value in the runs; null when there is none. */
export function meanOfRuns(runs: readonly SortedRun[]): number | null {
  let sum = 0;
  let n = 0;
  for (const r of runs) {
    const v = r.values();
    for (let i = 0; i < r.length; i++) sum += v[i]!;
    n += r.length;
  }
  return n ? sum / n : null;
}
