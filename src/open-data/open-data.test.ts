import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import jsonld from 'jsonld';
import { signedIn } from '../../test/support/api-client.js';
import { publishedConsultation } from '../../test/support/consultations.js';
import { serveVigil } from '../app.js';
import { CITIZEN_APP_API_KEY } from '../citizen-reports/contract.js';
import type { IndicatorDefinition } from '../cockpit/contract.js';
import { parseCsv } from '../cockpit/index.js';
import { loadConfig } from '../kernel/config.js';
import { DCAT_CONTEXT } from './dcat.js';
import { isPublicIndicator, publicIndicators } from './datasets.js';
import { suppressSmall } from './index.js';

const config = (dataDir: string) => ({
  ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' }),
  dataDir,
  port: 0,
  host: '127.0.0.1',
});

/**
 * A structural JSON-LD check, stricter than the processor on what DCAT-AP needs:
 * the @context maps every prefix to an absolute IRI; every key is a keyword or a
 * compact IRI with a declared prefix; every @id is an absolute IRI; every @type is a
 * declared compact IRI; every language-tagged value has a BCP 47 tag and a string.
 */
function checkJsonLd(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const ctx = doc['@context'] as Record<string, string>;
  if (!ctx || typeof ctx !== 'object' || Array.isArray(ctx)) return ['@context must be an object'];
  for (const [prefix, iri] of Object.entries(ctx))
    if (!/^https?:\/\/\S+[#/]$/.test(iri)) problems.push(`@context ${prefix}: ${iri} is not an IRI ending in # or /`);
  const compact = (s: string) => {
    const m = /^([a-z]+):[A-Za-z]+$/.exec(s);
    return !!m && m[1]! in ctx;
  };
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}[${i}]`));
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if ('@language' in o && (typeof o['@value'] !== 'string' || !/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(String(o['@language']))))
      problems.push(`${path}: bad language-tagged value`);
    if ('@type' in o && path !== '' && '@value' in o && !compact(String(o['@type']))) problems.push(`${path}: datatype ${String(o['@type'])}`);
    for (const [k, x] of Object.entries(o)) {
      if (k === '@context' && path === '') continue;
      if (k.startsWith('@')) {
        if (!['@id', '@type', '@value', '@language'].includes(k)) problems.push(`${path}.${k}: unexpected keyword`);
        if (k === '@id') {
          try {
            new URL(String(x));
          } catch {
            problems.push(`${path}.@id ${String(x)} is not an absolute IRI`);
          }
        }
        if (k === '@type' && !('@value' in o) && !compact(String(x))) problems.push(`${path}.@type ${String(x)} is not a declared compact IRI`);
        continue;
      }
      if (!compact(k)) problems.push(`${path}.${k}: undeclared term`);
      walk(x, `${path}.${k}`);
    }
  };
  walk(doc, '');
  return problems;
}

test('suppressSmall: primary and secondary suppression, for any k', () => {
  assert.deepEqual(suppressSmall([6, 3, 7, 0], 5), [true, true, false, false], '3 withheld, then 6 so that the withheld total reaches 5');
  assert.deepEqual(
    suppressSmall([12, 9, 20], 10),
    [false, true, false].map((x, i) => x || i === 0),
    '9 < 10, then 12',
  );
  assert.deepEqual(suppressSmall([5, 8, 0], 5), [false, false, false]);
  assert.deepEqual(suppressSmall([2], 5), [true]);
  assert.throws(() => loadConfig({ VIGIL_OPEN_DATA_MIN_COUNT: '3' }), /VIGIL_OPEN_DATA_MIN_COUNT/);
  assert.equal(loadConfig({ VIGIL_OPEN_DATA_MIN_COUNT: '10' }).openDataMinCount, 10);
});

test('open data publishes no indicator of security posture nor of private customers: CSIRT, device security and alarms stay out; a new operational source stays out until listed', () => {
  // The cockpit's catalogue files as they ship (read, not imported: open data sees the cockpit through its face only).
  const dir = join(import.meta.dirname, '..', 'cockpit', 'catalogue');
  const indicators = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'variables.json')
    .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { indicators: IndicatorDefinition[] }).indicators);
  const catalogue = { indicators, byId: new Map(indicators.map((d) => [d.id, d])) };
  const kept = catalogue.indicators.filter((d) => !isPublicIndicator(d));
  const confidential = ['operational:csirt', 'operational:device-security', 'operational:alarms'];
  // Every indicator of a confidential source is kept out (device security's: how many devices carry a known exploited vulnerability).
  for (const d of catalogue.indicators) if (d.sources.some((s) => confidential.includes(s))) assert.ok(kept.includes(d), `${d.id} is published`);
  assert.ok(kept.some((d) => d.id === 'vigil.devices-known-exploited'));
  assert.ok(kept.some((d) => d.id === 'vigil.device-patch-coverage'));
  // Deny by default: an operational source nobody listed stays out; imported statistics are public.
  const base = catalogue.indicators.find((d) => d.sources.includes('statistics'))!;
  assert.equal(isPublicIndicator(base), true);
  assert.equal(isPublicIndicator({ ...base, sources: ['operational:something-new'] }), false);
  // And the values of a kept-out indicator never reach the published table, whatever their counts.
  const value = (indicatorId: string) => ({
    indicatorId,
    areaId: 'city',
    areaName: 'City',
    level: 'city' as const,
    period: '2026',
    value: 20,
    unit: '%',
    numerator: { variable: 'n', value: 50 },
    denominator: { variable: 'd', value: 250 },
    provenance: [],
  });
  const published = publicIndicators([value('vigil.devices-known-exploited'), value('vigil.device-patch-coverage')], [], catalogue.byId, 5);
  assert.deepEqual(published, []);
});

test('open data: a DCAT-AP catalogue in JSON-LD and a page, public; every dataset downloads; no personal data and no figure from fewer than k people', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-open-data-'));
  const vigil = await serveVigil(config(dataDir));
  const app = vigil.server.app;
  try {
    const k = vigil.ctx.config.openDataMinCount;
    assert.equal(k, 5);
    // The demo city's own reports (one graffiti among them) are there before the test's: the test takes neighbourhoods
    // without a demo graffiti report, and counts the city-wide total on top of the demo's.
    const csvRows = async () => parseCsv((await app.inject({ method: 'GET', url: '/api/open-data/datasets/citizen-reports.csv' })).body).map((r) => r.fields);
    const indicators = async () =>
      (await app.inject({ method: 'GET', url: '/api/open-data/datasets/indicators.json' })).json() as {
        values: {
          indicatorId: string;
          value: number | null;
          count?: number;
          numerator: { value: number | null } | null;
          denominator: { value: number | null } | null;
          suppressed: boolean;
        }[];
      };
    const reportsRateOf = (i: Awaited<ReturnType<typeof indicators>>) => i.values.find((v) => v.indicatorId === 'vigil.citizen-reports-rate' && !v.suppressed);
    const demoRows = await csvRows();
    const demoGraffitiAreas = new Set(
      demoRows
        .slice(1)
        .filter((r) => r[demoRows[0]!.indexOf('service_code')] === 'graffiti')
        .map((r) => r[demoRows[0]!.indexOf('area_id')]),
    );
    assert.ok(demoGraffitiAreas.size <= 1, 'at most one demo graffiti report: the withheld totals below stay as described');
    const demoReports = reportsRateOf(await indicators())?.numerator?.value ?? 0;
    // Reports with personal data: 6 in one neighbourhood, 3 in a second, 7 in a third (graffiti), with names, e-mails, phones and texts.
    const hoods = [...vigil.capabilities.city.service.state.areas.values()].filter((a) => a.level === 'neighbourhood' && !demoGraffitiAreas.has(a.id));
    const sites = [...vigil.capabilities.city.service.state.sites.values()];
    const markers: string[] = [];
    let n = 0;
    for (const [hood, count] of [
      [hoods[0]!, 6],
      [hoods[1]!, 3],
      [hoods[2]!, 7],
    ] as const) {
      const here = sites.filter((s) => s.areaId === hood.id);
      for (let i = 0; i < count; i++, n++) {
        // Near a building of the neighbourhood, not on it (a public facility's published position is not a reporter's).
        const [lon, lat] = here[(i * 7) % here.length]!.position.map((c) => c + 0.0000317 * (i + 1)) as [number, number];
        const person = {
          email: `person${n}.marker@example.org`,
          first_name: `Zorglub${n}`,
          last_name: `Quixote${n}`,
          phone: `+3779912${String(n).padStart(4, '0')}`,
        };
        const description = `Secret detail ${n} only the reporter knows`;
        const res = await app.inject({
          method: 'POST',
          url: '/open311/v2/requests.json',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({
            api_key: CITIZEN_APP_API_KEY,
            service_code: 'graffiti',
            lat: lat.toFixed(7),
            long: lon.toFixed(7),
            description,
            device_id: `device-${n}`,
            ...person,
          }).toString(),
        });
        assert.equal(res.statusCode, 201, res.body);
        const [created] = res.json() as { token: string; follow_url: string; service_request_id: string }[];
        markers.push(
          ...Object.values(person),
          description,
          `${Number(lon.toFixed(7))},${Number(lat.toFixed(7))}`,
          created!.token,
          new URL(created!.follow_url).searchParams.get('follow')!,
        );
      }
    }

    // Consultations: a closed one with 8 public answers (6 support, 2 oppose) carrying names, e-mails and texts;
    // an open one with 5 answers, which is not published while people still answer.
    const analyst = await signedIn(vigil, 'analyst');
    const consult = async (title: string, answers: ('support' | 'oppose')[]): Promise<string> => {
      const id = await publishedConsultation(analyst, { title, question: 'Which option?', information: 'Two options are on the table.' });
      for (const [i, position] of answers.entries()) {
        const person = { name: `Participant${n} Marker`, email: `participant${n}.marker@example.org` };
        const text = `My own view number ${n} on it`;
        markers.push(person.name, person.email, text);
        n++;
        const res = await app.inject({
          method: 'POST',
          url: `/api/public/engagement/consultations/${id}/answers`,
          payload: { text, position, ...person },
          remoteAddress: `192.0.2.${10 + i}`,
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      return id;
    };
    const closedId = await consult('=HYPERLINK("http://evil")', [...Array<'support'>(6).fill('support'), 'oppose', 'oppose']);
    assert.equal((await analyst('POST', `/api/engagement/consultations/${closedId}/close`)).status, 200);
    const openId = await consult('Still open', ['support', 'support', 'support', 'support', 'support']);

    // The catalogue: public (no sign-in), JSON-LD, DCAT-AP's mandatory classes and properties.
    const cat = await app.inject({ method: 'GET', url: '/api/open-data/catalog.jsonld' });
    assert.equal(cat.statusCode, 200, cat.body);
    assert.match(String(cat.headers['content-type']), /^application\/ld\+json/);
    const catalogue = cat.json() as Record<string, unknown> & { 'dcat:dataset': Record<string, unknown>[] };
    assert.deepEqual(catalogue['@context'], DCAT_CONTEXT);
    assert.deepEqual(checkJsonLd(catalogue), []);
    assert.deepEqual(checkJsonLd({ ...catalogue, 'schema:name': 1, 'dct:publisher': { '@id': 'not an iri' } }).length, 2, 'the check can fail');
    // A real JSON-LD processor (jsonld.js) in safe mode: any term it would drop, any relative or invalid IRI, any
    // context it would have to fetch is an error. The catalogue expands and converts to RDF without the network.
    const offline = { safe: true, documentLoader: (url: string) => Promise.reject(new Error(`no network: ${url}`)) };
    const expanded = (await jsonld.expand(catalogue as jsonld.JsonLdDocument, offline)) as Record<string, unknown>[];
    assert.deepEqual(expanded[0]!['@type'], ['http://www.w3.org/ns/dcat#Catalog']);
    assert.equal((expanded[0]!['http://www.w3.org/ns/dcat#dataset'] as unknown[]).length, 6);
    const quads = String(await jsonld.toRDF(catalogue as jsonld.JsonLdDocument, { ...offline, format: 'application/n-quads' }));
    assert.ok(quads.split('\n').filter(Boolean).length > 100, 'the catalogue is RDF');
    for (const broken of [
      { ...catalogue, name: 'a term without a prefix' },
      { ...catalogue, 'dct:publisher': { '@id': 'not an iri' } },
    ])
      await assert.rejects(jsonld.expand(broken as jsonld.JsonLdDocument, offline), /Safe mode validation error/, 'the processor can refuse');
    assert.equal(catalogue['@type'], 'dcat:Catalog');
    for (const key of ['dct:title', 'dct:description', 'dct:publisher', 'dct:license']) assert.ok(catalogue[key], key);
    const datasets = catalogue['dcat:dataset'];
    assert.deepEqual(
      datasets.map((d) => d['dct:identifier']),
      ['public-alerts', 'citizen-reports', 'indicators', 'areas', 'public-facilities', 'consultation-results'],
    );
    const bodies: string[] = [JSON.stringify(catalogue)];
    let downloads = 0;
    for (const d of datasets) {
      assert.equal(d['@type'], 'dcat:Dataset');
      for (const key of ['dct:title', 'dct:description', 'dct:accrualPeriodicity', 'dct:publisher', 'dcat:contactPoint', 'dcat:theme'])
        assert.ok(d[key], `${String(d['dct:identifier'])} ${key}`);
      for (const x of d['dcat:distribution'] as Record<string, { '@id': string }>[]) {
        assert.ok(x['dct:license'] && x['dct:format'] && x['dcat:mediaType'], JSON.stringify(x));
        const url = new URL(x['dcat:downloadURL']!['@id']);
        const res = await app.inject({ method: 'GET', url: url.pathname + url.search });
        assert.equal(res.statusCode, 200, `${url.pathname}: ${res.body.slice(0, 200)}`);
        const media = x['dcat:mediaType']!['@id'].replace('https://www.iana.org/assignments/media-types/', '');
        assert.ok(String(res.headers['content-type']).startsWith(media), `${url.pathname}: ${String(res.headers['content-type'])} is not ${media}`);
        if (media.includes('json')) JSON.parse(res.body);
        if (media === 'text/csv') assert.ok(parseCsv(res.body).length >= 1);
        bodies.push(res.body);
        downloads++;
      }
    }
    assert.equal(downloads, 11);
    const page = await app.inject({ method: 'GET', url: '/api/open-data/catalog.html' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Citizen reports \(anonymised\)/);
    assert.match(page.body, /creativecommons\.org\/licenses\/by\/4\.0/);
    bodies.push(page.body);

    // No personal data: no name, e-mail, phone, text, exact position or token of any report, anywhere.
    for (const m of markers)
      for (const b of bodies) assert.ok(!b.includes(m), `"${m}" reached a public dataset: ${b.slice(Math.max(0, b.indexOf(m) - 300), b.indexOf(m) + 50)}`);

    // No figure from fewer than k people: 3 reports are withheld, and the 6 too (else 16 − 7 − 6 gives the 3 back).
    const rows = await csvRows();
    const col = (name: string) => rows[0]!.indexOf(name);
    const mine = new Set([hoods[0]!.id, hoods[1]!.id, hoods[2]!.id]);
    const received = new Map(
      rows
        .slice(1)
        .filter((r) => r[col('service_code')] === 'graffiti' && mine.has(r[col('area_id')]!))
        .map((r) => [r[col('area_id')]!, r[col('received')]!]),
    );
    assert.deepEqual(Object.fromEntries(received), { [hoods[0]!.id]: '', [hoods[1]!.id]: '', [hoods[2]!.id]: '7' });
    for (const r of rows.slice(1)) assert.ok(r[col('received')] === '' || Number(r[col('received')]) >= k);
    // Indicators: every published value rests on ≥ k samples, and no numerator or denominator of 1 … k−1.
    const ind = await indicators();
    assert.ok(ind.values.length > 0);
    assert.ok(
      !ind.values.some((v) => v.indicatorId.startsWith('vigil.csirt') || v.indicatorId.startsWith('vigil.alarm') || v.indicatorId.startsWith('vigil.device')),
      'no confidential indicator',
    );
    const small = (x: number | null | undefined) => x !== null && x !== undefined && x > 0 && x < k;
    for (const v of ind.values) {
      if (v.suppressed) assert.equal(v.value, null);
      else assert.ok(!small(v.count) && !small(v.numerator?.value) && !small(v.denominator?.value), JSON.stringify(v));
    }
    // Consultation results: only the closed one; its total of 8 is published, the 2 opposed are withheld and so are
    // the 6 in support (else 8 − 6 gives the 2 back); the staff-written title cannot run as a formula.
    const results = parseCsv((await app.inject({ method: 'GET', url: '/api/open-data/datasets/consultation-results.csv' })).body).map((r) => r.fields);
    const rc = (name: string) => results[0]!.indexOf(name);
    const ofClosed = results.slice(1).filter((r) => r[rc('consultation_id')] === closedId);
    assert.ok(!results.some((r) => r[rc('consultation_id')] === openId), 'an open consultation is not published');
    const count = (measure: string, value: string) => ofClosed.find((r) => r[rc('measure')] === measure && r[rc('value')] === value)?.[rc('count')];
    assert.equal(count('total', 'all'), '8');
    assert.equal(count('position', 'support'), '');
    assert.equal(count('position', 'oppose'), '');
    assert.equal(count('position', 'mixed'), '0');
    assert.ok(!ofClosed[0]![rc('title')]!.startsWith('='), 'formula neutralised');
    const json = (await app.inject({ method: 'GET', url: '/api/open-data/datasets/consultation-results.json' })).json() as {
      results: { consultationId: string; count: number | null }[];
    };
    for (const r of json.results) assert.ok(r.count === null || r.count === 0 || r.count >= k, JSON.stringify(r));

    assert.equal(reportsRateOf(ind)?.numerator?.value, demoReports + 16, 'the city-wide count, with the 16 reports, is published');
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
