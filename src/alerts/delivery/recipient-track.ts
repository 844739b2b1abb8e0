/** Where one recipient of one channel stands. Acknowledgements (answers) are kept per alert, beside. */
export const RECIPIENT_STATES = ['queued', 'sent', 'delivered', 'failed'] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

const QUEUED = 0;
const SENT = 1;
const DELIVERED = 2;
const FAILED = 3;
/** Positions outside every neighbourhood of the city. */
export const NO_AREA = 0xffff;
/** Distinct failure reasons kept per channel; beyond, the reason says the table is full (the count stays exact). */
const MAX_REASONS = 65_000;

export interface AreaRef {
  id: string;
  name: string;
}

/**
 * The recipients of one alert on one channel, by position (the order they were
 * queued in): one byte of state, two of neighbourhood and two of failure reason
 * each, so an alert to a million people costs ≈ 5 MB here besides the ids.
 */
export class RecipientTrack {
  readonly ids: string[] = [];
  private states = new Uint8Array(1024);
  private areaOf = new Uint16Array(1024);
  private reasonOf = new Uint16Array(1024);
  readonly areas: AreaRef[] = [];
  private readonly areaIndex = new Map<string, number>();
  private readonly reasons: string[] = [''];
  private readonly reasonIndex = new Map<string, number>();
  private byId: Map<string, number> | null = null;
  private indexed = 0;
  /** Recipients in each state now (each in exactly one). */
  readonly counts = { queued: 0, sent: 0, delivered: 0, failed: 0 };
  /** Handed to the peer, whatever came of it later. */
  handedOver = 0;

  get size(): number {
    return this.ids.length;
  }

  /** Appends recipients at `first` (their positions); `areaIdx` indexes `areas` of the event, -1 for none. */
  queue(first: number, ids: readonly string[], areaIdx: readonly number[] | undefined, areas: readonly AreaRef[] | undefined): void {
    if (first !== this.ids.length) return; // a replayed or out-of-order batch: positions must stay as the dispatcher numbered them
    this.grow(first + ids.length);
    const local = (areas ?? []).map((a) => this.areaRef(a));
    for (let k = 0; k < ids.length; k++) {
      this.ids.push(ids[k]!);
      const a = areaIdx?.[k] ?? -1;
      this.areaOf[first + k] = a >= 0 && a < local.length ? local[a]! : NO_AREA;
    }
    this.counts.queued += ids.length;
  }

  markSent(position: number): void {
    if (!this.valid(position) || this.states[position] !== QUEUED) return;
    this.states[position] = SENT;
    this.counts.queued--;
    this.counts.sent++;
    this.handedOver++;
  }

  /** A receipt may arrive before its batch is recorded as sent: queued → delivered counts as handed over too. */
  markDelivered(position: number): void {
    if (!this.valid(position)) return;
    const s = this.states[position];
    if (s === QUEUED) {
      this.counts.queued--;
      this.handedOver++;
    } else if (s === SENT) this.counts.sent--;
    else return;
    this.states[position] = DELIVERED;
    this.counts.delivered++;
  }

  markFailed(position: number, reason: string, handedOver: boolean): void {
    if (!this.valid(position)) return;
    const s = this.states[position];
    if (s === QUEUED) {
      this.counts.queued--;
      if (handedOver) this.handedOver++;
    } else if (s === SENT) this.counts.sent--;
    else return;
    this.states[position] = FAILED;
    this.counts.failed++;
    this.reasonOf[position] = this.reasonRef(reason);
  }

  stateAt(position: number): RecipientState {
    return RECIPIENT_STATES[this.states[position]!]!;
  }

  reasonAt(position: number): string | null {
    return this.states[position] === FAILED ? (this.reasons[this.reasonOf[position]!] ?? null) : null;
  }

  areaAt(position: number): AreaRef | null {
    const a = this.areaOf[position]!;
    return a === NO_AREA ? null : this.areas[a]!;
  }

  /** The position of a recipient, or -1; the index is built on the first question (answers by SMS need it, sending does not). */
  positionOf(recipientId: string): number {
    if (!this.byId) this.byId = new Map();
    for (; this.indexed < this.ids.length; this.indexed++) if (!this.byId.has(this.ids[this.indexed]!)) this.byId.set(this.ids[this.indexed]!, this.indexed);
    return this.byId.get(recipientId) ?? -1;
  }

  /** Recipients per neighbourhood and state; "outside" for those in none. */
  perArea(): { areaId: string | null; name: string; queued: number; sent: number; delivered: number; failed: number }[] {
    const rows = new Map<number, { queued: number; sent: number; delivered: number; failed: number }>();
    for (let p = 0; p < this.ids.length; p++) {
      const a = this.areaOf[p]!;
      let row = rows.get(a);
      if (!row) rows.set(a, (row = { queued: 0, sent: 0, delivered: 0, failed: 0 }));
      row[RECIPIENT_STATES[this.states[p]!]!]++;
    }
    return [...rows.entries()]
      .map(([a, r]) => ({ areaId: a === NO_AREA ? null : this.areas[a]!.id, name: a === NO_AREA ? 'outside the neighbourhoods' : this.areas[a]!.name, ...r }))
      .sort((x, y) => (x.areaId === null ? 1 : y.areaId === null ? -1 : x.name.localeCompare(y.name)));
  }

  /** Positions matching a filter, paged: `total` counts every match. */
  select(match: (position: number) => boolean, offset: number, limit: number): { total: number; positions: number[] } {
    const positions: number[] = [];
    let total = 0;
    for (let p = 0; p < this.ids.length; p++) {
      if (!match(p)) continue;
      if (total >= offset && positions.length < limit) positions.push(p);
      total++;
    }
    return { total, positions };
  }

  isState(position: number, state: RecipientState): boolean {
    return this.states[position] === RECIPIENT_STATES.indexOf(state);
  }

  private valid(position: number): boolean {
    return Number.isInteger(position) && position >= 0 && position < this.ids.length;
  }

  private grow(n: number): void {
    if (n <= this.states.length) return;
    let cap = this.states.length;
    while (cap < n) cap *= 2;
    const states = new Uint8Array(cap);
    states.set(this.states);
    this.states = states;
    const areas = new Uint16Array(cap);
    areas.set(this.areaOf);
    this.areaOf = areas;
    const reasons = new Uint16Array(cap);
    reasons.set(this.reasonOf);
    this.reasonOf = reasons;
  }

  private areaRef(a: AreaRef): number {
    let i = this.areaIndex.get(a.id);
    if (i === undefined) {
      i = this.areas.length;
      if (i >= NO_AREA) return NO_AREA;
      this.areas.push({ id: a.id, name: a.name });
      this.areaIndex.set(a.id, i);
    }
    return i;
  }

  private reasonRef(reason: string): number {
    let i = this.reasonIndex.get(reason);
    if (i === undefined) {
      if (this.reasons.length >= MAX_REASONS) reason = 'failed (reason not kept: too many distinct reasons)';
      i = this.reasonIndex.get(reason);
      if (i === undefined) {
        i = this.reasons.length;
        this.reasons.push(reason);
        this.reasonIndex.set(reason, i);
      }
    }
    return i;
  }
}

/** Sorted positions as runs [first, count, first, count, …]: a batch sent whole is two numbers in the log. */
export function toRuns(positions: readonly number[]): number[] {
  const runs: number[] = [];
  for (const p of positions) {
    const n = runs.length;
    if (n >= 2 && runs[n - 2]! + runs[n - 1]! === p) runs[n - 1]!++;
    else runs.push(p, 1);
  }
  return runs;
}

/** Calls `each` for every position of runs; a malformed run (negative, huge) is skipped. */
export function forEachInRuns(runs: readonly number[], limit: number, each: (position: number) => void): void {
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const first = runs[i]!;
    const count = runs[i + 1]!;
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0) continue;
    const end = Math.min(first + count, limit);
    for (let p = first; p < end; p++) each(p);
  }
}
