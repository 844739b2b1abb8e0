import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { expectText, launchChromium, signInAt, startDemoNode } from './browser.js';
import { HAVE_DOC } from '../support/edxl-fixtures.js';
import { CITIZEN_APP_API_KEY } from '../../src/citizen-reports/contract.js';

const overlayCount = (page: Page, id: string): Promise<number> => page.locator(`[data-overlay=${id}]`).getAttribute('data-count').then(Number);

/**
 * The command map lays the commander's picture over incidents and units: the major events'
 * features within the commander's clearance, crowd zones by density level, road closures
 * (live, as they are drawn), what the stations reach in 4/8/12 minutes.
 */
test('command map: event features and crowd density, closures live, station isochrones on demand', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off' });
  await vigil.capabilities.routing.loaded;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // A hospital's availability (EDXL-HAVE) reported before the commander opens the map.
    await vigil.capabilities.exchange.service.importHave(HAVE_DOC, vigil.capabilities.identity.service.resolvePrincipalOf('admin'));
    const hospitalsWithPosition = vigil.capabilities.exchange.hospitals.hospitals().filter((h) => h.position !== null).length;
    assert.ok(hospitalsWithPosition > 0);
    // A citizen report the police triage (noise), and its count as the commander's organisation sees it.
    const reported = await vigil.server.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ api_key: CITIZEN_APP_API_KEY, service_code: 'noise', lat: '43.7395', long: '7.4260', device_id: 'cmd-map' }).toString(),
    });
    assert.equal(reported.statusCode, 201, reported.body);
    const commander = vigil.capabilities.identity.service.resolvePrincipalOf('commander');
    const openReports = vigil.capabilities.citizenReports.service.list(commander, true).length;
    assert.ok(openReports > 0, 'the commander sees the police report');
    await signInAt(page, `${vigil.url}/incidents`, 'commander');
    await page.waitForSelector('[data-testid=command-map][data-ready=yes]');
    await page.waitForFunction((n) => document.querySelector('[data-overlay=hospitals]')?.getAttribute('data-count') === String(n), hospitalsWithPosition, {
      timeout: 10_000,
    });
    await page.waitForFunction((n) => document.querySelector('[data-overlay=citizen-reports]')?.getAttribute('data-count') === String(n), openReports, {
      timeout: 10_000,
    });
    await page.waitForSelector('.live-indicator.on');
    // A hospital's popup: its emergency department's status in words (not "ED: Advisory"), one popup for one click.
    const map = page.locator('[data-testid=command-map]');
    await page.waitForFunction(() => document.querySelector('[data-testid=command-map]')?.hasAttribute('data-point-hospitals'), null, { timeout: 60_000 });
    const [hx, hy] = (await map.getAttribute('data-point-hospitals'))!.split(',').map(Number) as [number, number];
    await map.click({ position: { x: hx, y: hy } });
    const hospital = await expectText(page.locator('[data-testid=hospital-popup]'), /Centre Hospitalier Princesse Grace/);
    assert.match(hospital, /ED advisory/);
    assert.doesNotMatch(hospital, /ED: /);
    assert.equal(await page.locator('.maplibregl-popup').count(), 1, 'one popup for one click');
    await page.locator('.maplibregl-popup-close-button').click();
    // Without a selection the map is framed on what matters, not on a fixed view: every open incident,
    // every unit on duty and the city's boundary are inside what it shows.
    type Pos = [number, number];
    const board = (await page.request.get(`${vigil.url}/api/incidents`).then((r) => r.json())) as {
      incidents: { status: string; location: { position: Pos } }[];
    };
    const fleet = (await page.request.get(`${vigil.url}/api/units`).then((r) => r.json())) as {
      units: { status: string; position?: { position: Pos } | null; homePosition: Pos }[];
    };
    const areas = (await page.request.get(`${vigil.url}/api/city/areas`).then((r) => r.json())) as {
      features: { geometry: { type: string; coordinates: unknown }; properties: { level: string } }[];
    };
    const cityCorners: Pos[] = [];
    const walk = (c: unknown): void => {
      if (Array.isArray(c) && typeof c[0] === 'number') cityCorners.push(c as unknown as Pos);
      else if (Array.isArray(c)) for (const x of c) walk(x);
    };
    for (const f of areas.features.filter((x) => x.properties.level === 'city' && x.geometry.type !== 'Point')) walk(f.geometry.coordinates);
    assert.ok(cityCorners.length > 0, 'the demo city has a boundary');
    const mustShow: Pos[] = [
      ...board.incidents.filter((i) => i.status !== 'closed').map((i) => i.location.position),
      ...fleet.units.filter((u) => u.status !== 'out-of-service').map((u) => u.position?.position ?? u.homePosition),
    ];
    assert.ok(board.incidents.length > 0 && fleet.units.length > 0, 'the demo has open incidents and units on duty');
    const shows = (points: Pos[]) => {
      const b = document.querySelector('[data-testid=command-map]')?.getAttribute('data-bounds')?.split(',').map(Number);
      return !!b && points.every(([x, y]) => x >= b[0]! && x <= b[2]! && y >= b[1]! && y <= b[3]!);
    };
    const everything = [...mustShow, ...cityCorners];
    await page.waitForFunction(shows, everything, { timeout: 10_000 }).catch(() => {});
    const bounds = (await page.locator('[data-testid=command-map]').getAttribute('data-bounds'))!.split(',').map(Number);
    const outside = everything.filter(([x, y]) => !(x >= bounds[0]! && x <= bounds[2]! && y >= bounds[1]! && y <= bounds[3]!));
    assert.deepEqual(outside, [], `the overview (${bounds.join(', ')}) shows every open incident, unit on duty and the city's boundary`);
    // Fitted to that subject, not a fixed view: the frame asked for is their bounding box (units move a little meanwhile).
    const fitted = (await page.locator('[data-testid=command-map]').getAttribute('data-fitted'))!.split(',').map(Number);
    const [xs, ys] = [everything.map((p) => p[0]), everything.map((p) => p[1])];
    const subject = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    assert.ok(
      fitted.every((v, k) => Math.abs(v - subject[k]!) < 0.002),
      `the overview is framed on the open incidents, units on duty and the city (${fitted.join(', ')} against ${subject.join(', ')})`,
    );
    assert.equal(await overlayCount(page, 'closures'), 0);
    // The major events' features the police commander may see, and the race's crowd zones by density level.
    const race = [...vigil.capabilities.events.service.state.events.values()].find((e) => e.name === 'Harbour Grand Prix')!;
    const crowdZones = [...vigil.capabilities.crowd.service.state.zones.values()].filter((z) => z.eventId === race.eventId).length;
    await page.waitForFunction((n) => document.querySelector('[data-overlay=crowd]')?.getAttribute('data-count') === String(n), crowdZones, {
      timeout: 10_000,
    });
    await page.waitForFunction(() => Number(document.querySelector('[data-overlay=events]')?.getAttribute('data-count')) > 0, undefined, { timeout: 10_000 });
    const visible = (await page.request.get(`${vigil.url}/api/events`).then((r) => r.json())) as { events: { eventId: string; status: string }[] };
    let features = 0;
    for (const e of visible.events.filter((x) => x.status !== 'ended'))
      features += ((await page.request.get(`${vigil.url}/api/events/${e.eventId}`).then((r) => r.json())) as { features: unknown[] }).features.length;
    assert.equal(await overlayCount(page, 'events'), features, 'exactly the features the commander may see');

    // A closure drawn elsewhere (here over the API, with the commander's session) reaches the open map over the live feed.
    const created = await page.request.post(`${vigil.url}/api/routing/closures`, {
      data: {
        geometry: {
          type: 'LineString',
          coordinates: [
            [7.4195, 43.7385],
            [7.4215, 43.7392],
          ],
        },
        reason: 'burst water main',
      },
    });
    assert.ok(created.ok(), await created.text());
    await page.waitForFunction(() => document.querySelector('[data-overlay=closures]')?.getAttribute('data-count') === '1', undefined, { timeout: 10_000 });

    await page.waitForTimeout(500); // the GeoJSON layers paint after setData
    await page.screenshot({ path: process.env.VIGIL_SCREENSHOT_COMMAND_MAP ?? '/tmp/vigil-command-map.png' });
    // Station isochrones: one 4/8/12-minute band set per distinct unit home station.
    const stations = new Set(
      [...vigil.capabilities.units.service.state.units.values()].map((u) => `${u.homePosition[0].toFixed(4)},${u.homePosition[1].toFixed(4)}`),
    );
    await page.locator('[data-overlay=isochrones] input').check();
    await page.waitForFunction(() => Number(document.querySelector('[data-overlay=isochrones]')?.getAttribute('data-count')) > 0, undefined, {
      timeout: 20_000,
    });
    assert.equal(await overlayCount(page, 'isochrones'), Math.min(stations.size, 8) * 3);
    await page.waitForTimeout(500);
    await page.screenshot({ path: '/tmp/vigil-command-map-isochrones.png' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
