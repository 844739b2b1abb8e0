import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { testContext } from '../../test/support/test-context.js';
import { SqliteEventLog } from '../adapters/stores/sqlite/sqlite-event-log.js';
import { buildApiServer } from '../api/server.js';
import { Metrics } from '../api/metrics.js';
import { loadConfig } from '../kernel/config.js';
import { VigilError } from '../kernel/errors.js';
import { geometryContains } from '../kernel/geo.js';
import { fakePrincipal } from '../../test/support/test-context.js';
import { createCityCapability } from './index.js';
import { splitBySize } from './city-service.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-city-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const monaco = loadConfig({}).demoOsmFile;
let n = 0;

async function setup() {
  const dataDir = join(dir, `d${++n}`);
  const log = new SqliteEventLog(join(dataDir, 'vigil.sqlite'));
  const ctx = testContext(log, { dataDir, webDistDir: '/nonexistent' });
  const city = createCityCapability(ctx);
  city.projections!.forEach((p) => ctx.projections.register(p));
  await ctx.projections.start();
  // The city's platform organisation keeps city-wide data (the OSM import).
  const admin = { ...fakePrincipal(['admin'], 'org_city'), platformOrg: true };
  const server = await buildApiServer({
    ctx,
    metrics: new Metrics('t'),
    capabilities: [city],
    version: 't',
    resolvePrincipal: (s) => (s.headers['x-admin'] ? admin : fakePrincipal([], 'org_x')),
  });
  return {
    ctx,
    city,
    app: server.app,
    close: async () => {
      await server.app.close();
      ctx.projections.stop();
      await log.close();
    },
  };
}

test('the Monaco extract becomes a city with its neighbourhoods, sites and basemap', async () => {
  const s = await setup();
  const phases = new Set<string>();
  const counts = await s.city.service.importCity(monaco, { orgId: 'org_city', actor: 'system:test', onProgress: (p) => phases.add(p.phase) });
  assert.deepEqual([...phases], ['reading', 'building', 'recording', 'done']);
  const state = s.city.service.state;
  assert.equal(state.city?.name, 'Monaco');
  const cityArea = [...state.areas.values()].find((a) => a.level === 'city')!;
  // Monaco covers about 2.02 km².
  assert.ok(cityArea.areaM2! > 1.9e6 && cityArea.areaM2! < 2.2e6, `city area ${cityArea.areaM2}`);
  const names = [...state.areas.values()]
    .filter((a) => a.level === 'neighbourhood')
    .map((a) => a.name)
    .sort();
  assert.deepEqual(names, ['Fontvieille', 'La Condamine', 'Monaco-Ville', 'Monte-Carlo']);
  assert.equal(counts.sites, state.sites.size);
  assert.ok(counts.buildings! > 900);
  // The Prince's Palace is in Monaco-Ville; every site inside the city has an area.
  const palace = [...state.sites.values()].find((x) => x.name === 'Palais Princier')!;
  assert.equal(state.areas.get(palace.areaId!)!.name, 'Monaco-Ville');
  for (const site of state.sites.values()) {
    if (geometryContains(cityArea.geometry!, site.position)) assert.ok(site.areaId, `${site.id} has no area`);
  }
  assert.ok([...state.sites.values()].some((x) => x.category === 'police-station'));
  // Public map data over HTTP.
  const roads = await s.app.inject({ method: 'GET', url: '/api/city/basemap/roads' });
  assert.equal(roads.statusCode, 200);
  assert.equal(roads.json().features.length, counts.roads);
  const areas = (await s.app.inject({ method: 'GET', url: '/api/city/areas' })).json();
  assert.equal(areas.features.length, 5);
  // Monte-Carlo and La Condamine have no boundary in the extract: Voronoi cells clipped to the city, not points,
  // disjoint from the official boundaries, and together with them covering the city.
  const hoods = [...state.areas.values()].filter((a) => a.level === 'neighbourhood');
  for (const name of ['Monte-Carlo', 'La Condamine']) {
    const h = hoods.find((x) => x.name === name)!;
    assert.equal(h.geometry?.type, 'MultiPolygon', `${name} has a shape`);
    assert.equal(h.derived, 'voronoi');
    assert.ok(geometryContains(h.geometry!, h.center), `${name} contains its place node`);
  }
  const total = hoods.reduce((n, h) => n + h.areaM2!, 0);
  assert.ok(Math.abs(total - cityArea.areaM2!) / cityArea.areaM2! < 0.03, `neighbourhoods ${total} m² vs city ${cityArea.areaM2} m²`);
  assert.ok(geometryContains(hoods.find((x) => x.name === 'Monte-Carlo')!.geometry!, [7.4275, 43.7395]), 'the Casino square is in Monte-Carlo');
  assert.ok(!geometryContains(hoods.find((x) => x.name === 'La Condamine')!.geometry!, palace.position), 'the palace is not in La Condamine');
  for (const site of state.sites.values()) {
    const inShapes = hoods.filter((h) => geometryContains(h.geometry!, site.position));
    assert.ok(inShapes.length <= 1, `${site.id} is in ${inShapes.map((h) => h.name).join(' and ')}`);
  }
  const places = (await s.app.inject({ method: 'GET', url: '/api/city/basemap/places' })).json();
  assert.deepEqual(places.features.map((f: { properties: { name: string } }) => f.properties.name).sort(), [
    'Fontvieille',
    'La Condamine',
    'Monaco',
    'Monaco-Ville',
    'Monte-Carlo',
  ]);
  const sites = await s.app.inject({ method: 'GET', url: '/api/city/sites?category=police-station', headers: { 'x-admin': '1' } });
  assert.ok(sites.json().total >= 1);
  assert.equal((await s.app.inject({ method: 'GET', url: '/api/city/basemap/secret' })).statusCode, 400);
  await s.close();
});

test('a re-import updates sites instead of duplicating them', async () => {
  const s = await setup();
  await s.city.service.importCity(monaco, { orgId: 'org_city', actor: 'system:test' });
  const before = s.city.service.state.sites.size;
  await s.city.service.importCity(monaco, { orgId: 'org_city', actor: 'system:test' });
  assert.equal(s.city.service.state.sites.size, before);
  await s.close();
});

test('bad extracts are refused with the line of the problem and record nothing but the failure', async () => {
  const s = await setup();
  const bad = join(dir, 'bad.osm');
  writeFileSync(bad, '<?xml version="1.0"?>\n<osm>\n<node id="1" lat="95" lon="7"/>\n</osm>');
  await assert.rejects(
    s.city.service.importCity(bad, { orgId: 'org_city', actor: 't' }),
    (e: unknown) => e instanceof VigilError && /bad\.osm:3: node 1 is outside the world/.test(e.message),
  );
  const broken = join(dir, 'broken.osm.gz');
  writeFileSync(broken, gzipSync('<osm><node id="1" lat="43" lon="7"><tag k="a" v="b"/></osm>'));
  await assert.rejects(
    s.city.service.importCity(broken, { orgId: 'org_city', actor: 't' }),
    (e: unknown) => e instanceof VigilError && e.code === 'bad_request',
  );
  const types = (await s.ctx.log.read()).map((e) => e.type);
  assert.deepEqual(types, ['city.import.started', 'city.import.failed', 'city.import.started', 'city.import.failed']);
  assert.equal(s.city.service.state.sites.size, 0);
  await s.close();
});

test('an admin uploads an extract over HTTP and follows the import to the end', async () => {
  const s = await setup();
  const { readFileSync } = await import('node:fs');
  const upload = await s.app.inject({
    method: 'POST',
    url: '/api/city/imports?name=monaco.osm.gz',
    headers: { 'x-admin': '1', 'content-type': 'application/gzip' },
    payload: readFileSync(monaco),
  });
  assert.equal(upload.statusCode, 202, upload.body);
  const { importId } = upload.json();
  let progress = upload.json();
  for (let i = 0; i < 200 && progress.phase !== 'done' && progress.phase !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    progress = (await s.app.inject({ method: 'GET', url: `/api/city/imports/${importId}`, headers: { 'x-admin': '1' } })).json();
  }
  assert.equal(progress.phase, 'done', JSON.stringify(progress));
  assert.ok(progress.counts.sites > 1000);
  const refused = await s.app.inject({
    method: 'POST',
    url: '/api/city/imports?name=x.osm',
    headers: { 'content-type': 'application/xml' },
    payload: '<osm/>',
  });
  assert.equal(refused.statusCode, 403);
  await s.close();
});

test('basemap parts stay under the size limit and keep every feature in order', () => {
  const items = Array.from({ length: 1000 }, (_, i) => ({ i, pad: 'x'.repeat(i % 97) }));
  const parts = splitBySize(items, 5000);
  assert.ok(parts.length > 1);
  for (const p of parts) assert.ok(JSON.stringify(p).length <= 5000 + 2);
  assert.deepEqual(parts.flat(), items);
  assert.deepEqual(splitBySize([], 10), [[]]);
});

test('residents are split by floor area and housing weight, in whole people that add up', async () => {
  const { estimateResidents } = await import('./population.js');
  const site = (id: string, buildingType: string | null, footprintM2: number, levels: number | null, category: 'building' | 'school' = 'building') => ({
    id,
    name: null,
    category,
    position: [7.42, 43.73] as [number, number],
    footprintM2,
    levels,
    address: null,
    areaId: 'a',
    buildingType,
    residents: null,
    source: id,
  });
  const sites = [
    site('a', 'apartments', 100, 10),
    site('b', 'yes', 100, null),
    site('c', 'commercial', 500, 5),
    site('d', 'school', 300, 2, 'school'),
    site('e', 'house', 100, 1),
  ];
  // Weights: a 100×10×1 = 1000, b 100×5×0.6 = 300, e 100×1×1 = 100 → 1400; c and d house nobody.
  const r = estimateResidents(sites, { total: 100, defaultLevels: 5 });
  assert.deepEqual(Object.fromEntries(r), { a: 72, b: 21, e: 7 });
  // 71.43 + 21.43 + 7.14 = 100: the one left over goes to the largest remainder (a, .43 tie broken by id).
  assert.equal(
    [...r.values()].reduce((x, y) => x + y, 0),
    100,
  );
  assert.equal(estimateResidents(sites, { total: 0, defaultLevels: 5 }).size, 0);
});

test('devices: registered over HTTP with validation, visible only to their organisation', async () => {
  const s = await setup();
  await s.city.service.importCity(monaco, { orgId: 'org_city', actor: 'system:test' });
  const site = [...s.city.service.state.sites.values()].find((x) => x.category === 'school')!;
  const post = (url: string, payload: unknown) => s.app.inject({ method: 'POST', url, headers: { 'x-admin': '1' }, payload: payload as object });
  assert.equal((await post('/api/city/zones', { zones: [{ id: 'z1', siteId: site.id, number: 1, name: 'Hall' }] })).statusCode, 200);
  const panel = { id: 'p1', kind: 'alarm-panel', label: 'School panel', siteId: site.id, position: site.position, account: 'a1b2', protocol: 'sia-dc09' };
  const ok = await post('/api/city/devices', {
    devices: [panel, { id: 'd1', kind: 'smoke-detector', label: 'Hall smoke', siteId: site.id, zoneId: 'z1', parentId: 'p1', position: site.position }],
  });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(s.city.service.state.devicesByAccount.get('A1B2')!.id, 'p1', 'accounts are stored in upper case');
  const badAccount = await post('/api/city/devices', { devices: [{ ...panel, id: 'p2', account: 'xyz!' }] });
  assert.equal(badAccount.json().error.code, 'validation_failed');
  const dupAccount = await post('/api/city/devices', { devices: [{ ...panel, id: 'p2', account: 'A1B2' }] });
  assert.equal(dupAccount.statusCode, 409);
  const badSite = await post('/api/city/devices', { devices: [{ ...panel, id: 'p3', account: 'C33', siteId: 'site:nowhere' }] });
  assert.equal(badSite.statusCode, 404);
  const badPos = await post('/api/city/devices', { devices: [{ ...panel, id: 'p4', account: 'C44', position: [200, 100] }] });
  assert.equal(badPos.statusCode, 400);
  const mine = await s.app.inject({ method: 'GET', url: '/api/city/devices', headers: { 'x-admin': '1' } });
  assert.equal(mine.json().total, 2);
  const other = await s.app.inject({ method: 'GET', url: '/api/city/devices', headers: { 'x-other': '1' } });
  assert.equal(other.statusCode, 200);
  assert.equal(other.json().total, 0, 'another organisation sees none of them');
  await s.close();
});
