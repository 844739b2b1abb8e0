import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';

test('vigil serve on a fresh data folder answers health before the demo city is loaded, then says it is ready', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-demo-bg-'));
  const vigil = await serveVigil(
    { ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' }), dataDir, port: 0, host: '127.0.0.1' },
    { demoInBackground: true },
  );
  try {
    const first = (await (await fetch(`${vigil.url}/api/health`)).json()) as { status: string; demo?: string };
    assert.equal(first.status, 'ok');
    assert.equal(first.demo, 'loading', 'listening before the demo city is there');
    // Signed out is an answer, not a 401.
    const session = await fetch(`${vigil.url}/api/auth/session`);
    assert.equal(session.status, 200);
    assert.deepEqual(await session.json(), { signedIn: false, me: null });
    await vigil.demoLoaded;
    const after = (await (await fetch(`${vigil.url}/api/health`)).json()) as { demo?: string };
    assert.equal(after.demo, 'ready');
    assert.ok(vigil.capabilities.city.service.state.devices.size > 100, 'the demo devices are there');
    const login = await fetch(`${vigil.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'operator', password: 'vigil-demo' }),
    });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const me = (await (await fetch(`${vigil.url}/api/auth/session`, { headers: { cookie } })).json()) as { signedIn: boolean; me: { displayName: string } };
    assert.equal(me.signedIn, true);
    assert.equal(me.me.displayName, 'Olivia Operator');
    // The directory names people and devices for the operator's screens, never a raw id as a name.
    const dir = (await (await fetch(`${vigil.url}/api/directory`, { headers: { cookie } })).json()) as {
      users: { name: string }[];
      devices: { id: string; name: string }[];
    };
    assert.ok(dir.users.some((u) => u.name === 'Olivia Operator'));
    assert.ok(dir.devices.length > 0);
    for (const d of dir.devices) assert.doesNotMatch(d.name, /site:osm:|dev:[a-z-]+:\d/, d.id);
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
