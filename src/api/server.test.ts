import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { buildApiServer, type ApiServer } from './server.js';
import { Metrics } from './metrics.js';
import { PUBLIC_PRINCIPAL, ROLES, type Principal, type Role } from '../platform/access.js';
import { VigilError } from '../kernel/errors.js';
import { createAuditCapability } from '../audit/index.js';
import type { Capability } from '../platform/app-context.js';
import { liveView, readable } from '../platform/live-view.js';
import { MemoryEventLog } from '../../test/support/memory-event-log.js';
import { fakePrincipal, testContext } from '../../test/support/test-context.js';

/** Credentials in these tests: `x-test-roles: admin,operator` and optional `x-test-org`. */
function resolveTestPrincipal(source: { headers: Record<string, string | string[] | undefined> }): Principal {
  const roles = source.headers['x-test-roles'];
  if (roles === undefined) return PUBLIC_PRINCIPAL;
  if (roles === 'invalid') throw new VigilError('unauthenticated', 'session expired');
  const list = String(roles)
    .split(',')
    .filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  return fakePrincipal(list, String(source.headers['x-test-org'] ?? 'org_A'));
}

/** A capability declaring one live event type, `alarm.raised`, for operators of organisations that may read it. */
const alarmFeed: Capability = { name: 'alarm-feed', liveViews: [liveView('alarm.', { 'alarm.raised': readable(['operator']) })] };

async function setup(bodyLimitBytes = 4096): Promise<{ server: ApiServer; log: MemoryEventLog; close: () => Promise<void> }> {
  const log = new MemoryEventLog();
  const ctx = testContext(log, { bodyLimitBytes, webDistDir: '/nonexistent' });
  await ctx.projections.start();
  const server = await buildApiServer({
    ctx,
    metrics: new Metrics('test'),
    capabilities: [createAuditCapability(ctx), alarmFeed],
    resolvePrincipal: resolveTestPrincipal,
    version: '0.0.0-test',
  });
  ctx.projections.onApplied((events) => server.hub.publish(events));
  return {
    server,
    log,
    close: async () => {
      server.hub.close();
      await server.app.close();
      ctx.projections.stop();
    },
  };
}

test('health answers ok with the store and stream in use', async () => {
  const { server, close } = await setup();
  const res = await server.app.inject({ method: 'GET', url: '/api/health' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().status, 'ok');
  assert.equal(res.json().store, 'sqlite');
  // A stale or invalid credential does not break a public route.
  const stale = await server.app.inject({ method: 'GET', url: '/api/health', headers: { 'x-test-roles': 'invalid' } });
  assert.equal(stale.statusCode, 200);
  await close();
});

test('OpenAPI 3.1 documents every route with its access rule', async () => {
  const { server, close } = await setup();
  const doc = (await server.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  assert.equal(doc.openapi, '3.1.0');
  // WebSocket routes are not HTTP operations; @fastify/websocket hides them from OpenAPI.
  for (const route of server.routes.filter((r) => !r.websocket)) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const op = doc.paths[path]?.[route.method.toLowerCase()];
    assert.ok(op, `${route.method} ${route.url} missing from OpenAPI`);
    assert.match(op.description, /Access: /);
  }
  await close();
});

test('errors are {error:{code,message,details}}: unknown route, bad JSON, too large, validation', async () => {
  const { server, close } = await setup(2048);
  const admin = { 'x-test-roles': 'admin' };
  const notFound = await server.app.inject({ method: 'GET', url: '/api/nope' });
  assert.equal(notFound.statusCode, 404);
  assert.equal(notFound.json().error.code, 'not_found');

  const badJson = await server.app.inject({
    method: 'POST',
    url: '/api/audit/verify',
    headers: { ...admin, 'content-type': 'application/json' },
    payload: '{"a":',
  });
  assert.equal(badJson.statusCode, 400);
  assert.equal(badJson.json().error.code, 'bad_request');

  const big = await server.app.inject({
    method: 'POST',
    url: '/api/audit/verify',
    headers: { ...admin, 'content-type': 'application/json' },
    payload: JSON.stringify({ pad: 'x'.repeat(5000) }),
  });
  assert.equal(big.statusCode, 413);
  assert.equal(big.json().error.code, 'payload_too_large');

  const invalid = await server.app.inject({ method: 'GET', url: '/api/audit?limit=0', headers: admin });
  assert.equal(invalid.statusCode, 400);
  assert.equal(invalid.json().error.code, 'validation_failed');
  assert.ok(Array.isArray(invalid.json().error.details.problems));

  const unknownParam = await server.app.inject({ method: 'GET', url: '/api/audit?drop=table', headers: admin });
  assert.equal(unknownParam.statusCode, 400);
  await close();
});

test('access is enforced before the handler: 401 without credentials, 403 without the role', async () => {
  const { server, close } = await setup();
  assert.equal((await server.app.inject({ method: 'GET', url: '/api/audit' })).statusCode, 401);
  const invalid = await server.app.inject({ method: 'GET', url: '/api/audit', headers: { 'x-test-roles': 'invalid' } });
  assert.equal(invalid.statusCode, 401);
  assert.equal(invalid.json().error.message, 'session expired');
  const responder = await server.app.inject({ method: 'GET', url: '/api/audit', headers: { 'x-test-roles': 'responder' } });
  assert.equal(responder.statusCode, 403);
  assert.equal(responder.json().error.code, 'forbidden');
  assert.equal((await server.app.inject({ method: 'GET', url: '/api/audit', headers: { 'x-test-roles': 'csirt' } })).statusCode, 200);
  await close();
});

test('a route that declares no access rule stops the server from starting', async () => {
  const log = new MemoryEventLog();
  const ctx = testContext(log, { webDistDir: '/nonexistent' });
  await assert.rejects(
    buildApiServer({
      ctx,
      metrics: new Metrics('t'),
      capabilities: [
        {
          name: 'careless',
          routes: async (app) => {
            app.get('/api/careless', async () => ({}));
          },
        },
      ],
      resolvePrincipal: resolveTestPrincipal,
      version: 't',
    }),
    /declares no config.access/,
  );
});

test('the audit trail lists who did what, newest first, only for organisations the reader may see', async () => {
  const { server, log, close } = await setup();
  for (let i = 1; i <= 30; i++) {
    await log.append([
      {
        type: 'test.thing.done',
        subject: `thing:${i}`,
        orgId: i % 2 ? 'org_A' : 'org_B',
        actor: 'user:x',
        reason: `because ${i}`,
        data: { i, passwordHash: 'secret' },
      },
    ]);
  }
  const page1 = (await server.app.inject({ method: 'GET', url: '/api/audit?limit=10', headers: { 'x-test-roles': 'admin' } })).json();
  assert.equal(page1.entries.length, 10);
  assert.deepEqual(
    page1.entries.map((e: { seq: number }) => e.seq),
    [29, 27, 25, 23, 21, 19, 17, 15, 13, 11],
  );
  assert.equal(page1.entries[0].data.passwordHash, '[redacted]');
  const page2 = (
    await server.app.inject({ method: 'GET', url: `/api/audit?limit=10&beforeSeq=${page1.nextBeforeSeq}`, headers: { 'x-test-roles': 'admin' } })
  ).json();
  assert.deepEqual(
    page2.entries.map((e: { seq: number }) => e.seq),
    [9, 7, 5, 3, 1],
  );
  assert.equal(page2.nextBeforeSeq, null);
  await close();
});

test('audit verify finds an event altered after it was written', async () => {
  const { server, log, close } = await setup();
  for (let i = 0; i < 20; i++) await log.append([{ type: 'test.x', subject: 's', orgId: 'org_A', actor: 'system', data: { i } }]);
  const headers = { 'x-test-roles': 'admin' };
  const good = (await server.app.inject({ method: 'POST', url: '/api/audit/verify', headers })).json();
  assert.equal(good.ok, true);
  assert.equal(good.checked, 20);
  log.tamper(7, (e) => {
    (e.data as { i: number }).i = 999;
  });
  const bad = (await server.app.inject({ method: 'POST', url: '/api/audit/verify', headers })).json();
  assert.equal(bad.ok, false);
  assert.equal(bad.firstBrokenSeq, 7);
  await close();
});

test('live WebSocket pushes only events a capability declares, as the user may see them, and honours subscriptions', async () => {
  const { server, log, close } = await setup();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (server.app.server.address() as { port: number }).port;
  const refused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`);
    ws.on('close', (code) => resolve(code));
  });
  assert.equal(refused, 4401);

  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`, { headers: { 'x-test-roles': 'operator', 'x-test-org': 'org_A' } });
  const received: { type: string; events?: { orgId: string; type: string }[] }[] = [];
  ws.on('message', (m) => received.push(JSON.parse(m.toString())));
  await new Promise((r) => ws.once('open', r));
  const until = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(cond());
  };
  await until(() => received.some((m) => m.type === 'hello'));
  ws.send(JSON.stringify({ type: 'subscribe', typePrefixes: ['alarm.'] }));
  await until(() => received.some((m) => m.type === 'subscribed'));
  // Deny by default: alarm.cleared matches the subscription and the user's organisation, but no capability declares it.
  await log.append([
    { type: 'alarm.raised', subject: 'a:1', orgId: 'org_B', actor: 'system', data: {} },
    { type: 'city.changed', subject: 'c:1', orgId: 'org_A', actor: 'system', data: {} },
    { type: 'alarm.cleared', subject: 'a:2', orgId: 'org_A', actor: 'system', data: {} },
    { type: 'identity.user.created', subject: 'u:1', orgId: 'org_A', actor: 'system', data: {} },
    { type: 'alarm.raised', subject: 'a:2', orgId: 'org_A', actor: 'system', data: {} },
  ]);
  await until(() => received.some((m) => m.type === 'events'));
  const pushed = received.filter((m) => m.type === 'events').flatMap((m) => m.events!);
  assert.deepEqual(
    pushed.map((e) => [e.type, e.orgId]),
    [['alarm.raised', 'org_A']],
  );
  ws.send('not json');
  await until(() => received.some((m) => m.type === 'error'));
  ws.close();
  await close();
});

test('the listener refuses connections beyond VIGIL_MAX_CONNECTIONS', async () => {
  const { createConnection } = await import('node:net');
  const log = new MemoryEventLog();
  const ctx = testContext(log, { maxConnections: 2, webDistDir: '/nonexistent' });
  await ctx.projections.start();
  const server = await buildApiServer({ ctx, metrics: new Metrics('t'), capabilities: [], resolvePrincipal: resolveTestPrincipal, version: 't' });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (server.app.server.address() as { port: number }).port;
  const open = () =>
    new Promise<{ socket: import('node:net').Socket; answered: Promise<boolean> }>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        const answered = new Promise<boolean>((done) => {
          socket.once('data', () => done(true));
          socket.once('close', () => done(false));
        });
        socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
        resolve({ socket, answered });
      });
    });
  const first = await open();
  const second = await open();
  assert.equal(await first.answered, true);
  assert.equal(await second.answered, true);
  const third = await open();
  assert.equal(await third.answered, false, 'the third connection is dropped, not served');
  for (const c of [first, second, third]) c.socket.destroy();
  server.hub.close();
  await server.app.close();
  ctx.projections.stop();
});
