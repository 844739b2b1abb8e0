import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { authenticator } from 'otplib';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import type { Area } from '../../src/city/contract.js';

/**
 * Authority (issue 12, item 2) through HTTP: role ceilings per kind of organisation,
 * API keys within their creator's reach, and the authority to alert the platform
 * organisation grants over named areas, categories and channels.
 */

const PASSWORD = 'a long enough password';
let vigil: RunningVigil;
let dir: string;
const orgs: Record<string, string> = {};

type Call = (method: string, url: string, payload?: unknown) => Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Harbour and Hill: two neighbourhoods side by side inside the city (squares of about 400 m). */
const square = (lon: number, lat: number, d = 0.004): [number, number][] => [
  [lon, lat],
  [lon + d, lat],
  [lon + d, lat + d],
  [lon, lat + d],
  [lon, lat],
];
const capPolygon = (ring: [number, number][]) => ring.map(([lon, lat]) => `${lat},${lon}`).join(' ');
const HARBOUR = square(7.42, 43.73);
const HILL = square(7.43, 43.73);

function area(id: string, name: string, level: Area['level'], ring: [number, number][]): Area & { importId: string } {
  return {
    id,
    name,
    level,
    geometry: { type: 'MultiPolygon', coordinates: [[ring]] },
    center: ring[0]!,
    areaM2: null,
    repaired: false,
    source: 'test',
    orgId: orgs.city!,
    importId: 'imp_test',
  };
}

/** Signs in with password and a second factor (enrolled here), as every high-privilege role will have to. */
async function signIn(username: string): Promise<Call> {
  const identity = vigil.capabilities.identity.service;
  const principal = identity.resolvePrincipalOf(username);
  const { secret } = await identity.startTotp(principal);
  await identity.confirmTotp(principal, authenticator.generate(secret));
  // The next time step's code: a code already used for enrolment may be refused as a replay.
  const code = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret);
  const login = await vigil.server.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    headers: { origin: vigil.url, host: new URL(vigil.url).host },
    payload: { username, password: PASSWORD, totp: code },
  });
  assert.equal(login.statusCode, 200, `${username} signs in: ${login.body}`);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  return async (method, url, payload) => {
    const r = await vigil.server.app.inject({
      method: method as 'GET',
      url,
      headers: { cookie, origin: vigil.url, host: new URL(vigil.url).host },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: r.statusCode, json: r.body ? r.json() : null };
  };
}

function alert(areaDesc: string, ring: [number, number][] | null, over: { channels?: string[]; category?: string[]; severity?: string } = {}) {
  return {
    status: 'Actual',
    scope: 'Public',
    channels: over.channels ?? ['sms', 'push'],
    info: [
      {
        language: 'en-GB',
        category: over.category ?? ['Safety'],
        event: 'Police operation',
        responseType: ['Avoid'],
        urgency: 'Immediate',
        severity: over.severity ?? 'Severe',
        certainty: 'Observed',
        headline: `Police operation in ${areaDesc}`,
        description: 'Keep away.',
        area: [{ areaDesc, ...(ring ? { polygon: [capPolygon(ring)] } : {}) }],
      },
    ],
  };
}

let root: Call;
let securityAdmin: Call;
let policeAdmin: Call;
let policeOfficer: Call;
let policeDuty: Call;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-authority-'));
  const config = loadConfig({
    VIGIL_DATA_DIR: dir,
    VIGIL_DEMO: 'false',
    VIGIL_PORT: '0',
    VIGIL_ROUTING_OSM: 'off',
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_DC09_PORT: '0',
    VIGIL_MQTT_EMBEDDED_PORT: '0',
  });
  vigil = await serveVigil(config);
  const identity = vigil.capabilities.identity.service;
  orgs.city = (await identity.createOrg({ name: 'Test City', kind: 'city', platform: true }, 'system')).id;
  orgs.police = (await identity.createOrg({ name: 'City Police', kind: 'police' }, 'system')).id;
  orgs.security = (await identity.createOrg({ name: 'Gatekeepers Security', kind: 'security' }, 'system')).id;
  await vigil.ctx.record(
    [
      area('area_city', 'Test City', 'city', square(7.41, 43.72, 0.04)),
      area('area_harbour', 'Harbour', 'neighbourhood', HARBOUR),
      area('area_hill', 'Hill', 'neighbourhood', HILL),
    ].map((a) => ({ type: 'city.area.defined', subject: a.id, orgId: orgs.city!, actor: 'system', data: a })),
  );
  const users: [string, string, string[]][] = [
    ['root', 'city', ['admin']],
    ['city-officer', 'city', ['alert-officer']],
    ['city-duty', 'city', ['alert-officer']],
    ['police-admin', 'police', ['admin']],
    ['police-officer', 'police', ['alert-officer']],
    ['police-duty', 'police', ['alert-officer']],
    ['security-admin', 'security', ['admin']],
  ];
  for (const [username, org, roles] of users) await identity.createUser({ username, orgId: orgs[org]!, roles, password: PASSWORD }, 'system');
  root = await signIn('root');
  securityAdmin = await signIn('security-admin');
  policeAdmin = await signIn('police-admin');
  policeOfficer = await signIn('police-officer');
  policeDuty = await signIn('police-duty');
});

after(async () => {
  await vigil?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a security firm admin cannot create alert officers, nor make one of an existing user; responders are fine', async () => {
  const officer = await securityAdmin('POST', '/api/identity/users', { username: 'fake-officer', roles: ['alert-officer'], password: PASSWORD });
  assert.equal(officer.status, 403, JSON.stringify(officer.json));
  assert.match(officer.json.error.message, /alert-officer/);
  assert.match(officer.json.error.message, /security organisation: its members may hold operator, supervisor, responder, admin/);
  const guard = await securityAdmin('POST', '/api/identity/users', { username: 'guard-1', roles: ['responder'], password: PASSWORD });
  assert.equal(guard.status, 201, JSON.stringify(guard.json));
  const promote = await securityAdmin('PUT', `/api/identity/users/${guard.json.id}/roles`, { roles: ['responder', 'alert-officer'] });
  assert.equal(promote.status, 403, JSON.stringify(promote.json));
  const csirt = await securityAdmin('POST', '/api/identity/users', { username: 'fake-csirt', roles: ['csirt'], password: PASSWORD });
  assert.equal(csirt.status, 403);
});

test('only the platform organisation grants alert-officer: the police admin cannot, the platform admin can', async () => {
  const byPolice = await policeAdmin('POST', '/api/identity/users', { username: 'police-officer-2', roles: ['alert-officer'], password: PASSWORD });
  assert.equal(byPolice.status, 403, JSON.stringify(byPolice.json));
  assert.match(byPolice.json.error.message, /only an administrator of the platform organisation grants alert-officer/);
  const byRoot = await root('POST', '/api/identity/users', { username: 'police-officer-2', orgId: orgs.police, roles: ['alert-officer'], password: PASSWORD });
  assert.equal(byRoot.status, 201, JSON.stringify(byRoot.json));
  // Not even the platform admin lifts a security firm above its ceiling.
  const aboveCeiling = await root('POST', '/api/identity/users', {
    username: 'sec-officer',
    orgId: orgs.security,
    roles: ['alert-officer'],
    password: PASSWORD,
  });
  assert.equal(aboveCeiling.status, 403);
});

test('an API key never exceeds its creator', async () => {
  const officerKey = await policeAdmin('POST', '/api/identity/api-keys', { name: 'alerting bridge', roles: ['alert-officer'] });
  assert.equal(officerKey.status, 403, JSON.stringify(officerKey.json));
  assert.match(officerKey.json.error.message, /cannot exceed its creator.*alert-officer/);
  const csirtKey = await policeAdmin('POST', '/api/identity/api-keys', { name: 'log shipper', roles: ['csirt'] });
  assert.equal(csirtKey.status, 403);
  const commanderKey = await securityAdmin('POST', '/api/identity/api-keys', { name: 'command table', roles: ['commander'] });
  assert.equal(commanderKey.status, 403, 'a security firm holds no commander');
  const avl = await policeAdmin('POST', '/api/identity/api-keys', { name: 'AVL gateway', roles: ['responder'] });
  assert.equal(avl.status, 201, JSON.stringify(avl.json));
});

test('an organisation without a grant cannot issue a city-wide alert; the platform organisation can', async () => {
  const draft = await policeOfficer('POST', '/api/alerts', alert('Test City', null));
  assert.equal(draft.status, 201, JSON.stringify(draft.json));
  const submit = await policeOfficer('POST', `/api/alerts/${draft.json.alert.alertId}/submit`);
  assert.equal(submit.status, 403, JSON.stringify(submit.json));
  assert.match(submit.json.error.message, /City Police holds no authority to alert/);

  const cityOfficer = await signIn('city-officer');
  const cityDuty = await signIn('city-duty');
  const city = await cityOfficer('POST', '/api/alerts', alert('Test City', null, { channels: ['sms', 'cell-broadcast', 'sirens'] }));
  assert.equal((await cityOfficer('POST', `/api/alerts/${city.json.alert.alertId}/submit`)).json.alert.state, 'pending-approval');
  // The second-person rule stays, for the platform organisation too.
  assert.equal((await cityOfficer('POST', `/api/alerts/${city.json.alert.alertId}/approve`)).status, 403);
  const approved = await cityDuty('POST', `/api/alerts/${city.json.alert.alertId}/approve`);
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  assert.equal(approved.json.alert.state, 'issued');
});

test('a grant for Harbour lets the police alert Harbour only, in its categories and on its channels', async () => {
  const byPolice = await policeAdmin('PUT', `/api/alerts/authorities/${encodeURIComponent('City Police')}`, {
    areas: [{ name: 'Harbour' }],
    categories: ['Safety'],
    channels: ['sms', 'push'],
  });
  assert.equal(byPolice.status, 403, 'an organisation cannot grant itself authority');
  const grant = await root('PUT', `/api/alerts/authorities/${encodeURIComponent('City Police')}`, {
    areas: [{ name: 'Harbour' }],
    categories: ['Safety', 'Security'],
    channels: ['sms', 'push'],
    note: 'harbour police operations',
  });
  assert.equal(grant.status, 200, JSON.stringify(grant.json));
  const listed = await policeAdmin('GET', '/api/alerts/authorities');
  assert.deepEqual(
    listed.json.authorities.map((a: { orgName: string; areas: { name: string }[] }) => [a.orgName, a.areas.map((x) => x.name)]),
    [['City Police', ['Harbour']]],
  );

  const refused = async (input: ReturnType<typeof alert>, why: RegExp) => {
    const d = await policeOfficer('POST', '/api/alerts', input);
    assert.equal(d.status, 201, JSON.stringify(d.json));
    const s = await policeOfficer('POST', `/api/alerts/${d.json.alert.alertId}/submit`);
    assert.equal(s.status, 403, JSON.stringify(s.json));
    assert.match(s.json.error.message, why);
  };
  await refused(alert('Hill', HILL), /area "Hill" reaches outside the granted areas \(Harbour\)/);
  await refused(alert('Test City', null), /area "Test City" has no geometry and is not a granted area/);
  await refused(alert('Harbour', HARBOUR, { channels: ['sms', 'sirens'] }), /channel sirens is not granted/);
  await refused(alert('Harbour', HARBOUR, { category: ['Met'] }), /category Met is not granted/);

  const d = await policeOfficer('POST', '/api/alerts', alert('Harbour', HARBOUR));
  const s = await policeOfficer('POST', `/api/alerts/${d.json.alert.alertId}/submit`);
  assert.equal(s.json.alert.state, 'pending-approval', JSON.stringify(s.json));
  const approved = await policeDuty('POST', `/api/alerts/${d.json.alert.alertId}/approve`);
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  assert.equal(approved.json.alert.state, 'issued');
});

test('approval is refused once the grant no longer covers a waiting alert', async () => {
  const d = await policeOfficer('POST', '/api/alerts', alert('Harbour', HARBOUR, { channels: ['sms'] }));
  assert.equal((await policeOfficer('POST', `/api/alerts/${d.json.alert.alertId}/submit`)).json.alert.state, 'pending-approval');
  const narrowed = await root('PUT', `/api/alerts/authorities/${orgs.police}`, { areas: [{ name: 'Harbour' }], categories: ['Safety'], channels: ['push'] });
  assert.equal(narrowed.status, 200);
  const approve = await policeDuty('POST', `/api/alerts/${d.json.alert.alertId}/approve`);
  assert.equal(approve.status, 403, JSON.stringify(approve.json));
  assert.match(approve.json.error.message, /cannot approve: outside City Police's authority to alert: channel sms is not granted/);

  assert.equal((await root('DELETE', `/api/alerts/authorities/${encodeURIComponent('City Police')}`)).status, 200);
  const d2 = await policeOfficer('POST', '/api/alerts', alert('Harbour', HARBOUR, { channels: ['push'] }));
  assert.equal((await policeOfficer('POST', `/api/alerts/${d2.json.alert.alertId}/submit`)).status, 403, 'revoked');
  assert.deepEqual((await root('GET', '/api/alerts/authorities')).json.authorities, []);
});
