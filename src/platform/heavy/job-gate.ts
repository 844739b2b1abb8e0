import { VigilError } from '../../kernel/errors.js';

/**
 * The door in front of every kind of heavy request. It keeps the main thread and
 * the worker pool for the alarm path by:
 *  - single flight: a request equal to one in progress (same key) joins it, so N
 *    identical requests cost one run;
 *  - bounded concurrency: at most `concurrency` runs at once, the rest wait in a
 *    bounded queue;
 *  - per-user quotas: one user holds at most `perUser` runs and waits; beyond that,
 *    and when the queue is full, the request is refused with 429 and Retry-After;
 *  - progress: a long run reports done/total, readable while it runs.
 */
export interface GateLimits {
  /** Runs at the same time. */
  concurrency: number;
  /** Runs waiting for a slot, over all users. */
  queue: number;
  /** Runs (running or waiting) one user may hold. */
  perUser: number;
  /** Told to a refused caller. */
  retryAfterSeconds: number;
}

export interface JobProgress {
  phase: string;
  done: number;
  total: number;
}

export type ReportProgress = (phase: string, done: number, total: number) => void;

export interface GateStats {
  /** Runs actually started. */
  runs: number;
  /** Calls that joined a run already in progress. */
  joined: number;
  /** Calls refused by a quota or a full queue. */
  refused: number;
  running: number;
  waiting: number;
}

interface Flight {
  promise: Promise<unknown>;
  progress: JobProgress;
}

export class JobGate {
  private readonly flights = new Map<string, Flight>();
  private readonly perUser = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];
  private running = 0;
  readonly stats: GateStats = { runs: 0, joined: 0, refused: 0, running: 0, waiting: 0 };

  constructor(
    readonly name: string,
    readonly limits: GateLimits,
  ) {}

  /**
   * Runs `work` for `user` under the gate. With a `key`, a call while a run with
   * that key is in progress gets that run's result instead of a new run. A refusal
   * is thrown at once (not as a rejected promise), so a caller that starts work in
   * the background can still answer 429.
   */
  run<T>(options: { user: string; key?: string }, work: (report: ReportProgress) => Promise<T>): Promise<T> {
    const key = options.key;
    if (key !== undefined) {
      const flight = this.flights.get(key);
      if (flight) {
        this.stats.joined++;
        return flight.promise as Promise<T>;
      }
    }
    this.admit(options.user);
    const progress: JobProgress = { phase: 'queued', done: 0, total: 0 };
    const promise = this.execute(options.user, progress, work);
    if (key !== undefined) {
      this.flights.set(key, { promise, progress });
      const forget = (): void => {
        if (this.flights.get(key)?.promise === promise) this.flights.delete(key);
      };
      promise.then(forget, forget);
    }
    return promise;
  }

  /** Progress of the run with this key, while it runs. */
  progress(key: string): JobProgress | null {
    return this.flights.get(key)?.progress ?? null;
  }

  private admit(user: string): void {
    const held = this.perUser.get(user) ?? 0;
    if (held >= this.limits.perUser) {
      this.stats.refused++;
      throw new VigilError(
        'rate_limited',
        `you already have ${held} ${this.name} request${held === 1 ? '' : 's'} running; wait for ${held === 1 ? 'it' : 'them'} to finish`,
        { retryAfterSeconds: this.limits.retryAfterSeconds, limit: this.limits.perUser },
      );
    }
    if (this.running >= this.limits.concurrency && this.waiters.length >= this.limits.queue) {
      this.stats.refused++;
      throw new VigilError('rate_limited', `the node is busy with other ${this.name} requests; try again shortly`, {
        retryAfterSeconds: this.limits.retryAfterSeconds,
      });
    }
    this.perUser.set(user, held + 1);
  }

  private async execute<T>(user: string, progress: JobProgress, work: (report: ReportProgress) => Promise<T>): Promise<T> {
    try {
      // A finishing run hands its slot straight to the next waiter, so `running` never overshoots.
      if (this.running >= this.limits.concurrency) {
        this.stats.waiting++;
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        this.stats.waiting--;
      } else this.running++;
      this.stats.running = this.running;
      this.stats.runs++;
      progress.phase = 'running';
      try {
        return await work((phase, done, total) => Object.assign(progress, { phase, done, total }));
      } finally {
        const next = this.waiters.shift();
        if (next) next();
        else this.running--;
        this.stats.running = this.running;
      }
    } finally {
      const held = (this.perUser.get(user) ?? 1) - 1;
      if (held <= 0) this.perUser.delete(user);
      else this.perUser.set(user, held);
    }
  }
}

/** A bounded number of concurrent runs of something expensive outside JavaScript (a child process, a WebAssembly worker). */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  /** Most runs ever seen at once: tests read it to show the bound held. */
  peak = 0;

  constructor(readonly limit: number) {}

  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await work();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * A budget per user of bytes a minute, for work whose cost grows with its input (a CAP import's
 * validation and reading): a caller may spend `bytesPerMinute` at once, and it refills evenly over a
 * minute. Beyond it the request is refused with 429 and the seconds until it would fit — where a
 * job gate bounds how many run at once, this bounds how much CPU one account can make the node spend
 * in a minute, so a stolen account sending the same MiB in a loop gets a share, not the machine.
 */
export class ByteBudget {
  private readonly users = new Map<string, { bytes: number; at: number }>();
  /** Requests refused so far (tests, figures). */
  refused = 0;

  constructor(
    readonly name: string,
    readonly bytesPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes `user` may spend now. */
  available(user: string, t = this.now()): number {
    const had = this.users.get(user);
    return had ? Math.min(this.bytesPerMinute, had.bytes + ((t - had.at) / 60_000) * this.bytesPerMinute) : this.bytesPerMinute;
  }

  /** Spends `bytes` of `user`'s budget, or throws 429 (nothing spent) when they do not fit. */
  take(user: string, bytes: number): void {
    const t = this.now();
    const available = this.available(user, t);
    if (bytes > available) {
      this.refused++;
      this.users.set(user, { bytes: available, at: t });
      const retryAfterSeconds = Math.max(1, Math.ceil(((Math.min(bytes, this.bytesPerMinute) - available) / this.bytesPerMinute) * 60));
      throw new VigilError(
        'rate_limited',
        `you sent more than ${mebibytes(this.bytesPerMinute)} of ${this.name} in the last minute; try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds, limitBytesPerMinute: this.bytesPerMinute },
      );
    }
    this.users.set(user, { bytes: available - bytes, at: t });
    // Users whose budget has refilled are forgotten: the map holds only the last minute's senders.
    if (this.users.size > 64) for (const [u, b] of this.users) if (t - b.at >= 60_000) this.users.delete(u);
  }
}

const mebibytes = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
