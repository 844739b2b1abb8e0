import type { VigilConfig } from '../../kernel/config.js';
import type { EventBus } from '../../platform/event-bus.js';
import { MemoryEventBus } from './memory/memory-event-bus.js';

export interface OpenBusOptions {
  streamName?: string | undefined;
  subjectPrefix?: string | undefined;
}

/** In-process unless VIGIL_NATS_URL is set; then NATS JetStream, shared by every node (its client loads only then). */
export async function openEventBus(config: VigilConfig, options: OpenBusOptions = {}): Promise<EventBus> {
  if (!config.natsUrl) return new MemoryEventBus();
  const { NatsEventBus } = await import('./nats/nats-event-bus.js');
  return NatsEventBus.open({
    url: config.natsUrl,
    streamName: options.streamName ?? 'VIGIL',
    subjectPrefix: options.subjectPrefix ?? 'vigil',
    nodeId: config.nodeId,
  });
}
