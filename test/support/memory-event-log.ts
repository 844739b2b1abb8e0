import { chainBatch } from '../../src/adapters/stores/chain-builder.js';
import { GENESIS_HASH, type EventLog, type NewEvent, type ReadOptions, type StoredEvent } from '../../src/platform/event-log.js';

/**
 * A test double of the event log for API-layer unit tests that are about routing,
 * errors and access, not storage. Storage is tested against the real stores.
 */
export class MemoryEventLog implements EventLog {
  readonly backend = 'sqlite' as const;
  private readonly events: StoredEvent[] = [];
  private readonly followers = new Set<(events: StoredEvent[]) => void | Promise<void>>();

  async append(events: NewEvent[]): Promise<StoredEvent[]> {
    const head = { seq: this.events.length, hash: this.events.at(-1)?.hash ?? GENESIS_HASH };
    const pending = { events: events.map((e) => ({ e, json: JSON.stringify(e.data ?? null) })), resolve: () => {}, reject: () => {} };
    const { results, written } = chainBatch(head, [pending], (id) => this.events.find((x) => x.id === id));
    const stored = written.map((w) => w.stored);
    this.events.push(...stored);
    queueMicrotask(() => this.followers.forEach((f) => void f(stored)));
    return results[0]!;
  }

  async read(o: ReadOptions = {}): Promise<StoredEvent[]> {
    return this.events
      .filter((e) => e.seq > (o.afterSeq ?? 0))
      .filter((e) => !o.typePrefixes || o.typePrefixes.some((p) => e.type.startsWith(p)))
      .filter((e) => !o.subject || e.subject === o.subject)
      .slice(0, o.limit ?? 1000);
  }

  async lastSeq(): Promise<number> {
    return this.events.length;
  }

  follow(afterSeq: number, handler: (events: StoredEvent[]) => void | Promise<void>): () => void {
    const backlog = this.events.filter((e) => e.seq > afterSeq);
    if (backlog.length) queueMicrotask(() => void handler(backlog));
    this.followers.add(handler);
    return () => this.followers.delete(handler);
  }

  /** Tests of tamper detection edit the stored log directly. */
  tamper(seq: number, edit: (e: StoredEvent) => void): void {
    edit(this.events[seq - 1]!);
  }

  async close(): Promise<void> {
    this.followers.clear();
  }
}
