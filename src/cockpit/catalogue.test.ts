import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CATALOGUE_FILES, CatalogueError, loadCatalogue } from './catalogue.js';

const dir = join(new URL('.', import.meta.url).pathname, 'catalogue');
const real = (f: string) => readFileSync(join(dir, f), 'utf8');

test('the catalogue loads: one file per standard, every entry cited with a confirmation status', () => {
  const c = loadCatalogue();
  assert.deepEqual(
    c.files.map((f) => f.standard),
    ['ISO 37120', 'ISO 37122', 'ISO 37123', 'ITU-T Y.4903 / U4SSC KPIs', 'Vigil'],
  );
  assert.ok(c.indicators.length >= 25);
  for (const i of c.indicators) {
    assert.ok(i.citation.document, i.id);
    assert.ok(['confirmed', 'partial', 'unconfirmed'].includes(i.confirmation.status), i.id);
    if (i.confirmation.status !== 'confirmed') assert.ok(i.confirmation.note && i.confirmation.note.length > 20, `${i.id}: says why it is not confirmed`);
    // ISO texts are paywalled: numbers and names were checked, never the definitions.
    if (i.standard.startsWith('ISO')) assert.ok(!i.confirmed && !i.confirmation.checked.includes('definition'), i.id);
  }
  // ISO 37120:2014 numbering as in the public ontology's labels.
  const clause = (id: string) => c.byId.get(id)!.citation.clause;
  assert.deepEqual(
    ['firefighters', 'fire-deaths', 'natural-hazard-deaths', 'volunteer-firefighters', 'emergency-response-time', 'fire-response-time'].map((k) =>
      clause(`iso37120.${k}${k.includes('time') ? '' : '-per-100k'}`),
    ),
    ['10.1', '10.2', '10.3', '10.4', '10.5', '10.6'],
  );
  assert.equal(c.byId.get('iso37120.emergency-response-time')!.name.en, 'Response time for emergency response services from initial call');
  // U4SSC safety KPIs: 5A response time (advanced), 6C police, 7C fire, 8C violent crime.
  assert.equal(clause('u4ssc.disaster-prone-population'), 'SC: SH: SA: 4A');
  assert.equal(clause('u4ssc.emergency-service-response-time'), 'SC: SH: SA: 5A');
  assert.equal(c.byId.get('u4ssc.emergency-service-response-time')!.type, 'advanced');
  assert.equal(clause('u4ssc.police-service'), 'SC: SH: SA: 6C');
  assert.equal(clause('u4ssc.fire-service'), 'SC: SH: SA: 7C');
  assert.equal(clause('u4ssc.violent-crime-rate'), 'SC: SH: SA: 8C');
  assert.equal(c.byId.get('iso37120.fire-response-time')!.definition.measure, 'distribution');
  const counts = Object.fromEntries(['confirmed', 'partial', 'unconfirmed'].map((s) => [s, c.indicators.filter((i) => i.confirmation.status === s).length]));
  assert.deepEqual(counts, { confirmed: 23, partial: 15, unconfirmed: 5 });
});

test('the catalogue refuses malformed entries with the reason', () => {
  const edit = (file: string, change: (doc: { indicators: Record<string, unknown>[] }) => void) => (f: string) => {
    if (f !== file) return real(f);
    const doc = JSON.parse(real(f));
    change(doc);
    return JSON.stringify(doc);
  };
  const cases: [string, (f: string) => string, RegExp][] = [
    ['missing citation', edit('vigil.json', (d) => delete d.indicators[0]!.citation), /citation/],
    [
      'ratio without denominator',
      edit('vigil.json', (d) => ((d.indicators[3] as { definition: { denominator: unknown } }).definition.denominator = null)),
      /denominator/,
    ],
    [
      'unknown variable',
      edit('iso-37120.json', (d) => ((d.indicators[0] as { definition: { numerator: string } }).definition.numerator = 'unicorns')),
      /unknown numerator variable unicorns/,
    ],
    [
      'distribution over a flow',
      edit('vigil.json', (d) => ((d.indicators[0] as { definition: { numerator: string } }).definition.numerator = 'alarms-closed')),
      /needs a distribution numerator/,
    ],
    ['duplicate id', edit('u4ssc.json', (d) => (d.indicators[1]!.id = d.indicators[0]!.id)), /used twice/],
    ['confirmed without a source page', edit('u4ssc.json', (d) => (d.indicators[1]!.confirmed = true)), /no public page/],
    ['confirmed without a clause', edit('iso-37123.json', (d) => (d.indicators[0]!.confirmed = true)), /clause must be string/],
    ['unknown level', edit('iso-37122.json', (d) => (d.indicators[0]!.levels = ['galaxy'])), /levels/],
    ['no confirmation status', edit('iso-37120.json', (d) => delete d.indicators[0]!.confirmation), /confirmation/],
    ['boolean and status disagree', edit('vigil.json', (d) => (d.indicators[0]!.confirmed = false)), /confirmation status is confirmed/],
    [
      'partial without a source',
      edit('iso-37120.json', (d) => ((d.indicators[0] as { confirmation: { against: unknown } }).confirmation.against = null)),
      /no source named/,
    ],
    [
      'unconfirmed without a reason',
      edit('iso-37123.json', (d) => ((d.indicators[0] as { confirmation: { note: unknown } }).confirmation.note = null)),
      /no note saying why/,
    ],
    [
      'clause checked but null',
      edit('u4ssc.json', (d) => ((d.indicators[1] as { citation: { clause: unknown } }).citation.clause = null)),
      /clause is said to be checked/,
    ],
  ];
  for (const [name, read, message] of cases)
    assert.throws(
      () => loadCatalogue(read),
      (e: unknown) => e instanceof CatalogueError && message.test(e.message),
      name,
    );
  assert.equal(CATALOGUE_FILES.length, 5);
});
