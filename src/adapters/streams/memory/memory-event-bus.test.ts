import { eventBusContract } from '../../../platform/event-bus.conformance.js';
import type { EventBus } from '../../../platform/event-bus.js';
import { MemoryEventBus } from './memory-event-bus.js';

// One process is one node: "two nodes on one stream" share one in-process bus.
const buses = new Map<string, MemoryEventBus>();
eventBusContract('memory', {
  async open(shared) {
    const bus = buses.get(shared) ?? new MemoryEventBus({ retryBaseMs: 5 });
    buses.set(shared, bus);
    let closed = false;
    const node: EventBus = {
      backend: 'memory',
      publish: (s, p) => bus.publish(s, p),
      announce: (s, p) => bus.announce(s, p),
      subscribe: (s, h, o) => bus.subscribe(s, h, o),
      close: async () => {
        if (!closed) await bus.close();
        closed = true;
      },
    };
    return node;
  },
});
