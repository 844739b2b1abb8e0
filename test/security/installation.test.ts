import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { authenticator } from 'otplib';
import { serveVigil } from '../../src/app.js';
import { loadConfig, repoRoot } from '../../src/kernel/config.js';

/**
 * A real installation from nothing (issue 12, item 5), as a city's administrator
 * would do it with VIGIL_DEMO=false: `vigil init` with Andorra's extract (not the
 * demo's Monaco), `vigil org add`, `vigil user add`, serve, sign in with the second
 * factor enrolled by init, and routes inside Andorra.
 */

const ANDORRA = join(repoRoot, '..', 'shared', 'data', 'osm', 'andorra.osm.pbf');
const PASSWORD = 'andorra admin password';
/** Andorra la Vella to Escaldes-Engordany. */
const FROM: [number, number] = [1.5218, 42.5075];
const TO: [number, number] = [1.538, 42.509];
const inAndorra = ([lon, lat]: number[]) => lon! > 1.4 && lon! < 1.8 && lat! > 42.4 && lat! < 42.7;

const baseEnv = (dataDir: string) => ({ ...process.env, VIGIL_DATA_DIR: dataDir, VIGIL_DEMO: 'false', VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: '' });
const vigil = (dataDir: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), ...args], { env: { ...baseEnv(dataDir), ...env }, encoding: 'utf8' });

/** `vigil init`, answering its questions as a person would: the password, then the code of the authenticator app it enrolled. */
function init(dataDir: string): Promise<{ status: number | null; stdout: string; stderr: string; secret: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin', 'vigil.js'), 'init', '--org-name', 'Andorra Civil Protection', '--admin', 'chief', '--osm', ANDORRA],
      { env: baseEnv(dataDir) },
    );
    let stdout = '';
    let stderr = '';
    let secret = '';
    child.stdin.write(`${PASSWORD}\n`);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const uri = /otpauth:\/\/totp\/\S+/.exec(stdout)?.[0];
      if (uri && !secret) {
        secret = new URL(uri).searchParams.get('secret')!;
        child.stdin.end(`${authenticator.generate(secret)}\n`);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, secret }));
  });
}

test('from an empty data folder to a working installation of Andorra: init, org add, user add, serve, sign in, route', async () => {
  assert.ok(existsSync(ANDORRA), `the shared extract ${ANDORRA}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-install-'));
  try {
    const before = vigil(dataDir, ['user', 'add', '--username', 'early', '--org', 'Andorra Police', '--roles', 'responder'], {
      VIGIL_NEW_USER_PASSWORD: PASSWORD,
    });
    assert.equal(before.status, 1);
    assert.match(before.stderr, /run vigil init/);
    assert.equal(vigil(dataDir, ['org', 'add', '--name', 'Andorra Police', '--kind', 'police']).status, 1, 'no organisation before the platform');

    const first = await init(dataDir);
    assert.equal(first.status, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /created the platform organisation Andorra Civil Protection and its administrator chief/);
    assert.match(first.stdout, /second factor enrolled for chief/);
    assert.match(first.stdout, /imported .*andorra\.osm\.pbf/);
    assert.equal((await init(dataDir)).status, 1, 'init runs once');

    const org = vigil(dataDir, ['org', 'add', '--name', 'Andorra Police', '--kind', 'police']);
    assert.equal(org.status, 0, org.stderr);
    assert.equal(vigil(dataDir, ['org', 'add', '--name', 'Nowhere', '--kind', 'navy']).status, 1);
    const user = vigil(dataDir, ['user', 'add', '--username', 'dispatcher', '--org', 'Andorra Police', '--roles', 'commander'], {
      VIGIL_NEW_USER_PASSWORD: 'dispatcher password',
    });
    assert.equal(user.status, 0, user.stderr);
    const tooHigh = vigil(dataDir, ['user', 'add', '--username', 'sneaky', '--org', 'Andorra Police', '--roles', 'csirt'], {
      VIGIL_NEW_USER_PASSWORD: 'dispatcher password',
    });
    assert.equal(tooHigh.status, 1, 'a police organisation holds no csirt');
    assert.ok(
      readdirSync(join(dataDir, 'city', 'extracts')).some((f) => f.endsWith('andorra.osm.pbf')),
      'the extract is kept in the data folder',
    );

    const running = await serveVigil(
      loadConfig({
        VIGIL_DATA_DIR: dataDir,
        VIGIL_DEMO: 'false',
        VIGIL_PORT: '0',
        VIGIL_LOG_LEVEL: 'silent',
        VIGIL_DC09_PORT: '0',
        VIGIL_MQTT_EMBEDDED_PORT: '0',
      }),
    );
    try {
      const app = running.server.app;
      const demo = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'vigil-demo' } });
      assert.equal(demo.statusCode, 401, 'no demo users');
      const withoutCode = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { origin: running.url, host: new URL(running.url).host },
        payload: { username: 'chief', password: PASSWORD },
      });
      assert.notEqual(withoutCode.statusCode, 200, 'the administrator needs the second factor init enrolled');
      const code = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(first.secret);
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { origin: running.url, host: new URL(running.url).host },
        payload: { username: 'chief', password: PASSWORD, totp: code },
      });
      assert.equal(login.statusCode, 200, login.body);
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
        app.inject({ method, url, headers: { cookie, origin: running.url, host: new URL(running.url).host }, ...(payload ? { payload } : {}) });

      const me = (await call('GET', '/api/auth/me')).json();
      assert.equal(me.org.name, 'Andorra Civil Protection');
      assert.equal(me.authLevel, 2);
      const orgs = (await call('GET', '/api/identity/orgs')).json().orgs.map((o: { name: string }) => o.name);
      assert.deepEqual(orgs, ['Andorra Civil Protection', 'Andorra Police']);
      const city = (await call('GET', '/api/city')).json();
      assert.ok(inAndorra(city.center ?? city.city?.center), JSON.stringify(city).slice(0, 300));

      await running.capabilities.routing.loaded;
      const graphs = await call('GET', '/api/routing');
      assert.equal(graphs.statusCode, 200, graphs.body);
      assert.match(graphs.json().file, /andorra\.osm\.pbf$/, 'the road graph follows the imported city, not the demo extract');
      const route = await call('POST', '/api/routing/route', { from: FROM, to: TO });
      assert.equal(route.statusCode, 200, route.body);
      const coords = route.json().geometry.coordinates as number[][];
      assert.ok(coords.length > 2 && coords.every(inAndorra), 'the route runs inside Andorra');
      assert.ok(route.json().distanceM > 500, `${route.json().distanceM} m`);
    } finally {
      await running.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
