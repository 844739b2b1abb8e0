import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PUBLIC_PRINCIPAL, type Principal } from '../platform/access.js';
import { indexDirectory, nameOf, siteDisplayName } from './contract.js';
import { DirectoryService, type DirectorySources } from './directory-service.js';

const principal = (orgId: string, visible: string[] = []): Principal => ({
  kind: 'user',
  actor: `user:u-${orgId}`,
  userId: `u-${orgId}`,
  orgId,
  roles: ['operator'],
  authLevel: 1,
  displayName: orgId,
  visibleOrgIds: new Set([orgId, ...visible]),
  actableOrgIds: new Set([orgId]),
  platformOrg: orgId === 'city',
});

const sources: DirectorySources = {
  users: () => [
    { id: 'u1', displayName: 'Olivia Operator', orgId: 'marc' },
    { id: 'u2', displayName: 'Chris Commander', orgId: 'police' },
    { id: 'u3', displayName: 'Alex Alert-Officer', orgId: 'city' },
  ],
  orgs: () => [
    { id: 'marc', name: 'Monaco Alarm Centre' },
    { id: 'police', name: 'Police' },
    { id: 'city', name: 'City' },
  ],
  platformOrgId: () => 'city',
  sites: () => [
    { id: 'site:osm:node/1', name: 'Hôtel de Paris', address: null, category: 'hotel', areaId: 'a1' },
    { id: 'site:osm:way/2', name: null, address: null, category: 'building', areaId: 'a1' },
    { id: 'site:osm:way/3', name: null, address: null, category: 'building', areaId: 'a1' },
  ],
  areaName: (id) => (id === 'a1' ? 'Monte-Carlo' : null),
  devices: () => [
    { id: 'dev:camera:1', label: 'Site camera — Hôtel de Paris', orgId: 'marc', siteId: 'site:osm:node/1' },
    { id: 'dev:siren:2', label: 'Siren — building in Monte-Carlo', orgId: 'city', siteId: 'site:osm:way/2' },
  ],
  units: (p) => (p.orgId === 'police' ? [{ unitId: 'unt_1', callSign: 'PM-12', orgId: 'police' }] : []),
  // As the incident policy answers: the police reads its own incident, the alarm centre the one it raised.
  incidents: (p) =>
    [
      { incidentId: 'inc_police', title: 'Break-in at the Hôtel de Paris', orgId: 'police', readers: ['police', 'city'] },
      { incidentId: 'inc_marc', title: 'Fire alarm at Port Hercule', orgId: 'police', readers: ['police', 'marc'] },
    ].filter((i) => i.readers.includes(p.orgId ?? '')),
};

test('the directory names what the policy lets the principal read, and the platform staff to everyone', () => {
  const service = new DirectoryService(sources);
  const marc = service.for(principal('marc'));
  assert.deepEqual(marc.users.map((u) => u.name).sort(), ['Alex Alert-Officer', 'Olivia Operator']);
  assert.deepEqual(
    marc.devices.map((d) => d.id),
    ['dev:camera:1'],
  );
  // Named sites, and unnamed ones only when a visible device stands there.
  assert.deepEqual(
    marc.sites.map((s) => s.name),
    ['Hôtel de Paris'],
  );
  const city = service.for(principal('city'));
  assert.deepEqual(
    city.sites.map((s) => s.name),
    ['Hôtel de Paris', 'building in Monte-Carlo'],
  );
  const sharedWithPolice = service.for(principal('police', ['marc']));
  assert.deepEqual(sharedWithPolice.users.map((u) => u.name).sort(), ['Alex Alert-Officer', 'Chris Commander', 'Olivia Operator']);
  assert.deepEqual(sharedWithPolice.units, [{ id: 'unt_1', name: 'PM-12', orgId: 'police' }]);
  const nobody = service.for(PUBLIC_PRINCIPAL);
  assert.deepEqual(nobody, { users: [], orgs: [], sites: [], devices: [], units: [], incidents: [] });
});

test("an incident's title is in the directory only for a principal that may read the incident", () => {
  const service = new DirectoryService(sources);
  const marc = indexDirectory(service.for(principal('marc')));
  assert.equal(marc.incident('inc_marc'), 'Fire alarm at Port Hercule');
  assert.equal(marc.incident('inc_police'), null, "the police's own incident: no title for the alarm centre");
  assert.ok(!JSON.stringify(service.for(principal('marc'))).includes('Break-in'), 'the title never leaves the server for it');
  const police = indexDirectory(service.for(principal('police')));
  assert.equal(police.incident('inc_police'), 'Break-in at the Hôtel de Paris');
  assert.equal(police.incident('inc_marc'), 'Fire alarm at Port Hercule');
  assert.deepEqual(service.for(PUBLIC_PRINCIPAL).incidents, []);
  // An older node's directory without incidents still indexes.
  const { incidents: _none, ...older } = service.for(principal('police'));
  assert.equal(indexDirectory(older as never).incident('inc_police'), null);
});

test('nameOf resolves every reference form and never returns an id', () => {
  const dir = indexDirectory(new DirectoryService(sources).for(principal('police', ['marc'])));
  assert.equal(nameOf(dir, 'user:u1'), 'Olivia Operator');
  assert.equal(nameOf(dir, 'u2'), 'Chris Commander');
  assert.equal(nameOf(dir, 'site:osm:node/1'), 'Hôtel de Paris');
  assert.equal(nameOf(dir, 'dev:camera:1'), 'Site camera — Hôtel de Paris');
  assert.equal(nameOf(dir, 'unit:unt_1'), 'PM-12');
  assert.equal(nameOf(dir, 'system:demo'), 'Vigil');
  assert.equal(nameOf(dir, 'apikey:key_1'), 'an API key');
  assert.equal(nameOf(dir, 'user:usr_unknown'), 'someone');
  assert.equal(siteDisplayName({ name: null, address: '2 rue Grimaldi', category: 'building' }, 'La Condamine'), '2 rue Grimaldi');
  // Whatever the reference, the answer is a known name or a neutral word: the reference itself never comes back.
  const known = new Set([
    'Olivia Operator',
    'Chris Commander',
    'Alex Alert-Officer',
    'Hôtel de Paris',
    'Site camera — Hôtel de Paris',
    'PM-12',
    'Police',
    'Monaco Alarm Centre',
    'City',
    'Vigil',
    'someone',
    'an API key',
    'a member of the public',
  ]);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.constantFrom('user:', 'site:', 'dev:', 'unit:', 'org:', 'apikey:').chain((p) => fc.string().map((s) => p + s)),
      ),
      (ref) => {
        assert.ok(known.has(nameOf(dir, ref)), ref);
      },
    ),
  );
});
