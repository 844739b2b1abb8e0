/**
 * One MQTT topic router per node: each capability registers the topics it ingests
 * (a filter and a handler); the embedded broker and the external-broker ingest both
 * deliver to it. A topic shared by several message types (the sensors' topic carries
 * alarms' sensor messages and crowd's people counts) is split by the JSON `type` of
 * the message: a route with a `type` takes those, the route without one the rest.
 */
export interface MqttMessage {
  topic: string;
  payload: Buffer;
  /** The payload as JSON, parsed at most once per message (undefined: not JSON). */
  json(): unknown;
}

export interface MqttRoute {
  /** Topic filter, e.g. 'vigil/sensors/+/events' ('+' one level, '#' the rest). */
  filter: string;
  /** On a topic shared by message types: only messages whose JSON `type` is this one. */
  type?: string;
  /** Resolves once the message is durable (or deliberately dropped); rejects to have it redelivered. */
  handle(message: MqttMessage): Promise<void>;
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

const NOT_PARSED = Symbol('not parsed');

/** A message whose JSON is parsed on first use and kept. */
export function mqttMessage(topic: string, payload: Buffer): MqttMessage {
  let parsed: unknown = NOT_PARSED;
  return {
    topic,
    payload,
    json() {
      if (parsed === NOT_PARSED) {
        try {
          parsed = JSON.parse(payload.toString('utf8'));
        } catch {
          parsed = undefined;
        }
      }
      return parsed;
    },
  };
}

const typeOf = (json: unknown): unknown => (json !== null && typeof json === 'object' ? (json as { type?: unknown }).type : undefined);

export class MqttTopicRouter {
  private readonly routes: MqttRoute[] = [];

  /** Registers a route; returns a function that removes it. Among untyped routes on one topic, the first registered wins. */
  route(route: MqttRoute): () => void {
    this.routes.push(route);
    return () => {
      const at = this.routes.indexOf(route);
      if (at >= 0) this.routes.splice(at, 1);
    };
  }

  /** The distinct filters to subscribe to. */
  filters(): string[] {
    return [...new Set(this.routes.map((r) => r.filter))];
  }

  /** Whether any route listens on this topic. */
  listensOn(topic: string): boolean {
    return this.routes.some((r) => topicMatches(r.filter, topic));
  }

  /** The handler of a message, or null when no route takes it (ordinary broker traffic). */
  handlerFor(message: MqttMessage): MqttRoute['handle'] | null {
    let untyped: MqttRoute | null = null;
    let typed = false;
    for (const r of this.routes) {
      if (!topicMatches(r.filter, message.topic)) continue;
      if (r.type === undefined) untyped ??= r;
      else typed = true;
    }
    if (typed) {
      const type = typeOf(message.json());
      const route = this.routes.find((r) => r.type !== undefined && r.type === type && topicMatches(r.filter, message.topic));
      if (route) return route.handle;
    }
    return untyped?.handle ?? null;
  }

  /** Delivers a message to its route (in process: benches, tests); false when no route takes it. */
  async deliver(topic: string, payload: Buffer): Promise<boolean> {
    const message = mqttMessage(topic, payload);
    const handle = this.handlerFor(message);
    if (!handle) return false;
    await handle(message);
    return true;
  }
}
