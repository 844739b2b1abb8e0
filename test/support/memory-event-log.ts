import { eventHash } from '../../src/platform/event-hash.js';
import { GENESIS_HASH, type EventLog, type NewEvent, type ReadOptions, type StoredEvent } from '../../src/platform/event-log.js';
import { newId } from '../../src/kernel/ids.js';

/**
 * A test double of the event log for API-layer unit tests that are about routing,
 * errors and access, not storage. Storage is tested against the real stores.
 */
export class MemoryEventLog implements EventLog {
  readonly backend = 'sqlite' as const;
  private readonly events: StoredEvent[] = [];
  private readonly followers = new Set<(events: StoredEvent[]) => void | Promise<void>>();

  async append(events: NewEvent[]): Promise<StoredEvent[]> {
    const stored: StoredEvent[] = [];
    for (const e of events) {
      const prevHash = this.events.at(-1)?.hash ?? GENESIS_HASH;
      const fields = {
        seq: this.events.length + 1,
        id: e.id ?? newId('evt'),
        type: e.type,
        subject: e.subject,
        orgId: e.orgId,
        actor: e.actor,
        reason: e.reason ?? null,
        at: new Date(e.at ?? Date.now()).toISOString(),
        data: JSON.parse(JSON.stringify(e.data)) as unknown,
      };
      const s = { ...fields, prevHash, hash: eventHash(prevHash, fields) };
      this.events.push(s);
      stored.push(s);
    }
    queueMicrotask(() => this.followers.forEach((f) => void f(stored)));
    return stored;
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
