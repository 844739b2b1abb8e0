import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CATALOGUE_FILES, CatalogueError, loadCatalogue } from './catalogue.js';

const dir = join(new URL('.', import.meta.url).pathname, 'catalogue');
const real = (f: string) => readFileSync(join(dir, f), 'utf8');

test('the catalogue loads: one file per standard, every entry cited, unconfirmed ones marked', () => {
  const c = loadCatalogue();
  assert.deepEqual(c.files.map((f) => f.standard), ['ISO 37120', 'ISO 37122', 'ISO 37123', 'ITU-T Y.4903 / U4SSC KPIs', 'Vigil']);
  assert.ok(c.indicators.length >= 25);
  for (const i of c.indicators) {
    assert.ok(i.citation.document, i.id);
    if (i.standard.startsWith('ISO')) assert.equal(i.confirmed, false, `${i.id}: ISO texts are paywalled; nothing was checked`);
  }
  assert.equal(c.byId.get('u4ssc.disaster-prone-population')!.citation.clause, 'SC: SH: SA: 4A');
  assert.equal(c.byId.get('iso37120.fire-response-time')!.definition.measure, 'distribution');
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
    ['ratio without denominator', edit('vigil.json', (d) => ((d.indicators[3] as { definition: { denominator: unknown } }).definition.denominator = null)), /denominator/],
    ['unknown variable', edit('iso-37120.json', (d) => ((d.indicators[0] as { definition: { numerator: string } }).definition.numerator = 'unicorns')), /unknown numerator variable unicorns/],
    ['distribution over a flow', edit('vigil.json', (d) => ((d.indicators[0] as { definition: { numerator: string } }).definition.numerator = 'alarms-closed')), /needs a distribution numerator/],
    ['duplicate id', edit('u4ssc.json', (d) => (d.indicators[1]!.id = d.indicators[0]!.id)), /used twice/],
    ['confirmed without a source page', edit('u4ssc.json', (d) => (d.indicators[1]!.confirmed = true)), /no public page/],
    ['confirmed without a clause', edit('iso-37123.json', (d) => (d.indicators[0]!.confirmed = true)), /clause must be string/],
    ['unknown level', edit('iso-37122.json', (d) => (d.indicators[0]!.levels = ['galaxy'])), /levels/],
  ];
  for (const [name, read, message] of cases) assert.throws(() => loadCatalogue(read), (e: unknown) => e instanceof CatalogueError && message.test(e.message), name);
  assert.equal(CATALOGUE_FILES.length, 5);
});
