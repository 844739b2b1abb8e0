import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil, type RunningVigil } from '../../app.js';
import { loadConfig } from '../../kernel/config.js';
import { flood } from '../../../test/support/alert-fixtures.js';
import { signedIn } from '../../../test/support/api-client.js';
import { targetAreaOf } from '../targeting/area-geometry.js';

const FONTVIEILLE = { lat: 43.729, lon: 7.416 };
const MONTE_CARLO = { lat: 43.7405, lon: 7.4275 };

async function node(
  env: Record<string, string> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-subscribers-')),
): Promise<{ vigil: RunningVigil; dataDir: string }> {
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', ...env }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  return { vigil, dataDir };
}

/** A call from a given client address, as the server sees it on its socket. */
async function from(vigil: RunningVigil, ip: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  const r = await vigil.server.app.inject({ method, url, remoteAddress: ip, ...(payload === undefined ? {} : { payload: payload as object }) });
  return {
    status: r.statusCode,
    headers: r.headers,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json: r.body && String(r.headers['content-type']).includes('json') ? (r.json() as Record<string, any>) : null,
  };
}

function browserPush() {
  const keys = createECDH('prime256v1');
  keys.generateKeys();
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomBytes(8).toString('hex')}`,
    expirationTime: null,
    keys: { p256dh: keys.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

const inFontvieille = targetAreaOf(flood.info[0]!.area);

test('subscribe with a location, "I am here now" moves the same subscriber, preferences change, unsubscribe forgets; all survives a restart', async () => {
  const first = await node();
  const { dataDir } = first;
  let { vigil } = first;
  try {
    const state = () => vigil.capabilities.alerts.subscribers.state;
    const before = state().subscribers.size;
    const push = browserPush();
    const created = await from(vigil, '192.0.2.10', 'POST', '/api/public/subscribers', {
      language: 'fr',
      consent: true,
      push,
      locations: [{ kind: 'last', ...MONTE_CARLO }],
    });
    assert.equal(created.status, 201);
    const { subscriberId, unsubscribeToken: token } = created.json!;
    assert.deepEqual(state().subscribers.get(subscriberId)!.locations, [{ kind: 'last', position: [MONTE_CARLO.lon, MONTE_CARLO.lat] }]);
    assert.ok(
      !state()
        .within(inFontvieille)
        .some((s) => s.subscriberId === subscriberId),
    );

    // "I am here now" in Fontvieille: the same subscriber, no duplicate, found in Fontvieille and no longer at the old place.
    const moved = await from(vigil, '192.0.2.10', 'PUT', `/api/public/subscribers/${token}/location`, FONTVIEILLE);
    assert.equal(moved.status, 200);
    assert.equal(moved.json!.subscriberId, subscriberId);
    assert.equal(state().subscribers.size, before + 1);
    assert.ok(
      state()
        .within(inFontvieille)
        .some((s) => s.subscriberId === subscriberId),
    );
    assert.ok(
      !state()
        .within({ rings: [], circles: [{ centre: [MONTE_CARLO.lon, MONTE_CARLO.lat], radiusM: 50 }] })
        .some((s) => s.subscriberId === subscriberId),
    );

    // Preferences: a home added, e-mail added, English; still one subscriber, still its push subscription.
    const changed = await from(vigil, '192.0.2.10', 'PUT', `/api/public/subscribers/${token}`, {
      language: 'en-GB',
      consent: true,
      email: 'resident@example.net',
      push,
      locations: [
        { kind: 'last', ...FONTVIEILLE },
        { kind: 'home', ...MONTE_CARLO },
      ],
    });
    assert.equal(changed.status, 200);
    const s = state().subscribers.get(subscriberId)!;
    assert.deepEqual(
      [s.language, s.email, s.push?.endpoint, s.locations.map((l) => l.kind)],
      ['en-GB', 'resident@example.net', push.endpoint, ['last', 'home']],
    );
    assert.equal(state().subscribers.size, before + 1);

    // Bad input changes nothing.
    assert.equal((await from(vigil, '192.0.2.10', 'PUT', `/api/public/subscribers/${token}/location`, { lat: 91, lon: 7 })).status, 400);
    assert.equal((await from(vigil, '192.0.2.10', 'PUT', `/api/public/subscribers/${token}/location`, { lat: 43.7 })).status, 400);
    assert.equal(
      (
        await from(vigil, '192.0.2.10', 'PUT', `/api/public/subscribers/${token}`, {
          language: 'en',
          consent: false,
          email: 'a@b.cc',
          locations: [{ kind: 'home', ...FONTVIEILLE }],
        })
      ).status,
      400,
    );
    assert.equal(
      (
        await from(vigil, '192.0.2.10', 'PUT', `/api/public/subscribers/${token}`, {
          language: 'en',
          consent: true,
          locations: [{ kind: 'home', ...FONTVIEILLE }],
        })
      ).status,
      400,
      'no channel left',
    );
    assert.equal((await from(vigil, '192.0.2.10', 'PUT', '/api/public/subscribers/not-a-token/location', FONTVIEILLE)).status, 404);
    assert.deepEqual(state().subscribers.get(subscriberId), s);

    // The log is the truth: a restart rebuilds the moved, changed subscriber.
    await vigil.close();
    ({ vigil } = await node({}, dataDir));
    assert.deepEqual(state().subscribers.get(subscriberId), s);
    assert.ok(
      state()
        .within(inFontvieille)
        .some((x) => x.subscriberId === subscriberId),
    );

    assert.equal((await from(vigil, '192.0.2.10', 'DELETE', `/api/public/subscribers/${token}`)).status, 204);
    assert.equal(state().subscribers.has(subscriberId), false);
    assert.ok(
      !state()
        .within(inFontvieille)
        .some((x) => x.subscriberId === subscriberId),
    );
    assert.equal((await from(vigil, '192.0.2.10', 'PUT', `/api/public/subscribers/${token}/location`, FONTVIEILLE)).status, 404, 'a spent token moves nobody');
    assert.equal((await from(vigil, '192.0.2.10', 'DELETE', `/api/public/subscribers/${token}`)).status, 404);
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('per-address limits: one network cannot flood the subscriber list or the updates; others are not held up', async () => {
  const { vigil, dataDir } = await node({ VIGIL_SUBSCRIBE_PER_IP: '3', VIGIL_SUBSCRIBER_UPDATES_PER_IP: '4' });
  try {
    const state = vigil.capabilities.alerts.subscribers.state;
    const before = state.subscribers.size;
    const body = (i: number) => ({ language: 'en', consent: true, email: `flood${i}@example.net`, locations: [{ kind: 'home', ...FONTVIEILLE }] });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await from(vigil, '198.51.100.7', 'POST', '/api/public/subscribers', body(i));
      assert.equal(r.status, 201);
      tokens.push(r.json!.unsubscribeToken);
    }
    const refused = await from(vigil, '198.51.100.7', 'POST', '/api/public/subscribers', body(3));
    assert.equal(refused.status, 429);
    assert.equal(refused.json!.error.code, 'rate_limited');
    assert.ok(Number(refused.headers['retry-after']) > 0 && Number(refused.headers['retry-after']) <= 600);
    assert.equal(
      (await from(vigil, '::ffff:198.51.100.7', 'POST', '/api/public/subscribers', body(4))).status,
      429,
      'the same address written as IPv4-mapped IPv6',
    );
    assert.equal(state.subscribers.size, before + 3, 'refused subscriptions were not recorded');
    assert.equal((await from(vigil, '198.51.100.8', 'POST', '/api/public/subscribers', body(5))).status, 201, 'another address is not held up');

    // IPv6: one /64 is one network, whatever address in it.
    for (let i = 0; i < 3; i++) assert.equal((await from(vigil, `2001:db8:5:6::${i + 1}`, 'POST', '/api/public/subscribers', body(10 + i))).status, 201);
    assert.equal((await from(vigil, '2001:db8:5:6:ffff::9', 'POST', '/api/public/subscribers', body(13))).status, 429);
    assert.equal((await from(vigil, '2001:db8:5:7::1', 'POST', '/api/public/subscribers', body(14))).status, 201);

    // Updates have their own budget: four moves, then refused, and the refused move is not applied.
    for (let i = 0; i < 4; i++)
      assert.equal(
        (await from(vigil, '203.0.113.9', 'PUT', `/api/public/subscribers/${tokens[0]}/location`, { lat: 43.73 + i / 1000, lon: 7.42 })).status,
        200,
      );
    const id = state.byTokenHash.size && [...state.subscribers.values()].find((s) => s.email === 'flood0@example.net')!.subscriberId;
    const located = state.subscribers.get(id as string)!.locations;
    assert.equal((await from(vigil, '203.0.113.9', 'PUT', `/api/public/subscribers/${tokens[0]}/location`, { lat: 43.74, lon: 7.42 })).status, 429);
    assert.deepEqual(state.subscribers.get(id as string)!.locations, located);
    assert.equal((await from(vigil, '203.0.113.9', 'DELETE', `/api/public/subscribers/${tokens[1]}`)).status, 429);
    assert.equal((await from(vigil, '203.0.113.10', 'DELETE', `/api/public/subscribers/${tokens[1]}`)).status, 204);
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('public alerts (JSON): in force only, those covering the place first and marked, texts per language, area as GeoJSON, guidance slot', async () => {
  const { vigil, dataDir } = await node();
  try {
    const author = await signedIn(vigil, 'alert-officer');
    const second = await signedIn(vigil, 'duty-officer');
    const issue = async (alert: object): Promise<string> => {
      const d = await author('POST', '/api/alerts', alert);
      assert.equal(d.status, 201, d.body);
      await author('POST', `/api/alerts/${d.json.alert.alertId}/submit`);
      const a = await second('POST', `/api/alerts/${d.json.alert.alertId}/approve`);
      assert.equal(a.json.alert.state, 'issued', a.body);
      return d.json.alert.alertId as string;
    };
    const empty = await from(vigil, '192.0.2.1', 'GET', '/api/public/alerts');
    assert.deepEqual(empty.json, { alerts: [] });
    const floodId = await issue(flood);
    // A newer exercise alert as a circle over Monte-Carlo, minor: without a place it comes after the severe flood.
    const circle = {
      ...flood,
      status: 'Exercise',
      info: flood.info.map((i) => ({
        ...i,
        severity: 'Minor',
        headline: `${i.headline} (exercise)`,
        area: [{ areaDesc: 'Casino', circle: [`${MONTE_CARLO.lat},${MONTE_CARLO.lon} 0.3`] }],
      })),
    };
    const exerciseId = await issue(circle);
    // A draft is not public.
    await author('POST', '/api/alerts', flood);

    const anywhere = (await from(vigil, '192.0.2.1', 'GET', '/api/public/alerts')).json!.alerts;
    assert.deepEqual(
      anywhere.map((a: { alertId: string }) => a.alertId),
      [floodId, exerciseId],
    );
    assert.deepEqual(
      anywhere.map((a: { covers: unknown }) => a.covers),
      [null, null],
    );
    const atCasino = (await from(vigil, '192.0.2.1', 'GET', `/api/public/alerts?lat=${MONTE_CARLO.lat}&lon=${MONTE_CARLO.lon}`)).json!.alerts;
    assert.deepEqual(
      atCasino.map((a: { alertId: string; covers: boolean }) => [a.alertId, a.covers]),
      [
        [exerciseId, true],
        [floodId, false],
      ],
    );
    const [ex, fl] = atCasino;
    assert.equal(ex.exercise, 'EXERCISE');
    assert.equal(ex.area.type, 'MultiPolygon');
    assert.equal(ex.area.coordinates.length, 1, 'the same circle in both languages is drawn once');
    assert.equal(ex.area.coordinates[0][0].length, 49);
    assert.deepEqual(fl.area.coordinates[0][0][0], [7.413, 43.727]);
    assert.deepEqual(
      fl.info.map((i: { language: string; instruction: string; areaDesc: string }) => [i.language, i.instruction, i.areaDesc]),
      [
        ['fr-MC', 'Montez aux étages.', 'Fontvieille'],
        ['en-GB', 'Go upstairs.', 'Fontvieille'],
      ],
    );
    assert.equal(fl.guidance, null);
    assert.equal(fl.exercise, null);
    assert.equal((await from(vigil, '192.0.2.1', 'GET', fl.capUrl)).status, 200);
    assert.equal((await from(vigil, '192.0.2.1', 'GET', '/api/public/alerts?lat=43.7')).status, 400);
    assert.equal((await from(vigil, '192.0.2.1', 'GET', '/api/public/alerts?lat=43.7&lon=500')).status, 400);

    // Cancelled: out of the public list.
    const cancel = await author('POST', `/api/alerts/${floodId}/cancel`);
    await author('POST', `/api/alerts/${cancel.json.alert.alertId}/submit`);
    assert.deepEqual(
      (await from(vigil, '192.0.2.1', 'GET', '/api/public/alerts')).json!.alerts.map((a: { alertId: string }) => a.alertId),
      [exerciseId],
    );
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
