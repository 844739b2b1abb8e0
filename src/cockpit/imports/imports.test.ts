import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadCatalogue } from '../catalogue.js';
import { CsvError, parseCsv, toCsv } from './csv.js';
import { parsePeers, parseStatistics } from './statistics-import.js';

test('property: CSV written by toCsv reads back field for field (commas, quotes, line breaks)', () => {
  const field = fc.string({ unit: fc.constantFrom('a', 'é', ' ', ',', '"', '\n', '\r\n', '1', '-'), maxLength: 12 });
  fc.assert(
    fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }), (rows) => {
      // A row of one empty field is a blank line, which readers skip by design.
      const kept = rows.filter((r) => !(r.length === 1 && r[0] === ''));
      assert.deepEqual(
        parseCsv(toCsv(rows)).map((r) => r.fields),
        kept,
      );
    }),
    { numRuns: 500 },
  );
});

test('property: arbitrary text never crashes the CSV reader: rows or a CsvError with a line', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      try {
        parseCsv(text);
      } catch (e) {
        assert.ok(e instanceof CsvError && e.line >= 1);
      }
    }),
    { numRuns: 1000 },
  );
});

test('CSV: line numbers count the line breaks inside quoted fields; malformed quotes are refused with their line', () => {
  const rows = parseCsv('a,b\r\n"x\ny",2\n3,4\n');
  assert.deepEqual(
    rows.map((r) => r.line),
    [1, 2, 4],
  );
  assert.throws(() => parseCsv('a,b\n"open,1\n'), /line 2: a quoted field is not closed/);
  assert.throws(() => parseCsv('a\n"x"y\n'), /line 2: text after a closing quote/);
});

const catalogue = loadCatalogue();
const areas = new Map([
  ['area:1', 'area:1'],
  ['fontvieille', 'area:1'],
  ['area:city', 'area:city'],
]);
const resolve = (ref: string) => areas.get(ref.toLowerCase()) ?? (areas.has(ref) ? ref : null);

test('statistics: every bad line reported at once, nothing accepted unless all are good', () => {
  const csv =
    'variable,area,period,value\nfire-deaths,Fontvieille,2025,3\nfire-deaths,Nowhere,2025,1\nhomicides,area:1,2025-Q5,1\nfire-deaths,area:1,2025,3\npopulation,area:city,2025,abc\nfire-deaths,area:1,2025\n';
  const r = parseStatistics({ source: 's', format: 'csv', content: csv }, 'imp', catalogue.variables, resolve);
  assert.deepEqual(r.records, []);
  assert.deepEqual(
    r.errors.map((e) => e.line),
    [3, 4, 5, 6, 7],
  );
  assert.match(r.errors[2]!.message, /same variable, area and period as line 2/);
  assert.match(r.errors[4]!.message, /3 fields where the header has 4/);
  const ok = parseStatistics(
    {
      source: 's',
      format: 'json',
      records: [
        { variable: 'fire-deaths', area: 'Fontvieille', period: '2025', value: 3 },
        { variable: 'population', area: 'area:city', period: '2025', value: '38367' },
      ],
    },
    'imp',
    catalogue.variables,
    resolve,
  );
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(
    ok.records.map((x) => [x.recordId, x.areaId, x.value]),
    [
      ['imp:1', 'area:1', 3],
      ['imp:2', 'area:city', 38367],
    ],
  );
  assert.match(
    parseStatistics({ source: 's', format: 'csv', content: 'variable,area,value\n' }, 'i', catalogue.variables, resolve).errors[0]!.message,
    /missing column\(s\) period/,
  );
  assert.match(parseStatistics({ source: 's', format: 'csv', content: '' }, 'i', catalogue.variables, resolve).errors[0]!.message, /header line is required/);
  assert.match(
    parseStatistics({ source: 's', format: 'json', records: [42 as unknown as object] }, 'i', catalogue.variables, resolve).errors[0]!.message,
    /must be an object/,
  );
});

test('property: random statistics rows are either all accepted with valid fields or refused with a reason per line', () => {
  const variable = fc.constantFrom('fire-deaths', 'population', 'alarm-ack-seconds', 'bogus', '');
  const area = fc.constantFrom('Fontvieille', 'area:city', 'nowhere', '');
  const period = fc.constantFrom('2025', '2025-Q3', '2025-07', '2025-13', 'x', '');
  const value = fc.oneof(fc.integer({ min: -5, max: 1e6 }).map(String), fc.constantFrom('1.5', 'NaN', '', '1e3', ' 7 '));
  fc.assert(
    fc.property(fc.array(fc.tuple(variable, area, period, value), { minLength: 1, maxLength: 10 }), (rows) => {
      const content = toCsv([['variable', 'area', 'period', 'value'], ...rows]);
      const r = parseStatistics({ source: 's', format: 'csv', content }, 'p', catalogue.variables, resolve);
      if (r.errors.length === 0) {
        assert.equal(r.records.length, rows.length);
        for (const rec of r.records) assert.ok(Number.isFinite(rec.value) && rec.value >= 0 && catalogue.variables.get(rec.variable)?.origin === 'statistics');
      } else {
        assert.equal(r.records.length, 0);
        for (const e of r.errors) assert.ok(e.line >= 1 && e.message.length > 0);
      }
    }),
    { numRuns: 500 },
  );
});

test('peers: indicator must be in the catalogue; population optional but positive', () => {
  const ids = new Map([...catalogue.byId].map(([id, d]) => [id, { measure: d.definition.measure }]));
  const r = parsePeers(
    {
      source: 's',
      format: 'csv',
      content:
        'city,country,population,indicator,period,value\nNice,FR,342000,iso37120.homicides-per-100k,2024,2.1\nX,,0,iso37120.homicides-per-100k,2024,1\nY,,,nope,2024,1\n',
    },
    'pi',
    ids,
  );
  assert.deepEqual(
    r.errors.map((e) => e.line),
    [3, 4],
  );
  const ok = parsePeers({ source: 's', format: 'csv', content: 'city,indicator,period,value\nNice,iso37120.homicides-per-100k,2024,2.1\n' }, 'pi', ids);
  assert.deepEqual(ok.records[0], {
    recordId: 'pi:2',
    city: 'Nice',
    country: null,
    population: null,
    indicatorId: 'iso37120.homicides-per-100k',
    period: '2024',
    statistic: 'value',
    value: 2.1,
  });
});
