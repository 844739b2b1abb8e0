import { subjectMatches, type BusMessage, type EventBus, type SubscribeOptions, type Subscription } from '../../../platform/event-bus.js';

type Handler = (message: BusMessage) => void | Promise<void>;

interface Member {
  handler: Handler;
  active: boolean;
}

interface Group {
  subject: string;
  members: Member[];
  next: number;
  /** Messages that arrived while the group had no member (bounded). */
  parked: BusMessage[];
}

export interface MemoryEventBusOptions {
  /** Redelivery delay after a handler throws: base × attempt, capped. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Messages kept for a group with no member at the moment. */
  maxParked?: number;
  onError?: (error: unknown, message: BusMessage) => void;
}

/**
 * The in-process stream of a single node. Same semantics as the NATS bus: a
 * consumer group shares messages round-robin, each handled by one member and
 * redelivered (deliveryCount + 1, possibly to another member) while its handler
 * throws; plain subscribers see every message published after they subscribed.
 */
export class MemoryEventBus implements EventBus {
  readonly backend = 'memory' as const;
  private readonly broadcast = new Set<{ subject: string; handler: Handler }>();
  private readonly groups = new Map<string, Group>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: MemoryEventBusOptions = {}) {}

  async publish(subject: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('the event bus is closed');
    const listeners = [...this.broadcast].filter((s) => subjectMatches(s.subject, subject));
    const groups = [...this.groups.values()].filter((g) => subjectMatches(g.subject, subject));
    if (listeners.length === 0 && groups.length === 0) return; // nobody listens: nothing to copy
    // Structured clone: a subscriber never shares mutable state with the publisher,
    // as with a real broker.
    const message: BusMessage = { subject, payload: structuredClone(payload), deliveryCount: 1 };
    for (const s of listeners) this.later(() => s.handler({ ...message }), message, false);
    for (const group of groups) this.deliverToGroup(group, message);
  }

  async announce(subject: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('the event bus is closed');
    const listeners = [...this.broadcast].filter((s) => subjectMatches(s.subject, subject));
    if (listeners.length === 0) return;
    const message: BusMessage = { subject, payload: structuredClone(payload), deliveryCount: 1 };
    for (const s of listeners) this.later(() => s.handler({ ...message }), message, false);
  }

  async subscribe<T>(subject: string, handler: (message: BusMessage<T>) => void | Promise<void>, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new Error('the event bus is closed');
    const h = handler as Handler;
    if (!options.group) {
      const entry = { subject, handler: h };
      this.broadcast.add(entry);
      return { unsubscribe: async () => void this.broadcast.delete(entry) };
    }
    let group = this.groups.get(options.group);
    if (!group) {
      group = { subject, members: [], next: 0, parked: [] };
      this.groups.set(options.group, group);
    } else if (group.subject !== subject) {
      throw new Error(`consumer group ${options.group} already consumes ${group.subject}, not ${subject}`);
    }
    const member: Member = { handler: h, active: true };
    group.members.push(member);
    const parked = group.parked.splice(0);
    for (const m of parked) this.deliverToGroup(group, m);
    const g = group;
    return {
      unsubscribe: async () => {
        member.active = false;
        g.members = g.members.filter((m) => m !== member);
      },
    };
  }

  private deliverToGroup(group: Group, message: BusMessage): void {
    if (group.members.length === 0) {
      if (group.parked.length < (this.options.maxParked ?? 100_000)) group.parked.push(message);
      return;
    }
    const member = group.members[group.next++ % group.members.length]!;
    this.later(
      () => member.handler({ ...message }),
      message,
      true,
      (next) => this.deliverToGroup(group, next),
    );
  }

  private later(run: () => void | Promise<void>, message: BusMessage, retry: boolean, redeliver?: (m: BusMessage) => void): void {
    setImmediate(() => {
      if (this.closed) return;
      Promise.resolve()
        .then(run)
        .catch((error: unknown) => {
          this.options.onError?.(error, message);
          if (!retry || !redeliver || this.closed) return;
          const delay = Math.min((this.options.retryBaseMs ?? 50) * message.deliveryCount, this.options.retryMaxMs ?? 5000);
          const timer = setTimeout(() => {
            this.retries.delete(timer);
            redeliver({ ...message, deliveryCount: message.deliveryCount + 1 });
          }, delay);
          this.retries.add(timer);
        });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.retries) clearTimeout(t);
    this.broadcast.clear();
    this.groups.clear();
  }
}
