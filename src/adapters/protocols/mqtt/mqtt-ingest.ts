import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { mqttMessage, type MqttTopicRouter } from './topic-router.js';

export interface MqttIngestOptions {
  url: string;
  /** A stable client id with a persistent session: QoS 1 messages wait at the broker while Vigil is down. */
  clientId: string;
  /** Its filters are subscribed to; each message goes to its route, which resolves once durable (or rejects to have it redelivered). */
  router: MqttTopicRouter;
  onError?(error: unknown): void;
  maxPayloadBytes?: number;
}

/**
 * Messages from an MQTT broker, QoS 1. The PUBACK goes out only after the
 * handler resolved — i.e. after the signal is in the event log — so a crash
 * between receipt and commit makes the broker deliver the message again.
 */
export class MqttIngest {
  private client: MqttClient | null = null;

  constructor(private readonly options: MqttIngestOptions) {}

  /** Subscribes to the router's filters as they are now (routes are registered before listening). */
  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.options.url, {
      clientId: this.options.clientId,
      clean: false,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
    });
    const max = this.options.maxPayloadBytes ?? 64 * 1024;
    client.handleMessage = (packet: IPublishPacket, done) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      if (payload.length > max) {
        this.options.onError?.(new Error(`MQTT payload of ${payload.length} bytes on ${packet.topic} exceeds ${max}; dropped`));
        done();
        return;
      }
      const message = mqttMessage(packet.topic, payload);
      const handler = this.options.router.handlerFor(message);
      if (!handler) {
        done();
        return;
      }
      handler(message).then(
        () => done(),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
      );
    };
    client.on('error', (e) => this.options.onError?.(e));
    await client.subscribeAsync(this.options.router.filters(), { qos: 1 });
    this.client = client;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync().catch(() => {});
    this.client = null;
  }
}
