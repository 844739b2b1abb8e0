import { NATS_URL, requireNats } from '../../../../test/support/services.js';
import { eventBusContract } from '../../../platform/event-bus.conformance.js';
import { NatsEventBus } from './nats-event-bus.js';

// Each test run uses its own stream, deleted again when its last node closes.
eventBusContract('nats', {
  ready: requireNats,
  async open(shared) {
    const bus = await NatsEventBus.open({
      url: NATS_URL,
      streamName: `TEST_${shared}`,
      subjectPrefix: `test_${shared}`,
      nodeId: `test-${process.pid}`,
      ackWaitMs: 2000,
      deleteStreamOnClose: true,
    });
    return bus;
  },
});
