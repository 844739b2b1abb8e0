import type { MqttMessage } from '../adapters/protocols/mqtt/topic-router.js';
import { sensorDeviceId, type SensorMessage } from '../alarms/contract.js';
import { checkSensorMessage } from '../alarms/index.js';
import type { AppContext } from '../platform/app-context.js';
import { checkPeopleCount } from './count-message.js';
import type { CrowdService } from './crowd-service.js';

/**
 * A `people-count` message on the sensor topic (docs/sensors.md), parsed already: a
 * sensor message (alarms' format) whose count is a people count.
 */
export function checkPeopleCountMessage(json: unknown): { ok: true; message: SensorMessage } | { ok: false; problem: string } {
  const checked = checkSensorMessage(json);
  if (!checked.ok) return checked;
  const m = checked.message;
  if (m.type !== 'people-count') return { ok: false, problem: 'not a people-count message' };
  const people = checkPeopleCount({ counterId: 'mqtt', count: m.value, in: m.in, out: m.out, at: m.at }, Date.now());
  if (!people.ok) return { ok: false, problem: people.problem };
  return { ok: true, message: m };
}

/**
 * People counts that arrive with the sensors: `people-count` messages on the MQTT
 * sensor topic (routed here by type; the counter id is the topic's device id) and
 * counts posted to alarms' camera webhook (reaction `alarms.camera-people-count`).
 */
export class CountIngest {
  constructor(
    private readonly ctx: AppContext,
    private readonly service: CrowdService,
  ) {
    ctx.reactions.on('alarms.camera-people-count', async (c) => {
      const checked = checkPeopleCount({ counterId: c.counterId, count: c.count, in: c.in, out: c.out, at: c.at }, ctx.clock.now());
      return checked.ok ? service.reading(checked.reading) : { problem: checked.problem };
    });
  }

  /** Resolves once the count's window is durable; a refused message is counted with the sensor figures, not redelivered. */
  async mqttCount(message: MqttMessage): Promise<void> {
    const { topic } = message;
    const parsed = checkPeopleCountMessage(message.json());
    if (!parsed.ok) {
      await this.ctx.reactions.emit('alarms.sensor-message-refused', { topic, problem: parsed.problem });
      return;
    }
    const m = parsed.message;
    const now = this.ctx.clock.now();
    const outcome = await this.service.reading({
      counterId: sensorDeviceId(topic),
      at: m.at ? Date.parse(m.at) : now,
      ...(m.value !== undefined ? { count: m.value } : { in: m.in ?? 0, out: m.out ?? 0 }),
    });
    if (outcome !== 'recorded') this.ctx.logger.warn({ topic, outcome }, 'people count refused');
  }
}
