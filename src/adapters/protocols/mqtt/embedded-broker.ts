import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Topic filter whose messages Vigil ingests, e.g. 'vigil/sensors/+/events'. */
  topic: string;
  maxConnections: number;
  maxPayloadBytes?: number;
  /** Resolves once the message is durable (or deliberately dropped). */
  onMessage(topic: string, payload: Buffer): Promise<void>;
  onError?(error: unknown): void;
  /** Further topic filters with their own handler (units' AVL positions). */
  routes?: readonly { filter: string; onMessage(topic: string, payload: Buffer): Promise<void> }[];
}

/** MQTT topic filter matching: '+' one level, '#' the rest. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/**
 * The one-machine default: an MQTT broker inside Vigil (Aedes) so sensors need no
 * other service. A sensor's QoS 1 PUBLISH is ingested inside `authorizePublish`,
 * before the broker sends its PUBACK — so, as with an external broker, a message
 * is acknowledged to the sensor only once it is durable in the event log. If
 * ingest fails the connection is closed unacknowledged and the sensor resends.
 */
export class EmbeddedMqttBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;

  constructor(private readonly options: EmbeddedBrokerOptions) {}

  async start(): Promise<number> {
    const { options } = this;
    const broker = await Aedes.createBroker({ maxClientsIdLength: 64 });
    const max = options.maxPayloadBytes ?? 64 * 1024;
    broker.authorizePublish = (client, packet, callback) => {
      if (packet.topic.startsWith('$SYS/')) return callback(new Error('$SYS topics are reserved'));
      if (!client) return callback(null);
      const handler = topicMatches(options.topic, packet.topic) ? options.onMessage : options.routes?.find((r) => topicMatches(r.filter, packet.topic))?.onMessage;
      if (!handler) return callback(null);
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      if (payload.length > max) return callback(new Error(`payload of ${payload.length} bytes exceeds ${max}`));
      handler(packet.topic, payload).then(
        () => callback(null),
        (error: unknown) => {
          options.onError?.(error);
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };
    broker.on('clientError', (_client, error) => options.onError?.(error));
    const server = createServer(broker.handle as unknown as (socket: import('node:net').Socket) => void);
    server.maxConnections = options.maxConnections;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    this.broker = broker;
    this.server = server;
    return (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.broker = null;
    this.server = null;
  }
}
