import type { EventLog, StoredEvent, Unsubscribe } from './event-log.js';

/**
 * A read model built from the event log. Projections are rebuilt from the log on
 * start (so a restart, or a new node, reaches the same state) and then follow it.
 * `apply` must be deterministic and must not append events itself.
 */
export interface Projection {
  readonly name: string;
  /** Type prefixes this projection consumes ('identity.'); empty means every event. */
  readonly typePrefixes: readonly string[];
  apply(event: StoredEvent): void;
  /**
   * Optional: fetches what `apply` will need for these events from outside the log
   * (e.g. personal-data keys), before they are applied. Called with the events of
   * its type prefixes, in order, batch by batch.
   */
  prepare?(events: readonly StoredEvent[]): Promise<void>;
}

export class ProjectionRunner {
  private readonly projections: Projection[] = [];
  private position = 0;
  private stopFollowing: Unsubscribe | null = null;
  private readonly waiters: { seq: number; resolve: () => void }[] = [];
  private readonly listeners = new Set<(events: StoredEvent[]) => void>();

  constructor(private readonly log: EventLog) {}

  register(projection: Projection): void {
    if (this.stopFollowing) throw new Error(`projection ${projection.name} registered after start`);
    this.projections.push(projection);
  }

  /** Replays the whole log into every projection, then follows new events. */
  async start(): Promise<{ replayed: number; ms: number }> {
    const started = performance.now();
    let replayed = 0;
    for (;;) {
      const batch = await this.log.read({ afterSeq: this.position, limit: 5000 });
      if (batch.length === 0) break;
      await this.dispatch(batch, false);
      replayed += batch.length;
    }
    this.stopFollowing = this.log.follow(this.position, (events) => this.dispatch(events, true));
    return { replayed, ms: performance.now() - started };
  }

  /** Last sequence number applied to every projection. */
  get appliedSeq(): number {
    return this.position;
  }

  /** Resolves once projections reflect the event with this seq (read-your-writes for APIs). */
  waitFor(seq: number): Promise<void> {
    if (seq <= this.position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Live events after they were applied to the projections (for WebSocket fan-out). */
  onApplied(listener: (events: StoredEvent[]) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopFollowing?.();
    this.stopFollowing = null;
  }

  private async dispatch(events: StoredEvent[], live: boolean): Promise<void> {
    const fresh = events.filter((e) => e.seq > this.position);
    if (fresh.length === 0) return;
    for (const p of this.projections) {
      if (!p.prepare) continue;
      const mine = fresh.filter((e) => wants(p, e));
      if (mine.length > 0) await p.prepare(mine);
    }
    for (const event of fresh) {
      for (const p of this.projections) {
        if (wants(p, event)) p.apply(event);
      }
      this.position = event.seq;
    }
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.seq <= this.position) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
    if (live) for (const l of this.listeners) l(fresh);
  }
}

function wants(p: Projection, event: StoredEvent): boolean {
  return p.typePrefixes.length === 0 || p.typePrefixes.some((t) => event.type.startsWith(t));
}
