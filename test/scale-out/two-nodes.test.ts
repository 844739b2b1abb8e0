import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { authenticator } from 'otplib';
import type { RunningVigil } from '../../src/app.js';
import { startCluster } from '../support/cluster.js';
import { requireNats, requirePostgres } from '../support/services.js';
import { until } from '../support/until.js';

/**
 * Scale-out for real: two Vigil nodes share one PostgreSQL store and one NATS
 * JetStream stream. What one node records, the other serves — sessions, users,
 * the city — and pushes live to its WebSocket clients; work published on the
 * stream is shared by a consumer group across both nodes.
 */
test('two nodes on PostgreSQL and NATS serve one consistent city', async (t) => {
  if (!(await requirePostgres(t)) || !(await requireNats(t))) return;
  // Node A starts on the empty store and loads the demo; B joins afterwards.
  const cluster = await startCluster('n', { demo: true, env: { VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0' } });
  const [a, b] = cluster.nodes as [RunningVigil, RunningVigil];
  try {
    const health = async () => (await fetch(`${b.url}/api/health`)).json();
    assert.equal((await health()).store, 'postgres');
    assert.equal((await health()).stream, 'nats');
    // A keeps writing in the background (citizen-report notices of the demo): B catches up with it.
    await until(async () => (await health()).appliedSeq === (await a.ctx.log.lastSeq()), 'B rebuilt the state A recorded');
    const roads = await fetch(`${b.url}/api/city/basemap/roads`);
    assert.equal(roads.status, 200, 'B serves the basemap A imported');
    assert.ok(((await roads.json()) as { features: unknown[] }).features.length > 800);

    // Sign in on A, use the session on B.
    const login = await fetch(`${a.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'vigil-demo' }),
    });
    // The demo on a shared store is no loopback demo: the admin enrols a second factor at first sign-in.
    let cookie = /vigil_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0] ?? '';
    if (((await login.json()) as { enrolmentRequired?: boolean }).enrolmentRequired) {
      const post = (path: string, body: unknown) =>
        fetch(`${a.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
      const { secret } = (await (await post('/api/auth/totp/enroll', {})).json()) as { secret: string };
      const confirmed = await post('/api/auth/totp/confirm', { code: authenticator.generate(secret) });
      cookie = /vigil_session=[^;]+/.exec(confirmed.headers.get('set-cookie') ?? '')?.[0] ?? '';
    }
    const auth = { cookie };
    let me = await fetch(`${b.url}/api/auth/me`, { headers: auth });
    for (let i = 0; i < 50 && me.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      me = await fetch(`${b.url}/api/auth/me`, { headers: auth });
    }
    assert.equal(me.status, 200, 'a session started on A is valid on B');

    // B's WebSocket client sees a user created on A.
    const ws = new WebSocket(`${b.url.replace('http', 'ws')}/api/live`, { headers: auth });
    const seen = new Promise<string[]>((resolve, reject) => {
      const types: string[] = [];
      const timer = setTimeout(() => reject(new Error(`no live event on B: ${types.join(',')}`)), 10_000);
      ws.on('message', (m) => {
        const msg = JSON.parse(String(m)) as { type: string; events?: { type: string }[] };
        for (const e of msg.events ?? []) types.push(e.type);
        if (types.includes('identity.user.created')) {
          clearTimeout(timer);
          resolve(types);
        }
      });
    });
    await new Promise((r) => ws.once('open', r));
    const created = await fetch(`${a.url}/api/identity/users`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nodeuser', roles: ['operator'], password: 'a long enough password' }),
    });
    assert.equal(created.status, 201);
    await seen;
    ws.close();

    // Work on the stream: a consumer group spanning both nodes handles each message once.
    const handled: string[] = [];
    for (const [node, name] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      await node.ctx.bus.subscribe<{ n: number }>('jobs.>', async (m) => void handled.push(`${m.payload.n}@${name}`), { group: `jobs_${cluster.tag}` });
    }
    for (let n = 0; n < 40; n++) await (n % 2 ? a : b).ctx.bus.publish('jobs.test', { n });
    for (let i = 0; i < 200 && handled.length < 40; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(new Set(handled.map((h) => h.split('@')[0])).size, 40);
    assert.equal(handled.length, 40, 'each job handled once');
  } finally {
    await cluster.close();
  }
});
