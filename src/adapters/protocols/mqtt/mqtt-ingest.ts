import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { topicMatches } from './embedded-broker.js';

export interface MqttIngestOptions {
  url: string;
  /** Subscription filter, e.g. 'vigil/sensors/+/events'. */
  topic: string;
  /** A stable client id with a persistent session: QoS 1 messages wait at the broker while Vigil is down. */
  clientId: string;
  /** Resolves once the message is durable (or deliberately dropped); rejects to have it redelivered. */
  onMessage(topic: string, payload: Buffer): Promise<void>;
  onError?(error: unknown): void;
  maxPayloadBytes?: number;
  /** Further topic filters with their own handler (units' AVL positions). */
  routes?: readonly { filter: string; onMessage(topic: string, payload: Buffer): Promise<void> }[];
}

/**
 * Sensor messages from an MQTT broker, QoS 1. The PUBACK goes out only after the
 * handler resolved — i.e. after the signal is in the event log — so a crash
 * between receipt and commit makes the broker deliver the message again.
 */
export class MqttIngest {
  private client: MqttClient | null = null;

  constructor(private readonly options: MqttIngestOptions) {}

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
      const handler = this.options.routes?.find((r) => !topicMatches(this.options.topic, packet.topic) && topicMatches(r.filter, packet.topic))?.onMessage ?? this.options.onMessage;
      handler(packet.topic, payload).then(
        () => done(),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
      );
    };
    client.on('error', (e) => this.options.onError?.(e));
    await client.subscribeAsync([this.options.topic, ...(this.options.routes ?? []).map((r) => r.filter)], { qos: 1 });
    this.client = client;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync().catch(() => {});
    this.client = null;
  }
}
