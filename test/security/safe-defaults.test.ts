import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { serveVigil } from '../../src/app.js';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { demoSeedRefusal } from '../../src/demo/demo-guard.js';
import { DEMO_USERS } from '../../src/identity/index.js';
import { isLoopbackHost, loadConfig, localDialHost, repoRoot } from '../../src/kernel/config.js';

/**
 * Safe by default (issue 12, item 4; issue 13, the broker on 0.0.0.0): every listener
 * binds to loopback unless configured, and the demo's published password is never
 * seeded where the network could reach it.
 */

const QUIET = { VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: 'off' };

/** An address of this machine that is not loopback, to knock on listeners from "the network". */
function externalAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

function tcpReachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Sends a DC-09 NULL frame over UDP; true when the receiver answers (a closed port answers ECONNREFUSED). */
function udpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), 2000);
    socket.once('message', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => socket.send(signalFrame({ id: 'NULL', seq: 1, account: '1234', data: '', now: Date.now() })));
  });
}

test('configuration: every listener defaults to 127.0.0.1; loopback is recognised', () => {
  const config = loadConfig({});
  assert.equal(config.host, '127.0.0.1', 'HTTP API and web UI');
  assert.equal(config.dc09Host, '127.0.0.1', 'DC-09 receiver');
  assert.equal(config.mqttEmbeddedHost, '127.0.0.1', 'embedded MQTT broker');
  const open = loadConfig({ VIGIL_HOST: '0.0.0.0', VIGIL_DC09_HOST: '192.0.2.10', VIGIL_MQTT_EMBEDDED_HOST: '::' });
  assert.deepEqual([open.host, open.dc09Host, open.mqttEmbeddedHost], ['0.0.0.0', '192.0.2.10', '::']);
  assert.equal(loadConfig({ VIGIL_HOST: '0.0.0.0' }).dc09Host, '127.0.0.1', 'opening the web UI does not open the receivers');

  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '192.0.2.2', '10.0.0.1', 'fd00::2', 'example.org', '128.0.0.1', '127.0.0.256']) assert.ok(!isLoopbackHost(h), h);
  assert.equal(localDialHost('0.0.0.0'), '127.0.0.1');
  assert.equal(localDialHost('::'), '127.0.0.1');
  assert.equal(localDialHost('192.0.2.10'), '192.0.2.10');
  assert.equal(localDialHost('fd00::2'), '[fd00::2]');
});

test('the demo is refused wherever its published password would be reachable', () => {
  const refusal = (env: Record<string, string>) => demoSeedRefusal(loadConfig(env));
  assert.equal(refusal({}), null, 'loopback and SQLite: the demo loads');
  assert.match(refusal({ VIGIL_HOST: '0.0.0.0' }) ?? '', /published password "vigil-demo" and VIGIL_HOST is 0\.0\.0\.0/);
  assert.match(refusal({ VIGIL_HOST: '192.0.2.2' }) ?? '', /VIGIL_HOST=127\.0\.0\.1.*VIGIL_DEMO_PASSWORD.*VIGIL_DEMO=false/);
  const database = { VIGIL_DATABASE_URL: 'postgres://vigil@db.example/vigil' };
  assert.match(refusal(database) ?? '', /VIGIL_DATABASE_URL is set.*VIGIL_DEMO_ALLOW_DATABASE=true/);
  assert.equal(refusal({ ...database, VIGIL_DEMO_ALLOW_DATABASE: 'true' }), null, 'a test cluster on loopback, said explicitly');
  assert.match(refusal({ ...database, VIGIL_DEMO_ALLOW_DATABASE: 'true', VIGIL_HOST: '0.0.0.0' }) ?? '', /VIGIL_HOST is 0\.0\.0\.0/);
  assert.equal(refusal({ VIGIL_HOST: '0.0.0.0', VIGIL_DEMO_PASSWORD: 'a password of our own' }), null, 'not a published password');
});

test('a node on 0.0.0.0 with the demo asked for refuses to start and says what to set; with VIGIL_DEMO=false it starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-safe-'));
  const env = { ...QUIET, VIGIL_PORT: '0', VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_DATA_DIR: dir, VIGIL_HOST: '0.0.0.0' };
  try {
    // `vigil serve` as an integrator starts it: exits 1 with the reason, nothing seeded.
    const serve = spawnSync(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), 'serve'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(serve.status, 1, serve.stdout + serve.stderr);
    assert.match(serve.stderr, /refusing to load the demo: its users have the published password "vigil-demo" and VIGIL_HOST is 0\.0\.0\.0/);
    assert.match(serve.stderr, /VIGIL_HOST=127\.0\.0\.1/);
    assert.match(serve.stderr, /VIGIL_DEMO=false/);

    await assert.rejects(serveVigil({ ...loadConfig(env), port: 0 }), /refusing to load the demo/);

    const vigil = await serveVigil({ ...loadConfig({ ...env, VIGIL_DEMO: 'false' }), port: 0 });
    try {
      assert.equal((vigil.server.app.server.address() as AddressInfo).address, '0.0.0.0', 'listens where it was told');
      assert.equal(await vigil.ctx.log.lastSeq(), 0, 'no demo, no known password');
      assert.equal((await fetch(`http://127.0.0.1:${new URL(vigil.url).port}/api/health`)).status, 200);
    } finally {
      await vigil.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil demo refuses a shared store or a network bind unless told (--allow-database), before touching the store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-safe-cli-'));
  const demo = (env: Record<string, string>, args: string[] = []) =>
    spawnSync(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), 'demo', ...args], {
      env: { ...process.env, ...QUIET, VIGIL_DATA_DIR: dir, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
  try {
    // An unreachable database: the refusal comes before any connection is tried.
    const database = { VIGIL_DATABASE_URL: 'postgres://vigil@127.0.0.1:1/vigil' };
    const refused = demo(database);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /VIGIL_DATABASE_URL is set.*--allow-database/);
    const network = demo({ VIGIL_HOST: '0.0.0.0' }, ['--allow-database']);
    assert.equal(network.status, 1);
    assert.match(network.stderr, /VIGIL_HOST is 0\.0\.0\.0/);
    const allowed = demo(database, ['--allow-database']);
    assert.equal(allowed.status, 1, 'goes on to open the (unreachable) store');
    assert.doesNotMatch(allowed.stderr, /refusing to load the demo/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the DC-09 receiver and the embedded MQTT broker listen on loopback only, unless configured', async (t) => {
  const external = externalAddress();
  if (!external) return t.skip('this machine has no non-loopback IPv4 address');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-safe-rx-'));
  const base = { ...QUIET, VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_DEMO: 'false' };
  try {
    const vigil = await serveVigil({ ...loadConfig(base), dataDir: dir, port: 0 });
    try {
      const { tcpPort, udpPort, mqttPort } = vigil.capabilities.alarms.receiver;
      const httpPort = Number(new URL(vigil.url).port);
      assert.equal((vigil.server.app.server.address() as AddressInfo).address, '127.0.0.1');
      for (const [name, port] of [
        ['HTTP', httpPort],
        ['DC-09 TCP', tcpPort!],
        ['MQTT', mqttPort!],
      ] as const) {
        assert.equal(await tcpReachable('127.0.0.1', port), true, `${name} on loopback`);
        assert.equal(await tcpReachable(external, port), false, `${name} not on ${external}`);
      }
      assert.equal(await udpAnswers('127.0.0.1', udpPort!), true, 'DC-09 UDP on loopback');
      assert.equal(await udpAnswers(external, udpPort!), false, `DC-09 UDP not on ${external}`);
    } finally {
      await vigil.close();
    }

    // A monitoring centre opens the receiver (and, here, the broker) to the network.
    const open = await serveVigil({
      ...loadConfig({ ...base, VIGIL_DC09_HOST: '0.0.0.0', VIGIL_MQTT_EMBEDDED_HOST: '0.0.0.0' }),
      dataDir: dir,
      port: 0,
    });
    try {
      const { tcpPort, udpPort, mqttPort } = open.capabilities.alarms.receiver;
      assert.equal(await tcpReachable(external, tcpPort!), true, 'DC-09 TCP from the network');
      assert.equal(await udpAnswers(external, udpPort!), true, 'DC-09 UDP from the network');
      assert.equal(await tcpReachable(external, mqttPort!), true, 'MQTT from the network');
      assert.equal(await tcpReachable(external, Number(new URL(open.url).port)), false, 'the web UI stays on loopback');
    } finally {
      await open.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store seeded with the demo on loopback is not served to the network while its users keep the published password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-safe-seeded-'));
  const env = { ...QUIET, VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off' };
  try {
    const local = await serveVigil({ ...loadConfig(env), dataDir: dir, port: 0 });
    await local.close();
    const open = { ...loadConfig({ ...env, VIGIL_HOST: '0.0.0.0', VIGIL_DEMO: 'false' }), dataDir: dir, port: 0 };
    await assert.rejects(serveVigil(open), /refusing to serve on 0\.0\.0\.0: the demo users admin, operator, .* still have the published password/);

    // Every demo user changes the password (or is disabled): the store may be served.
    const vigil = await serveVigil({ ...loadConfig(env), dataDir: dir, port: 0 });
    const identity = vigil.capabilities.identity.service;
    for (const { username } of DEMO_USERS) {
      if (username === 'steward') await identity.setDisabled(identity.resolvePrincipalOf(username).userId!, true, identity.resolvePrincipalOf('admin'));
      else await identity.changePassword(identity.resolvePrincipalOf(username), 'vigil-demo', `${username} has a password of their own`);
    }
    await vigil.close();
    const served = await serveVigil(open);
    await served.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
