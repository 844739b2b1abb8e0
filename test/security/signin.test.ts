import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { authenticator } from 'otplib';
import { WebSocket } from 'ws';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import { ACCOUNT_DELAYS, LoginThrottle } from '../../src/identity/login-throttle.js';
import { loadConfig } from '../../src/kernel/config.js';
import { sessionCookieOf } from '../support/api-client.js';

/**
 * Strong sign-in (issue 12, item 3): each test is one way to get in that must be refused.
 * The node is a real installation (no demo), behind a trusted proxy on loopback.
 */

const PASSWORD = 'a long enough password';
const QUIET = { VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: 'off', VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0' };
let vigil: RunningVigil;
let dataDir: string;
let orgId: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-signin-'));
  vigil = await serveVigil({ ...loadConfig({ ...QUIET, VIGIL_DEMO: 'false', VIGIL_TRUST_PROXY: '127.0.0.1' }), dataDir, port: 0, host: '127.0.0.1' });
  orgId = (await vigil.capabilities.identity.service.createOrg({ name: 'City', kind: 'city', platform: true }, 'system')).id;
});
after(async () => {
  await vigil?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

let n = 0;
async function user(roles: string[]): Promise<string> {
  const username = `u${++n}-${roles.join('-')}`;
  await vigil.capabilities.identity.service.createUser({ username, orgId, roles, password: PASSWORD }, 'system');
  return username;
}

const login = (username: string, password = PASSWORD, extra: { totp?: string; ip?: string; headers?: Record<string, string> } = {}) =>
  vigil.server.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password, ...(extra.totp ? { totp: extra.totp } : {}) },
    headers: extra.headers ?? {},
    remoteAddress: extra.ip ?? '127.0.0.1',
  });

const get = (url: string, cookie: string) => vigil.server.app.inject({ method: 'GET', url, headers: { cookie } });
const post = (url: string, cookie: string, payload?: unknown) =>
  vigil.server.app.inject({ method: 'POST', url, headers: { cookie }, ...(payload === undefined ? {} : { payload: payload as object }) });
const codeAt = (secret: string, steps: number) => authenticator.clone({ epoch: Date.now() + steps * 30_000 }).generate(secret);

/** A user with an enrolled authenticator app: its secret and a level-2 session. */
async function withTotp(roles: string[]): Promise<{ username: string; secret: string; cookie: string }> {
  const username = await user(roles);
  const enrolling = sessionCookieOf((await login(username)).headers)!;
  const { secret } = (await post('/api/auth/totp/enroll', enrolling)).json();
  const confirmed = await post('/api/auth/totp/confirm', enrolling, { code: codeAt(secret, 0) });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  return { username, secret, cookie: sessionCookieOf(confirmed.headers)! };
}

test('a parallel burst of guesses is throttled: attempts are reserved before the password check', async () => {
  const victim = await user(['operator']);
  const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => login(victim, `guess ${i}`, { ip: `10.1.0.${i + 1}` })));
  const checked = burst.filter((r) => r.statusCode === 401).length;
  const throttled = burst.filter((r) => r.statusCode === 429).length;
  assert.ok(checked <= ACCOUNT_DELAYS.free, `${checked} guesses reached the password check at once`);
  assert.equal(checked + throttled, 20);
});

test('IPv6 clients are counted per /64: rotating addresses inside one prefix does not reset the count', async () => {
  const results = [];
  // A different account every time, so only the source limit can bite.
  for (let i = 1; i <= 24; i++) results.push((await login(`nobody-${i}`, 'guess', { ip: `2001:db8:aa:bb::${i.toString(16)}` })).statusCode);
  assert.ok(results.includes(429), `no attempt from the /64 was throttled: ${results.join(',')}`);
  // Another /64 is another source.
  assert.equal((await login('nobody-x', 'guess', { ip: '2001:db8:aa:cc::1' })).statusCode, 401);
});

test('no hard lock-out: failures cost a growing delay, capped, and the owner gets in after it', async () => {
  const operator = await user(['operator']);
  let last = await login(operator, 'wrong', { ip: '10.2.0.1' });
  for (let i = 2; i <= 12 && last.statusCode !== 429; i++) last = await login(operator, 'wrong', { ip: `10.2.0.${i}` });
  assert.equal(last.statusCode, 429);
  assert.ok(Number(last.headers['retry-after']) <= ACCOUNT_DELAYS.maxDelayMs / 1000, `Retry-After ${last.headers['retry-after']} s is a lock-out`);
  // The delay grows and stops at its cap, however long an attacker keeps going (explicit clock).
  const throttle = new LoginThrottle();
  const t0 = 1_000_000;
  let at = t0;
  for (let i = 0; i < 100; i++) {
    const ip = `10.3.0.${i}`;
    let r = throttle.reserve('operator', ip, at);
    if (!r.ok) {
      at += r.retryAfterMs;
      r = throttle.reserve('operator', ip, at);
    }
    assert.ok(r.ok, `attempt ${i} refused after waiting its delay`);
    r.release();
    throttle.noteFailure('operator', ip, at);
  }
  const refused = throttle.reserve('operator', '192.0.2.7', at);
  assert.equal(refused.ok, false);
  assert.ok(!refused.ok && refused.retryAfterMs <= ACCOUNT_DELAYS.maxDelayMs);
  assert.equal(throttle.reserve('operator', '192.0.2.7', at + ACCOUNT_DELAYS.maxDelayMs).ok, true, 'the owner may try again after the capped delay');
});

test('a TOTP code is accepted once: replaying it within its window is refused', async () => {
  const { username, secret } = await withTotp(['operator']);
  const code = codeAt(secret, 1); // the confirmation spent this step's code
  const first = await login(username, PASSWORD, { totp: code });
  assert.equal(first.statusCode, 200, first.body);
  const replay = await login(username, PASSWORD, { totp: code });
  assert.equal(replay.statusCode, 401, 'the same code signed in twice');
  assert.equal(replay.json().error.code, 'second_factor_required');
  const steps = await vigil.ctx.log.read({ typePrefixes: ['identity.totp.used'] });
  assert.ok(steps.length >= 2, 'the last used time-step is recorded durably');
});

test('enrolling a new authenticator needs a code of the current one, and starting it does not switch the old one off', async () => {
  const { username, secret, cookie } = await withTotp(['operator']);
  const bare = await post('/api/auth/totp/enroll', cookie);
  assert.equal(bare.statusCode, 403, 'a stolen session replaced the second factor');
  assert.equal((await login(username)).json().error?.code, 'second_factor_required', 'the old factor still protects the account');
  const withCode = await post('/api/auth/totp/enroll', cookie, { code: codeAt(secret, 1) });
  assert.equal(withCode.statusCode, 200, withCode.body);
  assert.equal((await login(username)).json().error?.code, 'second_factor_required', 'until the new one is confirmed, the old one stays');
});

test('a high-privilege user without a second factor gets a session that only enrols one; after it, level 2 and the roles', async () => {
  for (const role of ['admin', 'supervisor', 'alert-officer', 'commander', 'csirt']) {
    const username = await user([role]);
    const first = await login(username);
    assert.equal(first.statusCode, 200);
    assert.equal(first.json().enrolmentRequired, true, role);
    assert.deepEqual(first.json().me.roles, [], role);
    const cookie = sessionCookieOf(first.headers)!;
    const refused = await get('/api/identity/orgs', cookie);
    assert.equal(refused.statusCode, 401, `${role}: an enrolment session reached ${refused.body}`);
    assert.equal(refused.json().error.code, 'second_factor_required');
  }
  const { cookie } = await withTotp(['supervisor']);
  const me = (await get('/api/auth/me', cookie)).json();
  assert.equal(me.authLevel, 2);
  assert.deepEqual(me.roles, ['supervisor']);
  assert.equal((await get('/api/alarms', cookie)).statusCode, 200);
  // Roles without the requirement sign in with a password alone.
  const operator = await login(await user(['operator']));
  assert.equal(operator.json().enrolmentRequired, false);
  assert.deepEqual(operator.json().me.roles, ['operator']);
});

test('the session token travels only in the cookie: not in the body, not as ?token= nor as a bearer header', async () => {
  const res = await login(await user(['operator']));
  assert.equal(res.statusCode, 200);
  assert.ok(!('token' in res.json()), 'the body carries the token');
  const cookie = sessionCookieOf(res.headers)!;
  const token = cookie.split('=')[1]!;
  assert.ok(!res.body.includes(token));
  assert.equal((await vigil.server.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
  const ws = new WebSocket(`${vigil.url.replace('http', 'ws')}/api/live?token=${encodeURIComponent(token)}`);
  const outcome = await new Promise<string>((resolve) => {
    ws.once('message', (m) => resolve(`message ${String(m).slice(0, 40)}`));
    ws.once('close', (code) => resolve(`close ${code}`));
    ws.once('error', (e) => resolve(`error ${e.message}`));
  });
  ws.terminate();
  assert.equal(outcome, 'close 4401', '?token= opened the live feed');
});

test('cookies are Secure behind a trusted TLS proxy (VIGIL_TRUST_PROXY), and X-Forwarded-* from others is ignored', async () => {
  const username = await user(['operator']);
  const proxied = await login(username, PASSWORD, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' } });
  assert.match(String(proxied.headers['set-cookie']), /; Secure/);
  assert.match(String(proxied.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
  const forged = await login(username, PASSWORD, { ip: '198.51.100.4', headers: { 'x-forwarded-proto': 'https' } });
  assert.doesNotMatch(String(forged.headers['set-cookie']), /Secure/, 'an untrusted client claimed TLS');
  const failed = await vigil.ctx.log.read({ typePrefixes: ['identity.session.started'] });
  assert.equal((failed.at(-2)!.data as { ip: string }).ip, '203.0.113.9', 'the client address comes from the trusted proxy');
});

test('a state-changing request with the session cookie from a foreign Origin is refused', async () => {
  const res = await login(await user(['operator']));
  const cookie = sessionCookieOf(res.headers)!;
  const foreign = await vigil.server.app.inject({
    method: 'POST',
    url: '/api/auth/logout',
    headers: { cookie, origin: 'https://evil.example' },
  });
  assert.equal(foreign.statusCode, 403);
  assert.equal((await get('/api/auth/me', cookie)).statusCode, 200, 'the foreign request ended the session');
  const own = await vigil.server.app.inject({
    method: 'POST',
    url: '/api/auth/logout',
    headers: { cookie, origin: `http://localhost:80`, host: 'localhost:80' },
  });
  assert.equal(own.statusCode, 200, own.body);
  const crossLogin = await login(await user(['operator']), PASSWORD, { headers: { origin: 'https://evil.example' } });
  assert.equal(crossLogin.statusCode, 403, 'login CSRF');
});

test('the live WebSocket refuses an upgrade from a foreign Origin', async () => {
  const cookie = sessionCookieOf((await login(await user(['operator']))).headers)!;
  const open = (origin: string) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(`${vigil.url.replace('http', 'ws')}/api/live`, { headers: { cookie }, origin });
      ws.once('message', (m) => (resolve(`message ${JSON.parse(String(m)).type}`), ws.terminate()));
      ws.once('close', (code) => resolve(`close ${code}`));
      ws.once('error', (e) => resolve(`error ${e.message}`));
    });
  assert.equal(await open('https://evil.example'), 'close 4403');
  assert.equal(await open(vigil.url), 'message hello');
});

test('security headers: a strict Content-Security-Policy and friends', async () => {
  const res = await vigil.server.app.inject({ method: 'GET', url: '/api/health' });
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/, 'no inline or eval scripts');
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /object-src 'none'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.ok(res.headers['strict-transport-security']);
});

test('built-in TLS: with VIGIL_TLS_CERT/VIGIL_TLS_KEY the node serves HTTPS and its cookies are Secure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  assert.equal(made.status, 0, String(made.stderr));
  const tls = await serveVigil({
    ...loadConfig({ ...QUIET, VIGIL_DEMO: 'false', VIGIL_TLS_CERT: cert, VIGIL_TLS_KEY: key }),
    dataDir: join(dir, 'data'),
    port: 0,
    host: '127.0.0.1',
  });
  try {
    assert.match(tls.url, /^https:/);
    const identity = tls.capabilities.identity.service;
    const org = await identity.createOrg({ name: 'City', kind: 'city', platform: true }, 'system');
    await identity.createUser({ username: 'op', orgId: org.id, roles: ['operator'], password: PASSWORD }, 'system');
    const { status, setCookie } = await new Promise<{ status: number; setCookie: string }>((resolve, reject) => {
      const req = httpsRequest(
        `${tls.url}/api/auth/login`,
        { method: 'POST', ca: readFileSync(cert), headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookie: String(res.headers['set-cookie']) }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ username: 'op', password: PASSWORD }));
    });
    assert.equal(status, 200);
    assert.match(setCookie, /; Secure/);
  } finally {
    await tls.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the loopback demo exempts its demo users from the second factor and says so; nothing else is exempt', async () => {
  const { IdentityService } = await import('../../src/identity/identity-service.js');
  const { IdentityState } = await import('../../src/identity/identity-state.js');
  const { DEMO_USERS } = await import('../../src/identity/index.js');
  const { MemoryEventLog } = await import('../support/memory-event-log.js');
  const { testContext } = await import('../support/test-context.js');
  const exempt = (overrides: Parameters<typeof testContext>[1]) => {
    const ctx = testContext(new MemoryEventLog(), overrides);
    return new IdentityService(
      ctx,
      new IdentityState(ctx.secrets),
      DEMO_USERS.map((u) => u.username),
    ).demoExemptUsernames();
  };
  assert.ok(exempt({ host: '127.0.0.1', demoOnEmpty: true, databaseUrl: null }).includes('admin'), 'the loopback demo');
  assert.deepEqual(exempt({ host: '0.0.0.0', demoOnEmpty: true, databaseUrl: null }), [], 'a network bind');
  assert.deepEqual(exempt({ host: '127.0.0.1', demoOnEmpty: true, databaseUrl: 'postgres://127.0.0.1/vigil' }), [], 'a shared store');
  assert.deepEqual(exempt({ host: '127.0.0.1', demoOnEmpty: false, databaseUrl: null }), [], 'VIGIL_DEMO=false');
  // What the sign-in page shows comes from here.
  const options = (await vigil.server.app.inject({ method: 'GET', url: '/api/auth/options' })).json();
  assert.deepEqual(options.demoExemptUsers, []);
  assert.deepEqual(options.secondFactorRoles, ['admin', 'supervisor', 'alert-officer', 'commander', 'csirt']);
});
