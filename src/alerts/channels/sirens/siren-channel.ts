import mqtt, { type MqttClient } from 'mqtt';
import type { ChannelAdapter, OutgoingMessage, SendResult } from '../../delivery/channel-adapter.js';

/**
 * Sirens and loudspeaker zones over MQTT: one command per device on
 * `<prefix>/<deviceId>/command` (the message's address is the topic), JSON, QoS 1:
 * sent means the broker acknowledged it (PUBACK).
 */
export class SirenAdapter implements ChannelAdapter {
  readonly channel = 'sirens' as const;
  private client: Promise<MqttClient> | null = null;

  constructor(private readonly url: string) {}

  private connect(): Promise<MqttClient> {
    this.client ??= mqtt.connectAsync(this.url, { clientId: `vigil-sirens-${process.pid}-${Date.now().toString(36)}`, reconnectPeriod: 1000, connectTimeout: 5000 }).catch((error: unknown) => {
      this.client = null;
      throw error;
    });
    return this.client;
  }

  async send(messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    let client: MqttClient;
    try {
      client = await this.connect();
    } catch (error) {
      return messages.map(() => ({ ok: false, error: `MQTT broker unreachable: ${(error as Error).message}`, retry: true }));
    }
    return Promise.all(messages.map(async (m): Promise<SendResult> => {
      try {
        await client.publishAsync(m.address, m.text, { qos: 1 });
        return { ok: true };
      } catch (error) {
        return { ok: false, error: (error as Error).message, retry: true };
      }
    }));
  }

  async close(): Promise<void> {
    const client = await this.client?.catch(() => null);
    this.client = null;
    await client?.endAsync();
  }
}
