import { mqttMessage, type MqttMessage } from '../../adapters/protocols/mqtt/topic-router.js';
import type { CityReadPort } from '../../city/contract.js';
import { newId } from '../../kernel/ids.js';
import type { AppContext } from '../../platform/app-context.js';
import { sensorDeviceId } from '../contract.js';
import type { SignalRecorder } from '../signal-recorder.js';
import type { PathSupervisor } from '../supervision/path-supervisor.js';
import type { ReceiverCounters } from './receiver-counters.js';
import { checkSensorMessage, sensorSignalFields } from './sensor-message.js';

/**
 * IoT sensor messages on the sensor topic (vigil/sensors/<deviceId>/events, through
 * the MQTT topic router). People counts on that topic are routed to crowd density.
 */
export class SensorIngest {
  constructor(
    private readonly ctx: AppContext,
    private readonly city: CityReadPort,
    private readonly supervision: PathSupervisor,
    private readonly signals: SignalRecorder,
    private readonly counters: ReceiverCounters,
  ) {}

  /** A message on the sensor topic that its handler refused: counted and logged. */
  refused(topic: string, problem: string): void {
    this.counters.frames('mqtt-invalid');
    this.ctx.logger.warn({ topic, problem }, 'sensor message refused');
  }

  /** One sensor message by topic and payload (in process: tests, benches). */
  handleSensorMessage(topic: string, payload: Buffer): Promise<'recorded' | 'heartbeat' | 'noise' | 'people-count' | 'invalid'> {
    return this.handle(mqttMessage(topic, payload));
  }

  /**
   * One MQTT sensor message. Resolves once the signal is durable; invalid payloads
   * are dropped with the reason (redelivery would not make them valid), unknown
   * devices are recorded and flagged.
   */
  async handle(message: MqttMessage): Promise<'recorded' | 'heartbeat' | 'noise' | 'people-count' | 'invalid'> {
    const { topic } = message;
    const deviceId = sensorDeviceId(topic);
    const parsed = checkSensorMessage(message.json());
    if (!parsed.ok) {
      this.refused(topic, parsed.problem);
      return 'invalid';
    }
    const now = this.ctx.clock.now();
    const device = this.city.devices.get(deviceId);
    await this.supervision.heardPath(`device:${deviceId}`, now);
    if (parsed.message.type === 'noise') {
      await this.ctx.reactions.emit('alarms.noise-reading', {
        deviceId,
        laeqDb: parsed.message.value!,
        at: parsed.message.at ? Date.parse(parsed.message.at) : now,
      });
      return 'noise';
    }
    if (parsed.message.type === 'people-count') {
      // Only reaches here when no crowd route took it (crowd density not running).
      this.ctx.logger.warn({ topic, outcome: 'unknown-counter' }, 'people count refused');
      return 'people-count';
    }
    const fields = sensorSignalFields(parsed.message);
    if (!fields) return 'heartbeat';
    await this.signals.recordSignals(
      [
        {
          signalId: newId('sig'),
          account: null,
          protocol: 'mqtt',
          ...fields,
          zone: device?.zoneId ? String(this.city.zones.get(device.zoneId)?.number ?? '') || null : null,
          user: null,
          area: null,
          occurredAt: parsed.message.at ? new Date(parsed.message.at).toISOString() : null,
          receivedAt: new Date(now).toISOString(),
          position: device?.position ?? null,
          siteId: device?.siteId ?? null,
          deviceId: device ? device.id : deviceId,
          flags: device ? [] : ['unknown-device'],
          ...(parsed.message.value !== undefined ? { reading: { value: parsed.message.value, unit: parsed.message.unit ?? null } } : {}),
        },
      ],
      [],
      device?.orgId ?? null,
    );
    this.counters.frames('mqtt-recorded');
    return 'recorded';
  }
}
