import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { authenticator } from 'otplib';
import { testContext } from '../../test/support/test-context.js';
import { SqliteEventLog } from '../adapters/stores/sqlite/sqlite-event-log.js';
import { buildApiServer } from '../api/server.js';
import { Metrics } from '../api/metrics.js';
import { VigilError } from '../kernel/errors.js';
import { canRead } from '../platform/policy.js';
import { createIdentityCapability } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-identity-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function setup(file = join(dir, `id-${++n}.sqlite`)) {
  const log = new SqliteEventLog(file);
  const ctx = testContext(log, { webDistDir: '/nonexistent' });
  const identity = createIdentityCapability(ctx);
  identity.projections!.forEach((p) => ctx.projections.register(p));
  await ctx.projections.start();
  const server = await buildApiServer({
    ctx,
    metrics: new Metrics('t'),
    capabilities: [identity],
    version: 't',
    resolvePrincipal: (s) => identity.resolvePrincipal(s),
  });
  return {
    file,
    ctx,
    identity,
    service: identity.service,
    app: server.app,
    close: async () => {
      await server.app.close();
      ctx.projections.stop();
      await log.close();
    },
  };
}

async function withOrgs(s: Awaited<ReturnType<typeof setup>>) {
  const city = await s.service.createOrg({ name: 'City', kind: 'city', platform: true }, 'system');
  const police = await s.service.createOrg({ name: 'Police', kind: 'police' }, 'system');
  const marc = await s.service.createOrg({ name: 'MARC', kind: 'monitoring' }, 'system');
  await s.service.createUser({ username: 'root', orgId: city.id, roles: ['admin'], password: 'correct horse battery' }, 'system');
  await s.service.createUser({ username: 'op', orgId: marc.id, roles: ['operator'], password: 'operator password' }, 'system');
  await s.service.createUser({ username: 'marcadmin', orgId: marc.id, roles: ['admin'], password: 'marc admin password' }, 'system');
  return { city, police, marc };
}

const login = (app: Awaited<ReturnType<typeof setup>>['app'], username: string, password: string, totp?: string) =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password, ...(totp ? { totp } : {}) } });

test('sign-in returns a session usable as cookie or bearer token; logout ends it', async () => {
  const s = await setup();
  await withOrgs(s);
  const res = await login(s.app, 'OP', 'operator password');
  assert.equal(res.statusCode, 200, res.body);
  const { token, me } = res.json();
  assert.deepEqual(me.roles, ['operator']);
  const cookie = String(res.headers['set-cookie']);
  assert.match(cookie, /vigil_session=.+; Path=\/; HttpOnly; SameSite=Strict/);
  const byCookie = await s.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: cookie.split(';')[0]! } });
  assert.equal(byCookie.json().username, 'op');
  const byBearer = await s.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
  assert.equal(byBearer.statusCode, 200);
  const out = await s.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${token}` } });
  assert.equal(out.statusCode, 200);
  const after = await s.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
  assert.equal(after.statusCode, 401);
  assert.equal(after.json().error.code, 'unauthenticated');
  await s.close();
});

test('passwords are stored as Argon2id hashes and never leave the server', async () => {
  const s = await setup();
  await withOrgs(s);
  const created = (await s.ctx.log.read({ typePrefixes: ['identity.user.created'] }))[0]!;
  assert.match((created.data as { passwordHash: string }).passwordHash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  assert.ok(!JSON.stringify(created.data).includes('correct horse'));
  const rootToken = (await login(s.app, 'root', 'correct horse battery')).json().token;
  const users = await s.app.inject({ method: 'GET', url: '/api/identity/users', headers: { authorization: `Bearer ${rootToken}` } });
  assert.equal(users.statusCode, 200);
  assert.ok(!users.body.includes('argon2'));
  assert.equal(users.json().users.length, 3, 'the platform admin sees every user');
  await s.close();
});

test('wrong passwords are refused alike for unknown users, and five failures lock the username', async () => {
  const s = await setup();
  await withOrgs(s);
  const unknown = await login(s.app, 'nobody', 'whatever password');
  assert.equal(unknown.statusCode, 401);
  for (let i = 0; i < 5; i++) {
    const r = await login(s.app, 'op', `wrong ${i}`);
    assert.equal(r.statusCode, 401);
    assert.equal(r.json().error.message, unknown.json().error.message);
  }
  const locked = await login(s.app, 'op', 'operator password');
  assert.equal(locked.statusCode, 429);
  assert.equal(locked.json().error.code, 'rate_limited');
  assert.ok(Number(locked.headers['retry-after']) > 0);
  const failures = await s.ctx.log.read({ typePrefixes: ['identity.login.failed'] });
  assert.equal(failures.length, 6, 'every failed sign-in is in the audit trail');
  await s.close();
});

test('TOTP: enrolment, then the code is required at sign-in and raises the authentication level', async () => {
  const s = await setup();
  await withOrgs(s);
  const token = (await login(s.app, 'root', 'correct horse battery')).json().token;
  const auth = { authorization: `Bearer ${token}` };
  // Creating API keys needs a second factor.
  const denied = await s.app.inject({ method: 'POST', url: '/api/identity/api-keys', headers: auth, payload: { name: 'panel gateway', roles: ['operator'] } });
  assert.equal(denied.statusCode, 401);
  assert.equal(denied.json().error.code, 'second_factor_required');
  const { secret, otpauthUrl } = (await s.app.inject({ method: 'POST', url: '/api/auth/totp/enroll', headers: auth })).json();
  assert.match(otpauthUrl, /^otpauth:\/\/totp\/Vigil:root\?secret=/);
  const bad = await s.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: auth, payload: { code: '000000' } });
  assert.equal(bad.statusCode, 400);
  const enrolled = (await s.ctx.log.read({ typePrefixes: ['identity.totp.enrolment-started'] }))[0]!;
  const stored = (enrolled.data as { totpSecret: string }).totpSecret;
  assert.match(stored, /^sealed:v1:/, 'the TOTP seed is sealed in the log');
  assert.ok(!JSON.stringify(enrolled).includes(secret));
  const ok = await s.app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: auth, payload: { code: authenticator.generate(secret) } });
  assert.equal(ok.statusCode, 200);
  const noCode = await login(s.app, 'root', 'correct horse battery');
  assert.equal(noCode.statusCode, 401);
  assert.equal(noCode.json().error.code, 'second_factor_required');
  const withCode = await login(s.app, 'root', 'correct horse battery', authenticator.generate(secret));
  assert.equal(withCode.statusCode, 200);
  assert.equal(withCode.json().me.authLevel, 2);
  const strong = { authorization: `Bearer ${withCode.json().token}` };
  const created = await s.app.inject({
    method: 'POST',
    url: '/api/identity/api-keys',
    headers: strong,
    payload: { name: 'panel gateway', roles: ['operator'] },
  });
  assert.equal(created.statusCode, 201, created.body);
  const { key, apiKey } = created.json();
  assert.match(key, /^vgk_/);
  const asKey = await s.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': key } });
  assert.equal(asKey.json().actor, `apikey:${apiKey.id}`);
  await s.app.inject({ method: 'DELETE', url: `/api/identity/api-keys/${apiKey.id}`, headers: strong });
  const revoked = await s.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': key } });
  assert.equal(revoked.statusCode, 401);
  await s.close();
});

test('organisations see their own data and what others explicitly shared with them', async () => {
  const s = await setup();
  const { city, police, marc } = await withOrgs(s);
  await s.service.createUser({ username: 'cop', orgId: police.id, roles: ['commander'], password: 'police password' }, 'system');
  const cop = () => s.service.resolvePrincipalOf('cop');
  assert.equal(canRead(cop(), marc.id), false);
  const marcAdmin = s.service.resolvePrincipalOf('marcadmin');
  await assert.rejects(
    s.service.grantShare({ fromOrgId: city.id, toOrgId: police.id }, marcAdmin),
    (e: unknown) => e instanceof VigilError && e.code === 'forbidden',
  );
  const share = await s.service.grantShare({ toOrgId: police.id, note: 'alarm verification' }, marcAdmin);
  assert.equal(canRead(cop(), marc.id), true);
  assert.equal(canRead(cop(), city.id), false, 'sharing is one-directional');
  await s.service.revokeShare(share.id, marcAdmin);
  assert.equal(canRead(cop(), marc.id), false);
  // An org admin cannot create users elsewhere.
  await assert.rejects(
    s.service.createUser({ username: 'x1', orgId: police.id, roles: ['admin'], password: 'long enough pw' }, marcAdmin),
    (e: unknown) => e instanceof VigilError && e.code === 'forbidden',
  );
  await s.close();
});

test('identity survives a restart: sessions, users and shares are rebuilt from the log', async () => {
  const s = await setup();
  const { police, marc } = await withOrgs(s);
  await s.service.grantShare({ fromOrgId: marc.id, toOrgId: police.id }, s.service.resolvePrincipalOf('root'));
  const token = (await login(s.app, 'op', 'operator password')).json().token;
  await s.close();
  const again = await setup(s.file);
  const me = await again.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.statusCode, 200);
  assert.equal(me.json().username, 'op');
  assert.equal(again.service.listShares(again.service.resolvePrincipalOf('root')).length, 1);
  await again.close();
});

test('disabling a user ends their sessions; bad input gets clear errors', async () => {
  const s = await setup();
  await withOrgs(s);
  const root = { authorization: `Bearer ${(await login(s.app, 'root', 'correct horse battery')).json().token}` };
  const opToken = (await login(s.app, 'op', 'operator password')).json().token;
  const opId = s.service.state.usersByName.get('op')!.id;
  const r = await s.app.inject({
    method: 'PUT',
    url: `/api/identity/users/${opId}/disabled`,
    headers: root,
    payload: { disabled: true, reason: 'left the company' },
  });
  assert.equal(r.statusCode, 200);
  assert.equal((await s.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${opToken}` } })).statusCode, 401);
  const weak = await s.app.inject({
    method: 'POST',
    url: '/api/identity/users',
    headers: root,
    payload: { username: 'new', roles: ['operator'], password: 'short' },
  });
  assert.equal(weak.statusCode, 400);
  const badRole = await s.app.inject({
    method: 'POST',
    url: '/api/identity/users',
    headers: root,
    payload: { username: 'new', roles: ['wizard'], password: 'long enough pw' },
  });
  assert.equal(badRole.json().error.code, 'validation_failed');
  const dup = await s.app.inject({
    method: 'POST',
    url: '/api/identity/users',
    headers: root,
    payload: { username: 'op', roles: ['operator'], password: 'long enough pw' },
  });
  assert.equal(dup.statusCode, 409);
  await s.close();
});
