import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { serveVigil, type RunningVigil } from '../../src/app.js';
import type { OrgKind } from '../../src/identity/model.js';
import { loadConfig } from '../../src/kernel/config.js';
import { signedIn, type ApiCall } from '../support/api-client.js';
import { until } from '../support/until.js';
import { flood } from '../support/alert-fixtures.js';

/**
 * Isolation between organisations (issue 12, item 1 and the scenarios of item 7), through
 * HTTP against the real application: a city (the platform organisation), its police and
 * fire service, a private monitoring centre (MARC), a security firm and an event
 * organiser, each with real resources. Every test is one scenario of the issue; each
 * failed on the code before the policy (src/platform/policy.ts).
 */

const PASSWORD = 'isolation password 1';
const SITE = { id: 'site-bank', position: [7.4205, 43.7325] as [number, number] };

let dir: string;
let vigil: RunningVigil;
const org: Record<string, string> = {};
const as: Record<string, ApiCall> = {};

async function addOrg(key: string, name: string, kind: OrgKind, users: Record<string, string[]>, platform = false): Promise<void> {
  const identity = vigil.capabilities.identity.service;
  org[key] = (await identity.createOrg({ name, kind, platform }, 'system')).id;
  for (const [username, roles] of Object.entries(users)) {
    await identity.createUser({ username, orgId: org[key]!, roles, password: PASSWORD }, 'system');
    as[username] = await signedIn(vigil, username, PASSWORD);
  }
}

/** An admin shares their organisation's data with another ('read' by default, as before shares had rights). */
async function share(admin: string, toOrg: string, rights?: 'act'): Promise<void> {
  const r = await as[admin]!('POST', '/api/identity/shares', { toOrgId: org[toOrg], ...(rights ? { rights } : {}) });
  assert.equal(r.status, 201, JSON.stringify(r.json));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-isolation-'));
  vigil = await serveVigil({
    ...loadConfig({ VIGIL_DEMO: 'false', VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: 'off' }),
    dataDir: dir,
    port: 0,
    host: '127.0.0.1',
  });
  await addOrg('city', 'City of Testville', 'city', { 'city-admin': ['admin'], 'city-officer': ['alert-officer'], 'city-analyst': ['analyst'] }, true);
  await addOrg('police', 'Police', 'police', { 'police-admin': ['admin'], 'police-op': ['operator'], 'police-cmd': ['commander'] });
  await addOrg('fire', 'Fire brigade', 'fire', { 'fire-admin': ['admin'], 'fire-cmd': ['commander'], 'fire-sup': ['supervisor'] });
  await addOrg('marc', 'Monitoring centre', 'monitoring', { 'marc-admin': ['admin'], 'marc-sup': ['supervisor'], 'marc-op': ['operator'] });
  await addOrg('security', 'Security firm', 'security', { 'sec-admin': ['admin'], 'sec-sup': ['supervisor'], 'sec-op': ['operator'] });
  await addOrg('organiser', 'Event organiser', 'event-organiser', { 'fest-admin': ['admin'], 'fest-op': ['operator', 'commander'] });
  await vigil.capabilities.city.service.registerSites(
    [{ ...SITE, name: 'Bank', category: 'building', footprintM2: null, levels: null, address: '1 Harbour Street', buildingType: null, source: 'test' }],
    org.city!,
    'system:test',
  );
  // The monitoring centre's panel (with its receiver account), a zone, and a camera at the bank.
  const devices = await as['marc-sup']!('POST', '/api/city/devices', {
    devices: [
      { id: 'marc-panel-1', kind: 'alarm-panel', label: 'Bank panel', position: SITE.position, siteId: SITE.id, account: 'C0FFEE', protocol: 'sia-dc09' },
      { id: 'marc-cam-1', kind: 'camera', label: 'Bank camera', position: SITE.position, siteId: SITE.id },
    ],
  });
  assert.equal(devices.status, 200, JSON.stringify(devices.json));
  const zones = await as['marc-sup']!('POST', '/api/city/zones', { zones: [{ id: 'marc-zone-1', siteId: SITE.id, number: 1, name: 'Vault' }] });
  assert.equal(zones.status, 200, JSON.stringify(zones.json));
});

after(async () => {
  await vigil?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("org isolation: another organisation's admin neither lists nor changes a monitoring centre's alarm accounts, devices and zones", async () => {
  const key = '00112233445566778899AABBCCDDEEFF';
  assert.equal((await as['marc-admin']!('PUT', '/api/alarms/accounts/C0FFEE', { key, supervisionSeconds: 3600 })).status, 200);
  assert.equal((await as['marc-admin']!('PUT', '/api/alarms/accounts/BEEF01', { supervisionSeconds: 600 })).status, 200);

  // The security firm's admin cannot swap the key or switch supervision off: not even found.
  for (const account of ['C0FFEE', 'BEEF01']) {
    const r = await as['sec-admin']!('PUT', `/api/alarms/accounts/${account}`, { key: null, supervisionSeconds: null });
    assert.equal(r.status, 404, `${account}: ${JSON.stringify(r.json)}`);
  }
  const mine = (await as['marc-admin']!('GET', '/api/alarms/accounts')).json.accounts as { account: string; hasKey: boolean; supervisionSeconds: number }[];
  assert.deepEqual(
    mine.filter((a) => a.account === 'C0FFEE').map((a) => [a.hasKey, a.supervisionSeconds]),
    [[true, 3600]],
    'the account is unchanged',
  );
  const theirs = (await as['sec-admin']!('GET', '/api/alarms/accounts')).json.accounts as { account: string }[];
  assert.deepEqual(
    theirs.map((a) => a.account),
    [],
    'no other organisation’s accounts are listed',
  );

  // Devices and zones: the same ids cannot be taken over, nor removed.
  const takeover = await as['sec-sup']!('POST', '/api/city/devices', {
    devices: [{ id: 'marc-panel-1', kind: 'alarm-panel', label: 'Mine now', position: SITE.position, siteId: SITE.id, account: null }],
  });
  assert.equal(takeover.status, 404, JSON.stringify(takeover.json));
  const zone = await as['sec-sup']!('POST', '/api/city/zones', { zones: [{ id: 'marc-zone-1', siteId: SITE.id, number: 1, name: 'Mine now' }] });
  assert.equal(zone.status, 404, JSON.stringify(zone.json));
  assert.equal((await as['sec-sup']!('POST', '/api/city/devices/remove', { deviceIds: ['marc-panel-1'] })).status, 404);
  const marcDevices = (await as['marc-sup']!('GET', '/api/city/devices')).json.devices as { id: string; orgId: string; label: string }[];
  assert.deepEqual(
    marcDevices.find((d) => d.id === 'marc-panel-1'),
    { ...marcDevices.find((d) => d.id === 'marc-panel-1'), orgId: org.marc, label: 'Bank panel' },
  );
  assert.equal(vigil.capabilities.city.service.state.zones.get('marc-zone-1')?.orgId, org.marc);
  assert.deepEqual(((await as['sec-sup']!('GET', '/api/city/devices')).json.devices as unknown[]).length, 0);
});

test('sharing for reading grants no writes: a partner cannot close incidents, change units or their positions, nor raise alarms on cameras; sharing to act can', async () => {
  const unit = await as['police-cmd']!('POST', '/api/units', { callSign: 'P-11', kind: 'police-car', capabilities: [], homePosition: SITE.position });
  assert.equal(unit.status, 201, JSON.stringify(unit.json));
  const unitId = (unit.json.unit ?? unit.json).unitId as string;
  const created = await as['police-op']!('POST', '/api/incidents', { type: 'intrusion', position: SITE.position, source: 'call' });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const incidentId = created.json.incident.incidentId as string;

  await share('police-admin', 'fire'); // read
  assert.equal((await as['fire-cmd']!('GET', `/api/incidents/${incidentId}`)).status, 200, 'shared for reading: the partner sees it');
  const close = await as['fire-cmd']!('POST', `/api/incidents/${incidentId}/status`, { status: 'closed', resolution: 'cancelled' });
  assert.equal(close.status, 403, JSON.stringify(close.json));
  assert.equal((await as['fire-cmd']!('POST', `/api/incidents/${incidentId}/take`)).status, 403);
  assert.equal((await as['fire-cmd']!('POST', `/api/incidents/${incidentId}/messages`, { channel: 'internal', text: 'we take it' })).status, 403);
  assert.equal((await as['fire-sup']!('POST', `/api/units/${unitId}/status`, { status: 'out-of-service' })).status, 403);
  const fix = await as['fire-sup']!('POST', `/api/units/${unitId}/positions`, { fixes: [{ lon: 7.41, lat: 43.73 }] });
  assert.equal(fix.status, 403, JSON.stringify(fix.json));

  await share('marc-admin', 'police'); // read
  const camera = await as['police-op']!('POST', '/api/alarms/webhooks/camera', { cameraId: 'marc-cam-1', event: 'intrusion' });
  assert.equal(camera.status, 403, JSON.stringify(camera.json));
  assert.equal(
    (await as['sec-op']!('POST', '/api/alarms/webhooks/camera', { cameraId: 'marc-cam-1', event: 'intrusion' })).status,
    404,
    'unrelated: not found',
  );

  const incident = vigil.capabilities.incidents.service.state.incidents.get(incidentId)!;
  assert.equal(incident.status, 'new', 'the incident was not closed');
  assert.equal(vigil.capabilities.units.service.unit(unitId)?.status, 'available', 'the unit was not changed');

  // Shared to act: the partner operates (status, positions, incident) but still does not configure.
  await share('police-admin', 'fire', 'act');
  assert.equal((await as['fire-sup']!('POST', `/api/units/${unitId}/status`, { status: 'out-of-service' })).status, 200);
  assert.equal((await as['fire-sup']!('POST', `/api/units/${unitId}/positions`, { fixes: [{ lon: 7.41, lat: 43.73 }] })).status, 202);
  const closed = await as['fire-cmd']!('POST', `/api/incidents/${incidentId}/status`, { status: 'closed', resolution: 'cancelled' });
  assert.equal(closed.status, 200, JSON.stringify(closed.json));
  const reconfigure = await as['fire-cmd']!('POST', '/api/units', {
    unitId,
    callSign: 'F-1',
    kind: 'police-car',
    capabilities: [],
    homePosition: SITE.position,
  });
  assert.equal(reconfigure.status, 403, JSON.stringify(reconfigure.json));
});

test('linked alarms: an incident cannot link alarms its organisation may not act on, and its readers see only the linked alarms they may read', async () => {
  const raised = await as['marc-op']!('POST', '/api/alarms/webhooks/camera', { cameraId: 'marc-cam-1', event: 'intrusion' });
  assert.equal(raised.status, 202, JSON.stringify(raised.json));
  let alarmId = '';
  await until(async () => {
    const alarms = (await as['marc-op']!('GET', '/api/alarms')).json.alarms as { alarmId: string; siteId: string }[];
    alarmId = alarms.find((a) => a.siteId === SITE.id)?.alarmId ?? '';
    return alarmId !== '';
  }, 'the camera alarm');

  // The security firm (unrelated to the centre) may not link it: not found.
  const foreign = await as['sec-op']!('POST', '/api/incidents', { type: 'intrusion', position: SITE.position, source: 'call', alarmIds: [alarmId] });
  assert.equal(foreign.status, 404, JSON.stringify(foreign.json));

  // The organiser acts for the centre (shared to act) and links it; it shares its incidents with the fire brigade for reading.
  await share('marc-admin', 'organiser', 'act');
  const linked = await as['fest-op']!('POST', '/api/incidents', { type: 'intrusion', position: SITE.position, source: 'call', alarmIds: [alarmId] });
  assert.equal(linked.status, 201, JSON.stringify(linked.json));
  await share('fest-admin', 'fire');
  const seen = await as['fire-cmd']!('GET', `/api/incidents/${linked.json.incident.incidentId as string}`);
  assert.equal(seen.status, 200);
  assert.deepEqual(seen.json.alarms, [], 'the centre’s alarm is not shown to an organisation the centre did not share with');
  assert.deepEqual(seen.json.incident.alarmIds, []);
  const own = await as['fest-op']!('GET', `/api/incidents/${linked.json.incident.incidentId as string}`);
  assert.deepEqual(
    (own.json.alarms as { alarmId: string }[]).map((a) => a.alarmId),
    [alarmId],
  );
});

test("city-wide data: only the platform organisation imports the city, its population and the cockpit's statistics and agreements", async () => {
  const population = { total: 1000, source: 'census' };
  const denied = [
    await as['sec-admin']!('POST', '/api/city/population', population),
    await as['sec-admin']!('POST', '/api/city/imports?name=evil.osm', '<osm version="0.6"></osm>', 'application/xml'),
    await as['sec-admin']!('POST', '/api/cockpit/statistics', { source: 'made up', format: 'json', records: [] }),
    await as['sec-admin']!('POST', '/api/cockpit/agreements', {
      name: 'Fake',
      provider: 'Me',
      periodKind: 'month',
      startsWith: '2026-01',
      clauses: [{ indicatorId: 'x', statistic: 'value', comparator: '<=', target: 1 }],
    }),
  ];
  for (const r of denied) assert.equal(r.status, 403, JSON.stringify(r.json));
  // The platform organisation passes the policy (its requests may still be refused on content).
  const platform = [
    await as['city-admin']!('POST', '/api/city/population', population),
    await as['city-analyst']!('POST', '/api/cockpit/statistics', { source: 'census office', format: 'json', records: [] }),
  ];
  for (const r of platform) assert.notEqual(r.status, 403, JSON.stringify(r.json));
  // Everyone signed in reads city-wide data.
  assert.equal((await as['sec-admin']!('GET', '/api/cockpit/agreements')).status, 200);
});

test('"need help" answers: only the alerting organisation reads where people live or work', async () => {
  const drafted = await as['city-officer']!('POST', '/api/alerts', flood);
  assert.equal(drafted.status, 201, JSON.stringify(drafted.json));
  const alertId = drafted.json.alert.alertId as string;
  const alerts = vigil.capabilities.alerts;
  const { subscriber } = await alerts.subscribers.register(
    { language: 'en-GB', email: 'resident@example.invalid', locations: [{ kind: 'home', lat: 43.729, lon: 7.416 }], consent: true },
    'test',
    org.city!,
  );
  await alerts.service.recordAnswer(alerts.service.state.alerts.get(alertId)!, subscriber.subscriberId, 'need-help');
  await share('city-admin', 'police');

  const places = async (who: string): Promise<unknown[]> => {
    const r = await as[who]!('GET', `/api/alerts/${alertId}`);
    assert.equal(r.status, 200, `${who}: ${JSON.stringify(r.json)}`);
    const needHelp = r.json.answers.needHelp as { recipientId: string; locations: unknown[] }[];
    assert.equal(needHelp.length, 1, `${who} sees that someone needs help`);
    return needHelp[0]!.locations;
  };
  assert.equal((await places('city-officer')).length, 1, 'the alerting organisation sees the place');
  assert.deepEqual(await places('police-cmd'), [], 'a partner the alerts are shared with does not');
  assert.equal((await as['sec-admin']!('GET', `/api/alerts/${alertId}`)).status, 404, 'an unrelated organisation does not see the alert at all');
});
