// npm run bench:bus — publish/consume throughput of the event stream: in-process,
// and NATS JetStream (when reachable) with a two-member consumer group.
// Ends with one JSON line {"bench":"bus",...}.
import { MemoryEventBus } from '../src/adapters/streams/memory/memory-event-bus.js';
import { NatsEventBus } from '../src/adapters/streams/nats/nats-event-bus.js';
import type { EventBus } from '../src/platform/event-bus.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const NATS_URL = process.env.VIGIL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

async function measure(name: string, bus: EventBus): Promise<Record<string, number>> {
  let handled = 0;
  const group = `bench${Date.now()}`;
  await bus.subscribe('bench.>', async () => void handled++, { group });
  await bus.subscribe('bench.>', async () => void handled++, { group });
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let n = 0; n < MESSAGES; n++) {
    inflight.push(bus.publish('bench.signal', { n, account: '001234', code: 'FA' }));
    if (inflight.length >= 256) await Promise.all(inflight.splice(0));
  }
  await Promise.all(inflight);
  const publishMs = performance.now() - started;
  while (handled < MESSAGES) await new Promise((r) => setTimeout(r, 5));
  const totalMs = performance.now() - started;
  const result = { publishPerSec: Math.round(MESSAGES / (publishMs / 1000)), endToEndPerSec: Math.round(MESSAGES / (totalMs / 1000)) };
  console.log(
    `${name.padEnd(7)} ${MESSAGES} messages: publish ${result.publishPerSec}/s (acknowledged by the bus), consumed by a 2-member group ${result.endToEndPerSec}/s`,
  );
  return result;
}

const out: Record<string, unknown> = { bench: 'bus', messages: MESSAGES };
const memory = new MemoryEventBus();
out.memory = await measure('memory', memory);
await memory.close();
try {
  const tag = `B${process.pid}`;
  const nats = await NatsEventBus.open({
    url: NATS_URL,
    streamName: `BENCH_${tag}`,
    subjectPrefix: `bench_${tag}`,
    nodeId: 'bench',
    deleteStreamOnClose: true,
  });
  out.nats = await measure('nats', nats);
  await nats.close();
} catch (error) {
  console.log(`nats    skipped: ${(error as Error).message}`);
  out.nats = null;
}
console.log(JSON.stringify(out));
