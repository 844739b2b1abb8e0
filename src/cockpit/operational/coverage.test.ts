import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Area, Device, Site } from '../../city/contract.js';
import type { Subscriber } from '../../alerts/contract.js';
import { AreaIndex } from '../engine/area-index.js';
import { computeCoverage } from './warning-coverage.js';
import { testArea } from '../../../test/support/cockpit-fixtures.js';

const area = (id: string, level: Area['level']): Area => testArea(id, level, { source: 't' });
const site = (id: string, areaId: string, residents: number, position: [number, number]): Site => ({
  id,
  name: id,
  category: 'building',
  position,
  footprintM2: 100,
  levels: 4,
  address: null,
  areaId,
  buildingType: 'apartments',
  residents,
  source: 't',
});
const sub = (id: string, position: [number, number], channels: { email?: boolean; phone?: boolean; push?: boolean }): Subscriber => ({
  subscriberId: id,
  name: null,
  language: 'fr',
  locations: [{ kind: 'home', position }],
  email: channels.email ? `${id}@example.invalid` : null,
  phone: channels.phone ? '+37799000000' : null,
  push: channels.push ? { endpoint: 'https://push.example.invalid/x', keys: { p256dh: 'k', auth: 'a' } } : null,
  consentAt: '2026-01-01T00:00:00Z',
  consentSource: 'test',
});

test('warning coverage by independent channel classes, hand-computed, population-weighted by summing', () => {
  // Site A (100 residents) is 100 m from a siren; site B (50) is 2 km away from anything; both in North. Site C (10) in South, no siren.
  const A: [number, number] = [7.42, 43.73];
  const B: [number, number] = [7.445, 43.73];
  const C: [number, number] = [7.4, 43.72];
  const sites = new Map([site('A', 'north', 100, A), site('B', 'north', 50, B), site('C', 'south', 10, C)].map((s) => [s.id, s]));
  const areas = new Map([area('city', 'city'), area('north', 'neighbourhood'), area('south', 'neighbourhood')].map((a) => [a.id, a]));
  const siren: Device = {
    id: 'sir1',
    kind: 'siren',
    label: 's',
    siteId: null,
    zoneId: null,
    position: [7.4212, 43.73],
    orgId: 'o',
    account: null,
    protocol: 'mqtt',
    parentId: null,
  };
  const subs = [
    sub('a1', A, { email: true }), // A: hears the siren + internet → 2 classes
    sub('a2', A, { email: true, push: true }), // e-mail and push share the internet class: still 1 personal class, + siren → 2
    sub('b1', B, { email: true, phone: true }), // B: internet + cellular → 2 classes
    sub('b2', B, { push: true }), // B: 1 class, no siren → reached, but not twice
    sub('c1', C, { phone: true }),
    sub('far', [7.5, 43.8], { email: true, phone: true }), // not at any building
  ];
  const cov = computeCoverage(sites.values(), [siren], subs, new AreaIndex({ areas, sites }), '2026-12-01T00:00:00Z');
  assert.equal(cov.subscribersMatched, 5);
  // A: warned1 = 100 (siren), warned2 = min(100, 2 subscribers with a personal class) = 2.
  assert.deepEqual(cov.rows.get('A'), { residents: 100, warned1: 100, warned2: 2 });
  // B: warned1 = 2 subscribers, warned2 = 1 (b1).
  assert.deepEqual(cov.rows.get('B'), { residents: 50, warned1: 2, warned2: 1 });
  assert.deepEqual(cov.rows.get('C'), { residents: 10, warned1: 1, warned2: 0 });
  // North = A + B: 150 residents, 102 reached once, 3 twice — Σ covered / Σ residents, not the mean of site shares.
  assert.deepEqual(cov.rows.get('north'), { residents: 150, warned1: 102, warned2: 3 });
  assert.deepEqual(cov.rows.get('city'), { residents: 160, warned1: 103, warned2: 3 });
});
