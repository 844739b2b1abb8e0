/**
 * The event stream: how work is handed between processors and between Vigil nodes.
 * In-process by default (src/adapters/streams/memory), NATS JetStream when several
 * nodes share work (src/adapters/streams/nats). Both pass event-bus.conformance.ts.
 *
 * Subjects are dot-separated tokens with NATS wildcards: '*' matches one token,
 * '>' matches one or more trailing tokens.
 */
export interface BusMessage<T = unknown> {
  subject: string;
  payload: T;
  /** How many times this message has been delivered (1 on first delivery). */
  deliveryCount: number;
}

export interface SubscribeOptions {
  /**
   * Consumer group. Members of one group share the messages: each message is handled
   * by one member, at least once (redelivered if the handler throws or its node dies).
   * Without a group every subscriber receives every message published after it subscribed.
   */
  group?: string;
}

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export interface EventBus {
  readonly backend: 'memory' | 'nats';
  /** Resolves once the bus has accepted the message (JetStream: stored by the server). */
  publish(subject: string, payload: unknown): Promise<void>;
  /**
   * Fire-and-forget to every plain (group-less) subscriber on every node, now: not
   * stored, not redelivered, never seen by consumer groups. For frequent notices
   * that are worthless later (e.g. which transmission paths were just heard).
   */
  announce(subject: string, payload: unknown): Promise<void>;
  subscribe<T = unknown>(subject: string, handler: (message: BusMessage<T>) => void | Promise<void>, options?: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

/** NATS subject matching, shared by the in-process bus and tests. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
