import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Forcibly closes the broker connections whose client-given name contains `marker` (the
 * machine's shared RabbitMQ: only this test's connections, never the other lanes'), as a
 * broker restart does to its clients. Returns how many were closed.
 */
export async function closeRabbitConnections(marker: string): Promise<number> {
  // The table form names pids as the broker node knows them (`<rabbit@host.….0>`), which close_connection takes.
  const { stdout } = await run('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '-q'], { timeout: 30_000 });
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => line.split('\t')[0]!.trim())
    .filter((pid) => pid.startsWith('<'));
  for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'broker restart (test)'], { timeout: 30_000 });
  return pids.length;
}

/** Deletes the test's exchange and queues (best effort). */
export async function deleteRabbitObjects(url: string, exchange: string, queues: readonly string[]): Promise<void> {
  const amqp = (await import('amqplib')).default;
  const c = await amqp.connect(url).catch(() => null);
  if (!c) return;
  try {
    const ch = await c.createChannel();
    for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
    await ch.deleteExchange(exchange).catch(() => undefined);
  } finally {
    await c.close().catch(() => undefined);
  }
}
