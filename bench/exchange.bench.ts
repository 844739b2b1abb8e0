// npm run bench:exchange — messages through the AMQP link between two Vigil nodes (two in-process
// demo nodes, a RabbitMQ of the bench's own started from Debian's package): every message an
// incident opened on A, applied on B as an incident of the partner and acknowledged back. Midway
// the broker is restarted for real (stopped, started again on its data: durable queues and
// persistent messages kept), while A goes on creating incidents; afterwards every incident must
// be on B exactly once. Ends with one JSON line {"bench":"exchange",...}.
import { loadavg } from 'node:os';
import { twoAgencies } from '../test/support/exchange-nodes.js';
import { privateBroker } from '../test/support/rabbitmq.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000);
const CONCURRENCY = 16;

const broker = await privateBroker();
const env = await twoAgencies({ VIGIL_EXCHANGE_RETRY_MS: '30000', VIGIL_EXCHANGE_AMQP_URL: broker.url });
try {
  const { nodeA, nodeB, cityAOnB } = env;
  const exA = nodeA.vigil.capabilities.exchange.service;
  const exB = nodeB.vigil.capabilities.exchange.service;
  const incidentsA = nodeA.vigil.capabilities.incidents.service;
  const incidentsB = nodeB.vigil.capabilities.incidents.service;
  const commander = nodeA.vigil.capabilities.identity.service.resolvePrincipalOf('commander');
  while (
    !exA.health(commander).state.startsWith('connected') ||
    exB.health(nodeB.vigil.capabilities.identity.service.resolvePrincipalOf('commander')).state !== 'connected'
  )
    await new Promise((r) => setTimeout(r, 50));

  const startedAt = new Map<string, number>();
  const latencies: number[] = [];
  const seen = new Set<string>();
  exB.onActivity((e) => {
    if (e.kind !== 'applied' || !e.remoteIncidentId || seen.has(e.remoteIncidentId)) return;
    seen.add(e.remoteIncidentId);
    const t0 = startedAt.get(e.remoteIncidentId);
    if (t0 !== undefined) latencies.push(performance.now() - t0);
  });

  let brokerDownMs = 0;
  let restarting: Promise<void> | null = null;
  const restart = async (): Promise<void> => {
    const t0 = performance.now();
    await broker.stop();
    await broker.start();
    brokerDownMs = Math.round(performance.now() - t0);
  };
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < MESSAGES) {
      const n = next++;
      if (n === Math.floor(MESSAGES * 0.4) && !restarting) restarting = restart();
      const t0 = performance.now();
      const i = await incidentsA.create(
        {
          type: 'fire',
          priority: 3,
          title: `Bench ${n}`,
          description: '',
          position: [7.42 + (n % 100) / 10_000, 43.73 + Math.floor(n / 100) / 10_000],
          source: 'call',
        },
        commander,
      );
      // The message exists once the event is durable: latency from there to applied on B.
      startedAt.set(i.incidentId, t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const createdMs = performance.now() - started;
  const deadline = Date.now() + 300_000;
  while ((seen.size < MESSAGES || exA.state.outbox.size > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const totalMs = performance.now() - started;
  await restarting;

  const onB = [...incidentsB.state.incidents.values()].filter((i) => i.orgId === cityAOnB);
  const remoteIds = new Set([...exB.state.origins.values()].map((o) => o.remoteIncidentId));
  const lost = [...startedAt.keys()].filter((id) => !remoteIds.has(id)).length;
  const duplicated = onB.length - remoteIds.size;
  latencies.sort((a, b) => a - b);
  const p = (q: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  const hA = exA.health(commander);
  const result = {
    bench: 'exchange',
    messages: MESSAGES,
    messagesPerSec: Math.round(MESSAGES / (totalMs / 1000)),
    createdPerSec: Math.round(MESSAGES / (createdMs / 1000)),
    p50Ms: p(0.5),
    p99Ms: p(0.99),
    lost,
    duplicated,
    brokerRestarts: restarting ? 1 : 0,
    brokerDownMs,
    reconnects: hA.reconnects,
    retried: hA.retried,
    duplicatesAnswered: exB.health(nodeB.vigil.capabilities.identity.service.resolvePrincipalOf('commander')).duplicates,
    format: hA.format,
    loadavg1: Math.round(loadavg()[0]! * 100) / 100,
  };
  console.log(
    `${MESSAGES} incidents A → B over RabbitMQ (${hA.format}): ${result.messagesPerSec} msg/s end to end (created at ${result.createdPerSec}/s), ` +
      `latency p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms; the broker restarted midway (down ${brokerDownMs} ms), ${hA.reconnects} reconnects, ${hA.retried} resends, ` +
      `${result.duplicatesAnswered} redeliveries answered from the dedupe table; lost ${lost}, duplicated ${duplicated}`,
  );
  console.log(JSON.stringify(result));
} finally {
  await env.close();
  await broker.close();
}
process.exit(0);
