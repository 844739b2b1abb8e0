import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Area, Site } from '../../city/contract.js';
import { loadCatalogue } from '../catalogue.js';
import { AreaIndex } from './area-index.js';
import { evaluate, type EvaluationSources } from './evaluate.js';
import { MeasureStore } from './measure-store.js';
import { SortedRun, kthOfRuns, percentileOfArray, percentileOfRuns } from './sorted-run.js';
import { StatisticsTable } from './statistics-table.js';
import { ZoneCalendar, parsePeriod } from './zone-calendar.js';
import { testArea } from '../../../test/support/cockpit-fixtures.js';

const area = (id: string, level: Area['level']): Area => testArea(id, level, { orgId: 'org' });
const site = (id: string, areaId: string, residents: number): Site => ({
  id,
  name: id,
  category: 'building',
  position: [7.42, 43.73],
  footprintM2: 100,
  levels: 3,
  address: null,
  areaId,
  buildingType: 'apartments',
  residents,
  source: 'test',
});

/** A city of two neighbourhoods: North (sites n1, n2) and South (site s1). */
function tinyCity() {
  const areas = new Map([area('city', 'city'), area('north', 'neighbourhood'), area('south', 'neighbourhood')].map((a) => [a.id, a]));
  const sites = new Map([site('n1', 'north', 100), site('n2', 'north', 900), site('s1', 'south', 1000)].map((s) => [s.id, s]));
  return { areas, sites };
}

function sources(): EvaluationSources & { measures: MeasureStore; statistics: StatisticsTable } {
  const city = tinyCity();
  const index = new AreaIndex(city);
  return {
    catalogue: loadCatalogue(),
    index,
    measures: new MeasureStore(index),
    statistics: new StatisticsTable(),
    snapshots: { value: () => null },
    modelPopulation: (id) => {
      const sum = index.subtree(id).reduce((s, n) => s + (city.sites.get(n)?.residents ?? 0), 0);
      return sum ? { value: sum, ref: 'city-model:test' } : null;
    },
  };
}

const MARCH = 2026 * 12 + 2;

test('the area tree: site → neighbourhood → city, children for drill-down', () => {
  const index = new AreaIndex(tinyCity());
  assert.deepEqual(index.nodes.get('n2')!.chain, ['n2', 'north', 'city']);
  assert.deepEqual(index.nodes.get('city')!.children.sort(), ['north', 'south']);
  assert.deepEqual(
    index
      .atLevel('site', 'north')
      .map((n) => n.id)
      .sort(),
    ['n1', 'n2'],
  );
  assert.deepEqual(index.chainFor(null, 'south'), ['south', 'city']);
  assert.deepEqual(index.chainFor(null, null), ['city']);
});

test('false-alarm rate is a ratio of sums, not an average of ratios (hand-computed)', () => {
  const src = sources();
  const def = src.catalogue.byId.get('vigil.false-alarm-rate')!;
  // n1: 1 alarm closed, 1 false (100 %); n2: 9 closed, 0 false (0 %); s1: 10 closed, 5 false (50 %).
  const close = (siteId: string, closed: number, falses: number) => {
    const chain = src.index.nodes.get(siteId)!.chain;
    for (let i = 0; i < closed; i++) {
      src.measures.add('alarms-closed', 'flow', chain, MARCH, 1, `evt-${siteId}-${i}`);
      if (i < falses) src.measures.add('alarms-false', 'flow', chain, MARCH, 1, `evt-${siteId}-${i}`);
    }
  };
  close('n1', 1, 1);
  close('n2', 9, 0);
  close('s1', 10, 5);
  const march = parsePeriod('2026-03')!;
  const north = evaluate(src, def, 'north', march)!;
  assert.equal(north.value, 10, "North: 1 false of 10 closed = 10 % (the average of its sites' rates would be 50 %)");
  assert.deepEqual([north.numerator!.value, north.denominator!.value], [1, 10]);
  assert.equal(
    evaluate(src, def, 'city', march)!.value,
    30,
    'city: 6 of 20 = 30 % (average of neighbourhood rates would be 30 % only by chance: (10 + 50) / 2)',
  );
  assert.equal(evaluate(src, def, 'n1', march)!.value, 100);
  // The same figures for the quarter and the year; nothing in April.
  assert.equal(evaluate(src, def, 'city', parsePeriod('2026-Q1')!)!.value, 30);
  assert.equal(evaluate(src, def, 'city', parsePeriod('2026')!)!.value, 30);
  assert.equal(evaluate(src, def, 'city', parsePeriod('2026-04')!)!.value, null, '0 / 0 is unknown, not 0 %');
  // Provenance: the events behind North's value.
  const withRefs = evaluate(src, def, 'north', march, 100)!;
  const closedRefs = withRefs.provenance.find((p) => p.variable === 'alarms-closed')!;
  assert.equal(closedRefs.total, 10);
  assert.ok(closedRefs.refs.includes('evt-n1-0') && closedRefs.refs.includes('evt-n2-8'));
});

test("the median of a neighbourhood is the median of its raw values, not the median of its sites' medians", () => {
  const src = sources();
  const def = src.catalogue.byId.get('vigil.alarm-ack-time')!;
  const ack = (siteId: string, seconds: number[], month = MARCH) =>
    seconds.forEach((s, i) => src.measures.add('alarm-ack-seconds', 'distribution', src.index.nodes.get(siteId)!.chain, month, s, `ack-${siteId}-${i}`));
  ack('n1', [10, 20, 30]); // median 20
  ack('n2', [40, 50, 60, 70, 80]); // median 60
  ack('s1', [5]);
  const march = parsePeriod('2026-03')!;
  const north = evaluate(src, def, 'north', march)!;
  // Raw North values: 10 20 30 40 50 60 70 80 → median (R-7) = 45; the median of medians (20, 60) would be 40.
  assert.equal(north.percentiles!.p50, 45);
  // p90: h = 7 × 0.9 = 6.3 → 70 + 0.3 × (80 − 70) = 73.
  assert.ok(Math.abs(north.percentiles!.p90! - 73) < 1e-9);
  assert.equal(north.count, 8);
  // City: 5 10 20 30 40 50 60 70 80 → median 40, p90: h = 7.2 → 70 + 0.2 × 10 = 72.
  const city = evaluate(src, def, 'city', march)!;
  assert.equal(city.percentiles!.p50, 40);
  assert.ok(Math.abs(city.percentiles!.p90! - 72) < 1e-9);
  // A value in another month of the quarter joins the quarter's percentile, not March's.
  ack('s1', [1000], MARCH - 1);
  assert.equal(evaluate(src, def, 'city', march)!.percentiles!.p50, 40);
  assert.equal(evaluate(src, def, 'city', parsePeriod('2026-Q1')!)!.percentiles!.p50, 45, '5 10 20 30 40 50 60 70 80 1000 → (40 + 50) / 2');
});

test('per-capita statistics: imported counts over population, summed only when every sub-area is known', () => {
  const src = sources();
  const def = src.catalogue.byId.get('iso37120.fire-deaths-per-100k')!;
  const year = parsePeriod('2025')!;
  src.statistics.put({ recordId: 'imp1:1', variable: 'fire-deaths', areaId: 'north', period: '2025', value: 2 });
  // Population from the city model when none was imported: North 1 000 residents → 200 per 100 000.
  const north = evaluate(src, def, 'north', year)!;
  assert.equal(north.value, 200);
  assert.equal(north.provenance.find((p) => p.variable === 'population')!.kind, 'city-model');
  assert.equal(evaluate(src, def, 'city', year)!.value, null, 'South unknown: no partial city sum');
  // South's deaths come as four quarters: summed to the year.
  ['Q1', 'Q2', 'Q3', 'Q4'].forEach((q, i) =>
    src.statistics.put({ recordId: `imp2:${i + 1}`, variable: 'fire-deaths', areaId: 'south', period: `2025-${q}`, value: 1 }),
  );
  src.statistics.put({ recordId: 'imp3:1', variable: 'population', areaId: 'city', period: '2025', value: 3000 });
  const city = evaluate(src, def, 'city', year)!;
  assert.equal(city.value, 200, '(2 + 4) deaths / 3 000 imported residents × 100 000');
  assert.deepEqual(city.provenance.find((p) => p.variable === 'fire-deaths')!.refs.sort(), ['imp1:1', 'imp2:1', 'imp2:2', 'imp2:3', 'imp2:4']);
  assert.deepEqual(city.provenance.find((p) => p.variable === 'population')!.refs, ['imp3:1']);
  // A stock (firefighters) is never summed over quarters.
  src.statistics.put({ recordId: 'imp4:1', variable: 'firefighters', areaId: 'city', period: '2025-Q1', value: 90 });
  assert.equal(evaluate(src, src.catalogue.byId.get('iso37120.firefighters-per-100k')!, 'city', year)!.value, null);
});

test('reindexing after a city change recounts the raw samples along the new chains', () => {
  const src = sources();
  src.measures.add('alarms-closed', 'flow', src.index.nodes.get('n1')!.chain, MARCH, 1, 'e1');
  const moved = tinyCity();
  moved.sites.set('n1', { ...moved.sites.get('n1')!, areaId: 'south' });
  const index = new AreaIndex(moved);
  src.measures.reindex(index);
  assert.equal(src.measures.sum('alarms-closed', 'south', [MARCH]).sum, 1);
  assert.equal(src.measures.sum('alarms-closed', 'north', [MARCH]).sum, 0);
});

test('property: the k-th of the union of sorted runs equals the k-th of the sorted concatenation', () => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 30 }), { minLength: 1, maxLength: 6 }), fc.boolean(), (lists, bulk) => {
      const runs = lists.map((l) => {
        const r = new SortedRun(1);
        for (const v of l)
          if (bulk) r.push(v);
          else r.insert(v);
        return r;
      });
      const all = lists.flat().sort((a, b) => a - b);
      for (let k = 0; k < all.length; k++) assert.equal(kthOfRuns(runs, k), all[k]);
      for (const p of [1, 25, 50, 90, 99]) {
        const got = percentileOfRuns(runs, p);
        const want = percentileOfArray(all, p);
        assert.ok(got === want || Math.abs(got! - want!) < 1e-9, `p${p}: ${got} ≠ ${want}`);
      }
    }),
    { numRuns: 300 },
  );
});

test("months are the city's: an incident at 23:30 UTC on 31 March is in April in Monaco", () => {
  const cal = new ZoneCalendar('Europe/Monaco');
  assert.equal(cal.monthIndex(Date.UTC(2026, 2, 31, 23, 30)), 2026 * 12 + 3);
  assert.equal(cal.monthIndex(Date.UTC(2026, 2, 31, 21, 30)), 2026 * 12 + 2, '23:30 local (CEST) is still March');
  assert.equal(cal.monthIndex(Date.UTC(2025, 11, 31, 23, 30)), 2026 * 12 + 0, 'New Year in CET');
  // Day of the DST change (29 March 2026), both sides.
  assert.equal(cal.monthIndex(Date.UTC(2026, 2, 29, 0, 59)), 2026 * 12 + 2);
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), (ms) => {
      const p = Object.fromEntries(
        new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Monaco', year: 'numeric', month: 'numeric' })
          .formatToParts(new Date(ms))
          .map((x) => [x.type, x.value]),
      );
      assert.equal(cal.monthIndex(ms), Number(p.year) * 12 + Number(p.month) - 1);
    }),
    { numRuns: 500 },
  );
  assert.equal(parsePeriod('2026-13'), null);
  assert.equal(parsePeriod('2026-Q5'), null);
  assert.deepEqual(parsePeriod('2026-Q2')!.months, [2026 * 12 + 3, 2026 * 12 + 4, 2026 * 12 + 5]);
});
