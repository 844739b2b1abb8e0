/**
 * Who may do what on Vigil's MQTT topics (the embedded broker asks this for every
 * CONNECT, PUBLISH and SUBSCRIBE; docs/mosquitto-acl.md says the same for Mosquitto):
 * - Vigil's own clients (its siren channel, its ingest) publish and subscribe anywhere;
 * - a device publishes only its own topics: its sensor topic (alarms, noise, people
 *   counts) and, for a siren or loudspeaker, the acknowledgements of its commands; it
 *   subscribes only to its own command topic — never to another's data, never '#';
 * - a unit's tracker publishes only its own position.
 * Nobody but Vigil publishes a siren or loudspeaker command.
 */
export type MqttIdentity = { kind: 'vigil' } | { kind: 'device'; id: string; commanded: boolean } | { kind: 'unit'; id: string };

export interface MqttTopicPlan {
  /** The sensors' topic filter with one '+' for the device id ('vigil/sensors/+/events'). */
  sensorTopic: string;
  /** The units' position filter with one '+' for the unit id ('vigil/units/+/position'). */
  unitsTopic: string;
  /** Siren and loudspeaker commands go to `<prefix>/<id>/command`, acknowledgements come back on `<prefix>/<id>/ack`. */
  sirenPrefix: string;
}

/** An id that can stand in one topic level: no separator, no wildcard, not empty. */
const safeLevel = (id: string): boolean => id.length > 0 && !/[/+#]/.test(id) && !id.includes(String.fromCharCode(0));

/** The filter with its '+' level replaced by `id`: the one topic that id owns. */
export function ownTopic(filter: string, id: string): string {
  return filter.replace('+', id);
}

export function mayPublish(who: MqttIdentity, topic: string, plan: MqttTopicPlan): boolean {
  if (topic.startsWith('$')) return false;
  if (who.kind === 'vigil') return true;
  if (!safeLevel(who.id)) return false;
  if (who.kind === 'unit') return topic === ownTopic(plan.unitsTopic, who.id);
  if (topic === ownTopic(plan.sensorTopic, who.id)) return true;
  return who.commanded && topic === `${plan.sirenPrefix}/${who.id}/ack`;
}

export function maySubscribe(who: MqttIdentity, filter: string, plan: MqttTopicPlan): boolean {
  if (who.kind === 'vigil') return true;
  if (!safeLevel(who.id) || who.kind === 'unit') return false;
  return who.commanded && filter === `${plan.sirenPrefix}/${who.id}/command`;
}

/** Device kinds Vigil sends commands to over MQTT. */
export const COMMANDED_KINDS: readonly string[] = ['siren', 'loudspeaker'];
