import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Area } from '../../city/contract.js';
import type { CapAlert } from '../cap/cap-model.js';
import type { Channel } from '../model.js';
import type { AlertAuthority } from './authority-model.js';
import { outsideAuthority } from './authority-check.js';

const ring = (lon: number, lat: number, d: number): [number, number][] => [
  [lon, lat],
  [lon + d, lat],
  [lon + d, lat + d],
  [lon, lat + d],
  [lon, lat],
];
const area = (id: string, name: string, level: Area['level'], r: [number, number][] | null): Area => ({
  id,
  name,
  level,
  geometry: r ? { type: 'MultiPolygon', coordinates: [[r]] } : null,
  center: r ? r[0]! : [7.42, 43.73],
  areaM2: null,
  repaired: false,
  source: 'test',
  orgId: 'org_city',
});
const AREAS = new Map<string, Area>([
  ['a_city', area('a_city', 'City', 'city', ring(7.4, 43.7, 0.1))],
  ['a_port', area('a_port', 'Port', 'neighbourhood', ring(7.42, 43.73, 0.01))],
  ['a_place', area('a_place', 'Old Town', 'neighbourhood', null)],
]);
const grant = (over: Partial<AlertAuthority> = {}): AlertAuthority => ({
  grantId: 'aut_1',
  orgId: 'org_fire',
  areas: [
    { kind: 'city-area', areaId: 'a_port', name: 'Port' },
    { kind: 'city-area', areaId: 'a_place', name: 'Old Town' },
  ],
  categories: ['Fire'],
  eventCodes: [],
  channels: ['sms'],
  note: '',
  grantedBy: 'user:root',
  grantedAt: '2026-01-01T00:00:00Z',
  ...over,
});
const alert = (
  areas: NonNullable<CapAlert['info']>[number]['area'],
  extra: Partial<NonNullable<CapAlert['info']>[number]> = {},
  channels: Channel[] = ['sms'],
) => ({
  channels,
  cap: {
    identifier: 'x',
    sender: 's',
    sent: '2026-01-01T00:00:00+00:00',
    status: 'Actual',
    msgType: 'Alert',
    scope: 'Public',
    info: [{ category: ['Fire'], event: 'Fire', urgency: 'Immediate', severity: 'Severe', certainty: 'Observed', area: areas, ...extra }],
  } as CapAlert,
});

test('a circle inside the granted neighbourhood is within; one whose rim crosses out is not', () => {
  assert.equal(outsideAuthority(alert([{ areaDesc: 'Quay', circle: ['43.735,7.425 0.2'] }]), grant(), AREAS), null);
  assert.match(
    outsideAuthority(alert([{ areaDesc: 'Quay', circle: ['43.735,7.425 1'] }]), grant(), AREAS)!,
    /area "Quay" reaches outside the granted areas \(Port, Old Town\)/,
  );
});

test('a polygon traced along the boundary (rounded) is within; a named place matches by name only', () => {
  const traced = ring(7.42, 43.73, 0.01)
    .map(([lon, lat]) => `${(lat - 0.0001).toFixed(4)},${(lon - 0.0001).toFixed(4)}`)
    .join(' ');
  assert.equal(outsideAuthority(alert([{ areaDesc: 'Port', polygon: [traced] }]), grant(), AREAS), null, 'about 11 m outside: tolerated');
  assert.equal(outsideAuthority(alert([{ areaDesc: 'old town' }]), grant(), AREAS), null);
  assert.match(outsideAuthority(alert([{ areaDesc: 'Casino' }]), grant(), AREAS)!, /"Casino" has no geometry and is not a granted area/);
  assert.match(outsideAuthority(alert(undefined), grant(), AREAS)!, /without an area reaches the whole city/);
});

test('the city area covers everything; categories, event codes and channels are checked', () => {
  const wholeCity = grant({ areas: [{ kind: 'city-area', areaId: 'a_city', name: 'City' }] });
  assert.equal(outsideAuthority(alert(undefined), wholeCity, AREAS), null);
  assert.match(outsideAuthority(alert(undefined, { category: ['Met'] }), wholeCity, AREAS)!, /category Met is not granted \(granted: Fire\)/);
  assert.match(outsideAuthority(alert(undefined, {}, ['sms', 'sirens']), wholeCity, AREAS)!, /channel sirens is not granted/);
  const coded = grant({ areas: wholeCity.areas, eventCodes: ['FRW'] });
  assert.match(outsideAuthority(alert(undefined), coded, AREAS)!, /carries no granted event code \(granted: FRW; given: none\)/);
  assert.equal(outsideAuthority(alert(undefined, { eventCode: [{ valueName: 'SAME', value: 'FRW' }] }), coded, AREAS), null);
});

test('a drawn polygon grant, and an area gone from the city, cover what they say', () => {
  const drawn = grant({ areas: [{ kind: 'polygon', name: 'Stadium', ring: ring(7.45, 43.72, 0.005) }] });
  assert.equal(outsideAuthority(alert([{ areaDesc: 'Stadium', circle: ['43.7225,7.4525 0.1'] }]), drawn, AREAS), null);
  const gone = grant({ areas: [{ kind: 'city-area', areaId: 'a_removed', name: 'Removed' }] });
  assert.match(outsideAuthority(alert([{ areaDesc: 'Quay', circle: ['43.735,7.425 0.2'] }]), gone, AREAS)!, /outside the granted areas \(Removed\)/);
});
