import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { authenticator } from 'otplib';
import { serveVigil } from '../app.js';
import { loadConfig } from '../kernel/config.js';
import { HIGH_PRIVILEGE_ROLES, ROLES, isAllowed, type Principal, type Role } from '../platform/access.js';

/**
 * Walks every HTTP route × every role (plus the public, an API key and an admin
 * with a second factor) against the real application and proves that the access
 * layer admits exactly whom each route declares — no more, no fewer.
 */
test('access matrix: every route × every role is enforced as declared', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-matrix-'));
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_LOG_LEVEL: 'silent' }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  const identity = vigil.capabilities.identity.service;
  const app = vigil.server.app;
  try {
    const cityOrg = identity.platformOrgId()!;
    const callers: { name: string; headers: Record<string, string>; principal: () => Principal }[] = [];
    for (const role of ROLES) {
      const username = `m-${role}`;
      await identity.createUser({ username, orgId: cityOrg, roles: [role], password: 'matrix password' }, 'system');
      let { token } = await identity.login({ username, password: 'matrix password' }, '127.0.0.1');
      if (HIGH_PRIVILEGE_ROLES.includes(role)) {
        // These roles need a second factor: enrol one (the session continues at level 2).
        const enrolling = { headers: { cookie: `vigil_session=${token}` }, ip: '127.0.0.1' };
        const { secret } = await identity.startTotp(identity.resolvePrincipal(enrolling));
        token = (await identity.confirmTotpInSession(identity.resolvePrincipal(enrolling), authenticator.generate(secret), enrolling)).token;
      }
      const headers = { cookie: `vigil_session=${token}` };
      callers.push({ name: role, headers, principal: () => identity.resolvePrincipal({ headers, ip: '127.0.0.1' }) });
    }
    // An admin who signed in with a second factor.
    await identity.createUser({ username: 'm-admin2', orgId: cityOrg, roles: ['admin'], password: 'matrix password' }, 'system');
    const l1 = await identity.login({ username: 'm-admin2', password: 'matrix password' }, '127.0.0.1');
    const enrolling = { headers: { cookie: `vigil_session=${l1.token}` }, ip: '127.0.0.1' };
    const { secret } = await identity.startTotp(identity.resolvePrincipal(enrolling));
    const l2 = await identity.confirmTotpInSession(identity.resolvePrincipal(enrolling), authenticator.generate(secret), enrolling);
    const strong = { cookie: `vigil_session=${l2.token}` };
    callers.push({ name: 'admin+2fa', headers: strong, principal: () => identity.resolvePrincipal({ headers: strong, ip: '127.0.0.1' }) });
    const { key } = await identity.createApiKey({ name: 'matrix', roles: ['operator'] }, callers.at(-1)!.principal());
    callers.push({
      name: 'apikey(operator)',
      headers: { 'x-api-key': key },
      principal: () => identity.resolvePrincipal({ headers: { 'x-api-key': key }, ip: '127.0.0.1' }),
    });
    callers.push({ name: 'public', headers: {}, principal: () => identity.resolvePrincipal({ headers: {}, ip: '127.0.0.1' }) });

    // Logout ends the caller's session: walk it last.
    const routes = vigil.server.routes.filter((r) => !r.websocket).sort((a, b) => Number(a.url === '/api/auth/logout') - Number(b.url === '/api/auth/logout'));
    assert.ok(routes.length >= 20, `only ${routes.length} routes found`);
    const table: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const url = route.url.replace(/:(\w+)/g, 'matrix-$1');
      const row: string[] = [];
      for (const caller of callers) {
        const expected = isAllowed(route.access, caller.principal());
        const res = await app.inject({
          method: route.method as 'GET',
          url,
          headers: caller.headers,
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
        });
        const body = res.headers['content-type']?.toString().includes('json') ? (res.json() as { error?: { code: string; message: string } }) : {};
        const refusedByRoute =
          (res.statusCode === 401 && (body.error?.code === 'unauthenticated' || body.error?.code === 'second_factor_required')) ||
          (res.statusCode === 403 && /^this route is for /.test(body.error?.message ?? ''));
        assert.equal(!refusedByRoute, expected, `${route.method} ${route.url} as ${caller.name}: status ${res.statusCode} ${JSON.stringify(body)}`);
        row.push(expected ? '✓' : '·');
        checked++;
      }
      table.push(`${route.method.padEnd(6)} ${route.url.padEnd(36)} ${row.join(' ')}`);
    }
    assert.ok(checked >= routes.length * ROLES.length);
    // The matrix, printed for the reviewer (columns: roles, admin+2fa, api key, public).
    console.log(`${' '.repeat(44)}${callers.map((c) => c.name.slice(0, 3)).join(' ')}\n${table.join('\n')}`);
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('every route declares its access; undeclared routes refuse to register', async () => {
  const { buildApiServer } = await import('./server.js');
  const { Metrics } = await import('./metrics.js');
  const { MemoryEventLog } = await import('../../test/support/memory-event-log.js');
  const { testContext } = await import('../../test/support/test-context.js');
  const ctx = testContext(new MemoryEventLog(), { webDistDir: '/nonexistent' });
  await assert.rejects(
    buildApiServer({
      ctx,
      metrics: new Metrics('t'),
      version: 't',
      resolvePrincipal: () => {
        throw new Error('unused');
      },
      capabilities: [
        {
          name: 'careless',
          routes: async (app) => {
            app.get('/api/careless', async () => ({}));
          },
        },
      ],
    }),
    /declares no config.access/,
  );
  const roles: readonly Role[] = ROLES;
  assert.equal(roles.length, 8);
});
