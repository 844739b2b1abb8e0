import {
  AckPolicy,
  DeliverPolicy,
  JSONCodec,
  RetentionPolicy,
  StorageType,
  connect,
  nanos,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type Subscription as CoreSubscription,
} from 'nats';
import type { BusMessage, EventBus, SubscribeOptions, Subscription } from '../../../platform/event-bus.js';

export interface NatsEventBusOptions {
  url: string;
  /** JetStream stream holding this installation's messages. */
  streamName: string;
  /** Every subject is published as `<prefix>.<subject>`; the stream captures `<prefix>.>`. */
  subjectPrefix: string;
  nodeId: string;
  /** How long an unacknowledged message waits before redelivery to another member. */
  ackWaitMs?: number;
  maxAgeMs?: number;
  /** Tests: remove the stream when this bus closes. */
  deleteStreamOnClose?: boolean;
  onError?: (error: unknown, message?: BusMessage) => void;
}

const codec = JSONCodec();
const NAME = /^[A-Za-z0-9_-]+$/;

/**
 * The event stream of several Vigil nodes, on NATS JetStream. A consumer group is
 * a durable pull consumer shared by its members on every node: each message is
 * handled once, acknowledged after its handler succeeds and redelivered (to any
 * member) when the handler throws or its node dies before acknowledging. Plain
 * subscribers use a core NATS subscription on the same subjects.
 */
export class NatsEventBus implements EventBus {
  readonly backend = 'nats' as const;
  private readonly subscriptions = new Set<{ stop(): Promise<void> }>();
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly options: NatsEventBusOptions,
  ) {}

  static async open(options: NatsEventBusOptions): Promise<NatsEventBus> {
    if (!NAME.test(options.streamName)) throw new Error(`invalid JetStream stream name "${options.streamName}"`);
    if (!NAME.test(options.subjectPrefix)) throw new Error(`invalid subject prefix "${options.subjectPrefix}"`);
    const nc = await connect({ servers: options.url, name: `vigil-${options.nodeId}`, maxReconnectAttempts: -1, timeout: 5000 });
    try {
      const jsm = await nc.jetstreamManager();
      const config = {
        name: options.streamName,
        subjects: [`${options.subjectPrefix}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        max_age: nanos(options.maxAgeMs ?? 7 * 24 * 3600 * 1000),
      };
      try {
        await jsm.streams.info(options.streamName);
        await jsm.streams.update(options.streamName, config);
      } catch {
        await jsm.streams.add(config);
      }
      return new NatsEventBus(nc, nc.jetstream(), jsm, options);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  async publish(subject: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('the event bus is closed');
    // Resolves once JetStream has stored it (the PubAck).
    await this.js.publish(`${this.options.subjectPrefix}.${subject}`, codec.encode(payload));
  }

  /**
   * Core NATS: straight to the plain subscribers connected now. Under its own prefix,
   * outside the stream's subjects, so JetStream neither stores it nor hands it to groups.
   */
  async announce(subject: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('the event bus is closed');
    this.nc.publish(`${this.options.subjectPrefix}_announce.${subject}`, codec.encode(payload));
  }

  async subscribe<T>(subject: string, handler: (message: BusMessage<T>) => void | Promise<void>, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new Error('the event bus is closed');
    const full = `${this.options.subjectPrefix}.${subject}`;
    const strip = (s: string): string => s.slice(this.options.subjectPrefix.length + 1);
    if (!options.group) {
      // Plain subscribers hear both the stream's subjects and the announcements.
      const announced = `${this.options.subjectPrefix}_announce.${subject}`;
      const subs = [
        await this.broadcast(full, strip, handler as (m: BusMessage) => Promise<void>),
        await this.broadcast(announced, (s) => s.slice(this.options.subjectPrefix.length + '_announce.'.length), handler as (m: BusMessage) => Promise<void>),
      ];
      return this.track({ stop: async () => void (await Promise.all(subs.map((x) => x.stop()))) });
    }
    if (!NAME.test(options.group)) throw new Error(`invalid consumer group name "${options.group}"`);
    await this.jsm.consumers.add(this.options.streamName, {
      durable_name: options.group,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      filter_subject: full,
      ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
      max_deliver: -1,
    });
    const consumer = await this.js.consumers.get(this.options.streamName, options.group);
    const messages: ConsumerMessages = await consumer.consume({ max_messages: 256 });
    const loop = (async () => {
      for await (const m of messages) {
        let payload: T;
        try {
          payload = codec.decode(m.data) as T;
        } catch (error) {
          this.options.onError?.(error);
          m.term(); // undecodable: redelivering would loop forever
          continue;
        }
        const message: BusMessage<T> = { subject: strip(m.subject), payload, deliveryCount: m.info.deliveryCount };
        try {
          await handler(message);
          m.ack();
        } catch (error) {
          this.options.onError?.(error, message as BusMessage);
          m.nak(Math.min(50 * m.info.deliveryCount, 5000));
        }
      }
    })();
    return this.track({
      async stop() {
        await messages.close();
        await loop.catch(() => {});
      },
    });
  }

  private async broadcast(full: string, strip: (s: string) => string, handler: (m: BusMessage) => void | Promise<void>): Promise<{ stop(): Promise<void> }> {
    const sub: CoreSubscription = this.nc.subscribe(full);
    const loop = (async () => {
      for await (const m of sub) {
        const message: BusMessage = { subject: strip(m.subject), payload: codec.decode(m.data), deliveryCount: 1 };
        try {
          await handler(message);
        } catch (error) {
          this.options.onError?.(error, message);
        }
      }
    })();
    // The server knows the subscription once the flush round-trip returns.
    await this.nc.flush();
    return {
      async stop() {
        sub.unsubscribe();
        await loop.catch(() => {});
      },
    };
  }

  private track(s: { stop(): Promise<void> }): Subscription {
    this.subscriptions.add(s);
    return {
      unsubscribe: async () => {
        this.subscriptions.delete(s);
        await s.stop();
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    if (this.options.deleteStreamOnClose) await this.jsm.streams.delete(this.options.streamName).catch(() => {});
    await this.nc.drain().catch(() => this.nc.close());
  }
}
