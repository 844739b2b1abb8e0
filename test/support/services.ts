import { createConnection } from 'node:net';
import type { TestContext } from 'node:test';

/**
 * Tests that need a real service use it for real. Locally, when the service is not
 * running, they skip with a message saying so; under CI=true a missing service is a
 * failure, never a silent skip.
 */
export const POSTGRES_URL = process.env.VIGIL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const NATS_URL = process.env.VIGIL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const MQTT_URL = process.env.VIGIL_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function requireService(t: TestContext, name: string, url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  if (await reachable(u.hostname, Number(u.port || defaultPort))) return true;
  const message = `${name} is not reachable at ${u.host}`;
  if (process.env.CI === 'true') throw new Error(`${message} — CI requires it (start it, see README)`);
  t.skip(`${message}; skipped locally (under CI=true this fails)`);
  return false;
}

export const requirePostgres = (t: TestContext): Promise<boolean> => requireService(t, 'PostgreSQL', POSTGRES_URL, 5432);
export const requireNats = (t: TestContext): Promise<boolean> => requireService(t, 'NATS', NATS_URL, 4222);
export const requireMqtt = (t: TestContext): Promise<boolean> => requireService(t, 'Mosquitto', MQTT_URL, 1883);
