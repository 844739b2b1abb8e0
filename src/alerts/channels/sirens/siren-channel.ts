import mqtt, { type MqttClient } from 'mqtt';
import { newId } from '../../../kernel/ids.js';
import { inArea } from '../../targeting/area-geometry.js';
import { exerciseMark } from '../../model.js';
import type { AlertRecord } from '../../model.js';
import type { ChannelJob, DeviceChannel, OutgoingMessage, SendResult } from '../channel.js';
import { DEFAULT_AMBIENT_DB, type WarningLevel } from './ambient-noise.js';

export interface WarningDevice {
  id: string;
  kind: 'siren' | 'loudspeaker';
  position: [number, number];
}

/**
 * Sound level of a warning device: above the ambient noise by a margin, never above
 * the device's maximum (EN ISO 7731 asks for a warning signal 15 dB above ambient).
 * Ambient is the zone's measured level when a noise sensor reported one recently
 * (ambient-noise.ts), else a typical urban level per kind of place.
 */
export function warningLevelDb(kind: WarningDevice['kind'], ambientDb: number = kind === 'siren' ? 70 : 60): number {
  const maxDb = kind === 'siren' ? 120 : 96;
  return Math.min(ambientDb + 15, maxDb);
}

export interface SirenOptions {
  /** Sirens and loudspeakers of the city (their positions decide which sound). */
  devices: () => Iterable<WarningDevice>;
  /** Commands go to `<topicPrefix>/<deviceId>/command`. */
  topicPrefix?: string;
  /** Base URL (no trailing slash) of the voice files loudspeakers fetch. */
  publicUrl?: () => string;
  /** The ambient each device's level is set above (measured, or the default per kind), and where the chosen levels are recorded. */
  ambientOf?: (d: WarningDevice) => Pick<WarningLevel, 'ambientDb' | 'ambientSource' | 'measuredAt'>;
  onWarningLevels?: (alert: AlertRecord, levels: WarningLevel[]) => Promise<void>;
  /** Vigil's own credential on the embedded broker (an external broker's is in its URL). */
  credential?: { username: string; password: string } | undefined;
  /** Told of every command the broker accepted, to await the device's acknowledgement. */
  onSent?: (alertId: string, deviceId: string, commandId: string) => void;
}

/**
 * Sirens and loudspeaker zones over MQTT: one command per device inside the area on
 * `<prefix>/<deviceId>/command` (the message's address is the topic): sound (or stop,
 * for a Cancel), the level above the ambient, voice files per language for public
 * loudspeakers. JSON, QoS 1: sent means the broker acknowledged it (PUBACK).
 */
export class SirenChannel implements DeviceChannel {
  readonly channel = 'sirens' as const;
  readonly reach = 'per-device' as const;
  readonly unavailable: string | null;
  private client: Promise<MqttClient> | null = null;

  /** `url`: the MQTT broker the sirens listen on (known once the embedded broker listens), or null when there is none. */
  constructor(
    private readonly url: string | (() => string | null) | null,
    private readonly options: SirenOptions,
  ) {
    this.unavailable = url ? null : 'no MQTT broker for sirens (VIGIL_SIREN_MQTT_URL)';
  }

  async commands({ alert, infos, area, textsOf }: ChannelJob): Promise<OutgoingMessage[]> {
    const devices = [...this.options.devices()].filter((d) => inArea(d.position, area));
    const levels = new Map(
      devices.map((d) => {
        const ambient = this.options.ambientOf?.(d) ?? { ambientDb: DEFAULT_AMBIENT_DB[d.kind], ambientSource: 'default' as const, measuredAt: null };
        return [d.id, { deviceId: d.id, kind: d.kind, ...ambient, levelDb: warningLevelDb(d.kind, ambient.ambientDb) }] as const;
      }),
    );
    await this.options.onWarningLevels?.(alert, [...levels.values()]);
    const evacuate = infos.some((i) => i.responseType?.includes('Evacuate'));
    const base = this.options.publicUrl?.() ?? '';
    return devices.map((d) => ({
      recipientId: d.id,
      address: `${this.options.topicPrefix ?? 'vigil/sirens'}/${d.id}/command`,
      subject: '',
      headers: {},
      text: JSON.stringify({
        // The device answers with this id on <prefix>/<deviceId>/ack.
        commandId: newId('cmd'),
        alertId: alert.alertId,
        identifier: alert.cap.identifier,
        sent: alert.cap.sent,
        status: alert.cap.status,
        exercise: exerciseMark(alert.cap),
        action: alert.cap.msgType === 'Cancel' ? 'stop' : 'sound',
        signal: alert.cap.msgType === 'Cancel' ? 'all-clear' : evacuate ? 'evacuate' : 'alert',
        levelDb: levels.get(d.id)!.levelDb,
        ambientDb: levels.get(d.id)!.ambientDb,
        ambientSource: levels.get(d.id)!.ambientSource,
        voice:
          d.kind === 'loudspeaker' && alert.cap.scope === 'Public'
            ? infos.map((i) => ({
                language: i.language ?? 'en-US',
                url: `${base}/api/alerts/public/${alert.alertId}/voice/${i.language ?? 'en-US'}.wav`,
                text: textsOf(i).voice,
              }))
            : [],
        expires:
          infos
            .map((i) => i.expires)
            .filter(Boolean)
            .sort()
            .at(-1) ?? null,
      }),
    }));
  }

  private connect(url: string): Promise<MqttClient> {
    this.client ??= mqtt
      .connectAsync(url, {
        clientId: `vigil-sirens-${process.pid}-${Date.now().toString(36)}`,
        reconnectPeriod: 1000,
        connectTimeout: 5000,
        ...(this.options.credential ?? {}),
      })
      .catch((error: unknown) => {
        this.client = null;
        throw error;
      });
    return this.client;
  }

  async send(messages: readonly OutgoingMessage[]): Promise<SendResult[]> {
    const url = typeof this.url === 'function' ? this.url() : this.url;
    if (!url) return messages.map(() => ({ ok: false, error: this.unavailable ?? 'the MQTT broker is not listening yet', retry: !this.unavailable }));
    let client: MqttClient;
    try {
      client = await this.connect(url);
    } catch (error) {
      return messages.map(() => ({ ok: false, error: `MQTT broker unreachable: ${(error as Error).message}`, retry: true }));
    }
    return Promise.all(
      messages.map(async (m): Promise<SendResult> => {
        try {
          await client.publishAsync(m.address, m.text, { qos: 1 });
          const { alertId, commandId } = JSON.parse(m.text) as { alertId: string; commandId?: string };
          if (commandId) this.options.onSent?.(alertId, m.recipientId, commandId);
          return { ok: true };
        } catch (error) {
          return { ok: false, error: (error as Error).message, retry: true };
        }
      }),
    );
  }

  async close(): Promise<void> {
    const client = await this.client?.catch(() => null);
    this.client = null;
    await client?.endAsync();
  }
}
