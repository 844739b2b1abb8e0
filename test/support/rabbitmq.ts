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

/** A RabbitMQ of the test's own, which it may stop and start again (a real broker restart). */
export interface PrivateBroker {
  /** amqp://guest:guest@127.0.0.1:<port> */
  url: string;
  /** host:port, as the link's health names it. */
  hostPort: string;
  /** Stops the broker (SIGTERM: its clean shutdown) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data (durable queues and persistent messages kept); resolves when it takes connections. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts a second RabbitMQ on the machine — the Debian package's server, as a node of its own
 * (name, ports, data and log folders under a temporary folder), so that restarting it
 * disturbs no other test and no other lane (they use the machine's broker on 5672).
 * Needs the `rabbitmq-server` of Debian's package and to run as root (CI does); the broker
 * is killed if the test process exits first.
 */
export async function privateBroker(): Promise<PrivateBroker> {
  const { spawn } = await import('node:child_process');
  const { existsSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const amqp = (await import('amqplib')).default;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rabbit-'));
  const port = await freePort();
  const distPort = await freePort();
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\n`);
  // The script itself, not /usr/sbin's wrapper (which would switch to the rabbitmq user, who cannot write the folder).
  const server = existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server') ? '/usr/lib/rabbitmq/bin/rabbitmq-server' : 'rabbitmq-server';
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: `vigil-test-${port}@localhost`,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
  };
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  let child: import('node:child_process').ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  // Its own process group: the server script and the Erlang VM it starts go together.
  const killOnExit = (): void => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  const start = async (): Promise<void> => {
    const c = spawn(server, [], { env, stdio: 'ignore', detached: true });
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    const { until } = await import('./until.js');
    await until(
      async () => {
        if (gone) throw new Error(`the test's RabbitMQ exited while starting (its log: ${join(dir, 'log')})`);
        const connection = await amqp.connect(url).catch(() => null);
        await connection?.close().catch(() => undefined);
        return connection !== null;
      },
      "the test's RabbitMQ to take connections",
      120_000,
      250,
    );
  };
  const stop = async (): Promise<void> => {
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await exited;
    child = null;
  };
  await start();
  return {
    url,
    hostPort: `127.0.0.1:${port}`,
    stop,
    start,
    close: async () => {
      await stop();
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
