import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SubscribersState } from '../../alerts/index.js';
import { CityState } from '../../city/index.js';
import { CockpitState } from '../cockpit-state.js';
import { evaluate } from '../engine/evaluate.js';
import { parsePeriod } from '../engine/zone-calendar.js';
import { storedEvents, testArea } from '../../../test/support/cockpit-fixtures.js';

const area = testArea;
const T0 = Date.UTC(2026, 4, 10, 12);
const event = storedEvents(T0);

test("alert delivery reach and time to 90 % per neighbourhood, district and city from the queued recipients' areas, hand-computed", () => {
  const city = new CityState();
  for (const a of [
    area('city', 'city'),
    area('D', 'district', { neighbourhoodIds: ['north', 'south'] }),
    area('north', 'neighbourhood'),
    area('south', 'neighbourhood'),
    area('east', 'neighbourhood'),
  ]) {
    city.apply(event('city.area.defined', { ...a, importId: 't' }));
  }
  const state = new CockpitState(city, new SubscribersState(), 'UTC', () => T0);
  const refs = { north: { id: 'north', name: 'north' }, south: { id: 'south', name: 'south' }, east: { id: 'east', name: 'east' } };
  const s = (sec: number) => T0 + sec * 1000;
  const events = [
    // Alert A, e-mail: r0 r1 r2 in north, r3 r4 in south, r5 in no neighbourhood.
    event('alerts.alert.issued', { alertId: 'A', sent: new Date(T0).toISOString() }),
    event('alerts.delivery.queued', {
      alertId: 'A',
      channel: 'email',
      first: 0,
      recipients: ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'],
      area: [0, 0, 0, 1, 1, -1],
      areas: [refs.north, refs.south, refs.east],
    }),
    event('alerts.delivery.progressed', { alertId: 'A', channel: 'email', sent: [0, 2, 3, 1] }, s(10)), // north 2 of 3, south 1 of 2
    event('alerts.delivery.progressed', { alertId: 'A', channel: 'email', sent: [2, 1] }, s(30)), // north 3 of 3: 90 % at 30 s
    event('alerts.delivery.progressed', { alertId: 'A', channel: 'email', sent: [5, 1] }, s(50)), // r5: placed nowhere
    event('alerts.delivery.progressed', { alertId: 'A', channel: 'email', sent: [0, 1] }, s(55)), // r0 reported again: counted once
    // Alert B, SMS: two recipients in north, both sent at 5 s.
    event('alerts.alert.issued', { alertId: 'B', sent: new Date(T0 + 3_600_000).toISOString() }, T0 + 3_600_000),
    event('alerts.delivery.queued', { alertId: 'B', channel: 'sms', first: 0, recipients: ['q0', 'q1'], area: [0, 0], areas: [refs.north] }, T0 + 3_600_000),
    event('alerts.delivery.progressed', { alertId: 'B', channel: 'sms', sent: [0, 2] }, T0 + 3_605_000),
    // A replayed queue batch (same positions) changes nothing.
    event('alerts.delivery.queued', { alertId: 'B', channel: 'sms', first: 0, recipients: ['q0', 'q1'], area: [0, 0], areas: [refs.north] }, T0 + 3_606_000),
  ];
  for (const e of events) state.apply(e);
  const src = state.sources();
  const period = parsePeriod('2026-05')!;
  const reach = (id: string) => evaluate(src, state.catalogue.byId.get('vigil.alert-reach-by-area')!, id, period)!;
  const speed = (id: string) => evaluate(src, state.catalogue.byId.get('vigil.alert-time-to-90-by-area')!, id, period)!;
  const terms = (id: string) => [reach(id).numerator!.value, reach(id).denominator!.value];
  assert.deepEqual(terms('north'), [3 + 2, 3 + 2]);
  assert.deepEqual(terms('south'), [1, 2]);
  assert.equal(reach('south').value, 50);
  assert.deepEqual(terms('east'), [0, 0]);
  assert.equal(reach('east').value, null, 'nobody queued there: unknown, not 0 %');
  assert.deepEqual(terms('D'), [6, 7], 'the district sums its neighbourhoods');
  assert.deepEqual(terms('city'), [6, 7], 'r5, placed in no neighbourhood, is not in the per-area figures');
  // Time to 90 %: north A 30 s, north B 5 s; south never reached 90 %.
  assert.deepEqual([speed('north').count, speed('north').percentiles!.p50], [2, 17.5]);
  assert.equal(speed('south').count, 0);
  assert.equal(speed('D').percentiles!.p50, 17.5);
  assert.ok(Math.abs(speed('city').percentiles!.p90! - (5 + 0.9 * 25)) < 1e-9, 'R-7 over the raw samples 5 and 30');
  // A city re-import recounts along the chains without doubling anything.
  state.apply(event('city.area.defined', { ...area('east', 'neighbourhood'), importId: 't2' }));
  assert.deepEqual([reach('D').numerator!.value, reach('D').denominator!.value], [6, 7]);
  assert.equal(evaluate(state.sources(), state.catalogue.byId.get('vigil.alert-time-to-90-by-area')!, 'city', period)!.count, 2);
});
