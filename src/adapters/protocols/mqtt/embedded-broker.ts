import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { mqttMessage, type MqttTopicRouter } from './topic-router.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  maxConnections: number;
  maxPayloadBytes?: number;
  /** Where the topics Vigil ingests are registered; messages of other topics are ordinary broker traffic. */
  router: MqttTopicRouter;
  onError?(error: unknown): void;
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
      if (!options.router.listensOn(packet.topic)) return callback(null);
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      if (payload.length > max) return callback(new Error(`payload of ${payload.length} bytes exceeds ${max}`));
      const message = mqttMessage(packet.topic, payload);
      const handler = options.router.handlerFor(message);
      if (!handler) return callback(null);
      handler(message).then(
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
