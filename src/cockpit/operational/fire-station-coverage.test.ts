import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SubscribersState } from '../../alerts/index.js';
import { CityState } from '../../city/index.js';
import type { Area, Site } from '../../city/contract.js';
import type { Position } from '../../kernel/geo.js';
import { storedEvents, testArea } from '../../../test/support/cockpit-fixtures.js';
import { buildRoadGraph } from '../../routing/index.js';
import { Router } from '../../routing/index.js';
import { osmOf } from '../../routing/test-support.js';
import { CockpitState } from '../cockpit-state.js';
import { evaluate } from '../engine/evaluate.js';
import { parsePeriod } from '../engine/zone-calendar.js';
import { FireStationCoverageFeed, fireStationCoverage } from './fire-station-coverage.js';

// A road due north from the station: nodes every 0.009° of latitude (1 000.8 m), maxspeed 40 → 36 km/h = 10 m/s → ≈ 100 s per node.
const LON = 7.42;
const node = (i: number): Position => [LON, 43.7 + 0.009 * i];
const beside = (i: number): Position => [LON + 0.0002, 43.7 + 0.009 * i]; // 16 m east of node i
const osm = osmOf({ 1: node(0), 2: node(1), 3: node(2), 4: node(3), 5: node(4) }, [[10, [1, 2, 3, 4, 5], { highway: 'residential', maxspeed: '40' }]]);

const area = (id: string, level: Area['level']): Area => testArea(id, level, { center: node(1) });
const site = (id: string, areaId: string, residents: number | null, position: Position, category: Site['category'] = 'building'): Site => ({
  id,
  name: id,
  category,
  position,
  footprintM2: 100,
  levels: 4,
  address: null,
  areaId,
  buildingType: category === 'building' ? 'apartments' : null,
  residents,
  source: 'test',
});

function cityWith(sites: Site[]): CityState {
  const city = new CityState();
  const event = storedEvents(Date.UTC(2026, 0, 1));
  for (const a of [area('city', 'city'), area('north', 'neighbourhood'), area('south', 'neighbourhood')])
    city.apply(event('city.area.defined', { ...a, importId: 't' }));
  city.apply(event('city.sites.registered', { importId: 't', sites }));
  return city;
}

const SITES = [
  site('station', 'north', null, beside(0), 'fire-station'),
  site('S0', 'north', 10, beside(0)), // 0 s
  site('S1', 'north', 20, beside(1)), // ≈ 100 s
  site('S2', 'south', 30, beside(2)), // ≈ 200 s
  site('S3', 'south', 40, beside(3)), // ≈ 300 s: beyond 4 minutes
  site('S4', 'south', 5, [LON + 0.05, 43.7]), // 4 km from any road: off the graph
];

test('population within 4 minutes of a fire station: per building, neighbourhood and city, Σ reached / Σ residents', async () => {
  const router = new Router(buildRoadGraph(osm, 'car'));
  const cov = (await fireStationCoverage(router, SITES, 4, '2026-06-01T00:00:00Z'))!;
  assert.deepEqual([...cov.covered].sort(), ['S0', 'S1', 'S2']);
  assert.equal(cov.unroutable, 1);
  assert.equal(cov.residentialSites, 5);

  const city = cityWith(SITES);
  const state = new CockpitState(city, new SubscribersState(), 'Europe/Monaco', () => Date.UTC(2026, 5, 1));
  const src = () => state.sources();
  const def = state.catalogue.byId.get('iso37123.population-near-fire-station')!;
  const value = (id: string) => evaluate(src(), def, id, parsePeriod('2026')!)!;
  assert.equal(value('city').value, null, 'no value before the routing engine gave one');
  state.setFireStationCoverage(cov.minutes, cov.covered, cov.ref);
  // North: S0 + S1 = 30 of 30 → 100 %. South: S2 = 30 of 30 + 40 + 5 = 75 → 40 %. City: 60 of 105 → 57.142857 %
  // (the mean of the neighbourhood shares would be 70 %).
  assert.equal(value('north').value, 100);
  assert.equal(value('south').value, 40);
  assert.ok(Math.abs(value('city').value! - (100 * 60) / 105) < 1e-9);
  assert.deepEqual([value('city').numerator!.value, value('city').denominator!.value], [60, 105]);
  assert.equal(value('S2').value, 100);
  assert.equal(value('S3').value, 0);
  assert.match(
    value('city')
      .provenance.map((p) => p.refs.join(' '))
      .join(' '),
    /fire-station-coverage@2026-06-01.*4 min by car/,
  );
});

test('the feed recomputes with the weights of the moment: a closure between the station and S1 leaves only S0 covered', async () => {
  const router = new Router(buildRoadGraph(osm, 'car'));
  const city = cityWith(SITES);
  const state = new CockpitState(city, new SubscribersState(), 'Europe/Monaco', () => Date.UTC(2026, 5, 1));
  const errors: unknown[] = [];
  let ready = false;
  const feed = new FireStationCoverageFeed({
    router: () => (ready ? router : null),
    sites: () => city.sites.values(),
    now: () => Date.UTC(2026, 5, 1),
    minutes: 4,
    debounceMs: 10,
    apply: (c) => (c ? state.setFireStationCoverage(c.minutes, c.covered, c.ref) : state.clearFireStationCoverage()),
    onError: (e) => errors.push(e),
  });
  assert.equal(await feed.run(), null, 'nothing while the road graph is being built');
  ready = true;
  assert.equal((await feed.run())!.covered.size, 3);
  // Close both directions of the first road segment (node 0 → node 1).
  const g = router.graph;
  const first: number[] = [];
  for (let s = 0; s < g.segmentCount; s++) if ((g.segFrom[s] === 0 && g.segTo[s] === 1) || (g.segFrom[s] === 1 && g.segTo[s] === 0)) first.push(s);
  assert.equal(first.length, 2);
  router.weights.close(first);
  assert.deepEqual([...(await feed.run())!.covered], ['S0']);
  const def = state.catalogue.byId.get('iso37123.population-near-fire-station')!;
  assert.ok(Math.abs(evaluate(state.sources(), def, 'city', parsePeriod('2026')!)!.value! - (100 * 10) / 105) < 1e-9);
  // No fire station any more: no value, rather than 0 %.
  const noStation = new FireStationCoverageFeed({
    router: () => router,
    sites: () => SITES.filter((s) => s.category !== 'fire-station'),
    now: () => 0,
    minutes: 4,
    debounceMs: 10,
    apply: (c) => (c ? state.setFireStationCoverage(c.minutes, c.covered, c.ref) : state.clearFireStationCoverage()),
    onError: (e) => errors.push(e),
  });
  assert.equal(await noStation.run(), null);
  assert.equal(evaluate(state.sources(), def, 'city', parsePeriod('2026')!)!.value, null);
  assert.deepEqual(errors, []);
});
