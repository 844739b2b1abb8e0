import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { haversineM } from '../../src/kernel/geo.js';
import { launchChromium, signInAt, startDemoNode } from './browser.js';

const SHOTS = process.env.VIGIL_SCREENSHOT_DIR ?? '/tmp';

/** Waits until a map container reports a rendered count above zero for `group` (see exposeRendered). */
async function rendered(page: import('playwright-core').Page, selector: string, group: string): Promise<number> {
  await page.waitForFunction(([s, g]) => Number(document.querySelector(s!)?.getAttribute(`data-rendered-${g}`) ?? 0) > 0, [selector, group], {
    timeout: 30_000,
  });
  return Number(await page.locator(selector).getAttribute(`data-rendered-${group}`));
}

/**
 * The city map is framed on the city (its boundary), as the command map's overview is: the frame asked for
 * (data-fitted) is the boundary's bounding box, and what the map shows (data-bounds) holds all of it.
 */
async function assertFramedOnCity(page: import('playwright-core').Page, base: string): Promise<void> {
  const areas = (await (await fetch(`${base}/api/city/areas`)).json()) as {
    features: { geometry: { type: string; coordinates: unknown }; properties: { level: string } }[];
  };
  const corners: [number, number][] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') corners.push(c as unknown as [number, number]);
    else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  for (const f of areas.features.filter((x) => x.properties.level === 'city' && x.geometry.type !== 'Point')) walk(f.geometry.coordinates);
  assert.ok(corners.length > 0, 'the demo city has a boundary');
  const [xs, ys] = [corners.map((p) => p[0]), corners.map((p) => p[1])];
  const subject = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  await page.waitForSelector('[data-testid=map][data-fitted][data-bounds]');
  const shows = (s: number[]) => {
    const b = document.querySelector('[data-testid=map]')?.getAttribute('data-bounds')?.split(',').map(Number);
    return !!b && b[0]! <= s[0]! && b[1]! <= s[1]! && b[2]! >= s[2]! && b[3]! >= s[3]!;
  };
  await page.waitForFunction(shows, subject, { timeout: 10_000 }).catch(() => {});
  const bounds = (await page.locator('[data-testid=map]').getAttribute('data-bounds'))!.split(',').map(Number);
  assert.ok(
    bounds[0]! <= subject[0]! && bounds[1]! <= subject[1]! && bounds[2]! >= subject[2]! && bounds[3]! >= subject[3]!,
    `the city map (${bounds.join(', ')}) shows the whole city (${subject.join(', ')})`,
  );
  const fitted = (await page.locator('[data-testid=map]').getAttribute('data-fitted'))!.split(',').map(Number);
  assert.ok(
    fitted.every((v, k) => Math.abs(v - subject[k]!) < 1e-4),
    `the city map is framed on the city's boundary (${fitted.join(', ')} against ${subject.join(', ')})`,
  );
  // Fitted, not the extract's box with the sea around it: the city fills most of the frame one way or the other.
  const fill = Math.max((subject[2]! - subject[0]!) / (bounds[2]! - bounds[0]!), (subject[3]! - subject[1]!) / (bounds[3]! - bounds[1]!));
  assert.ok(fill > 0.6, `the city fills the map (${fill.toFixed(2)} of its width or height)`);
}

/**
 * Maps for a control room: street and place labels drawn with the fonts Vigil serves itself
 * (no outside request), device markers clustered, site markers above devices, and the
 * command map framed on the incident with its recommended units.
 */
test('maps: self-hosted label fonts, street and place labels, clustered devices, incident framing', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off' });
  await vigil.capabilities.routing.loaded;
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const fonts: { url: string; status: number }[] = [];
    const outside: string[] = [];
    const failed: string[] = [];
    const errors: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/fonts/')) fonts.push({ url: r.url(), status: r.status() });
      if (r.status() >= 400 && !r.url().endsWith('/api/me')) failed.push(`${r.status()} ${r.url()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(vigil.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) outside.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAt(page, `${vigil.url}/`, 'admin');
    await page.waitForSelector('[data-testid=areas] li');
    await assertFramedOnCity(page, vigil.url);

    // Labels: the symbol layers have features on screen once the fonts came from Vigil.
    const places = await rendered(page, '[data-testid=map]', 'places');
    assert.ok(places >= 4, `neighbourhood and place names rendered: ${places}`);
    assert.ok(fonts.length > 0, 'the label font files were requested');
    for (const f of fonts) assert.equal(f.status, 200, `${f.url} answered ${f.status}`);
    assert.deepEqual(outside, [], 'no request leaves Vigil (no tile, glyph or font server)');

    // Every neighbourhood has a shape: the two named places without a boundary are Voronoi cells, not points.
    const areas = (await (await fetch(`${vigil.url}/api/city/areas`)).json()) as {
      features: { geometry: { type: string }; properties: { name: string; derived: string | null } }[];
    };
    const condamine = areas.features.find((f) => f.properties.name === 'La Condamine')!;
    assert.equal(condamine.geometry.type, 'MultiPolygon');
    assert.equal(condamine.properties.derived, 'voronoi');

    // Devices: clustered at city zoom; sites are drawn above them.
    const clusters = await rendered(page, '[data-testid=map]', 'clusters');
    assert.ok(clusters > 0, 'device clusters at city zoom');
    const order = ((await page.locator('[data-testid=map]').getAttribute('data-layer-order')) ?? '').split(' ');
    assert.ok(order.indexOf('sites') > order.indexOf('devices') && order.indexOf('devices') >= 0, `sites above devices: ${order.join(' ')}`);
    assert.equal(order.at(-1), 'place-labels', 'place names on top');
    await page.getByRole('button', { name: 'La Condamine' }).click();
    const streets = await rendered(page, '[data-testid=map]', 'streets');
    assert.ok(streets > 0, `street names rendered: ${streets}`);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${SHOTS}/map-city-1440.png` });

    // Two units' tracks played back on a timeline: ten minutes of AVL fixes, the second unit starting later.
    const [first, second] = [...vigil.capabilities.units.service.state.units.values()];
    const avl = await mqtt.connectAsync(`mqtt://127.0.0.1:${vigil.capabilities.alarms.receiver.mqttPort!}`, {
      clientId: 'avl-maps-e2e',
      ...vigil.capabilities.mqttInternal,
    });
    const now = Date.now();
    for (const [u, startMin] of [
      [first!, 10],
      [second!, 5],
    ] as const) {
      for (let m = startMin; m >= 0; m--) {
        const [lon, lat] = u.homePosition;
        const fix = { lon: lon + (startMin - m) * 0.0004, lat: lat + (startMin - m) * 0.0002, speed: 8, at: new Date(now - m * 60_000).toISOString() };
        await avl.publishAsync(`vigil/units/${u.unitId}/position`, JSON.stringify(fix), { qos: 1 });
      }
    }
    await avl.endAsync();
    const player = page.locator('[data-testid=track-playback]');
    await player.getByLabel(first!.callSign, { exact: true }).check();
    await player.getByLabel(second!.callSign, { exact: true }).check();
    await page.waitForFunction(
      (ids) =>
        Promise.all(ids.map((id) => fetch(`/api/units/${id}/track`).then((r) => r.json() as Promise<{ fixes: unknown[] }>))).then((t) =>
          t.every((x) => x.fixes.length > 0),
        ),
      [first!.unitId, second!.unitId],
      { timeout: 30_000 },
    );
    await page.click('[data-testid=load-tracks]');
    const timeline = page.locator('[data-testid=track-timeline]');
    await timeline.waitFor();
    assert.equal(await timeline.getAttribute('data-heads'), '1', 'at the start only the first unit has a position');
    await timeline.getByLabel('Playback speed').selectOption('300');
    await page.click('[data-testid=play-tracks]');
    await page.waitForFunction(() => document.querySelector('[data-testid=track-timeline]')?.getAttribute('data-heads') === '2', null, { timeout: 30_000 });
    await rendered(page, '[data-testid=map]', 'tracks');
    await page.waitForTimeout(1000);
    await page.screenshot({ path: `${SHOTS}/map-tracks-1440.png` });

    // The command map frames the new incident with its recommended units.
    const units = [...vigil.capabilities.units.service.state.units.values()];
    const sites = [...vigil.capabilities.city.service.state.sites.values()].filter((s) => s.name && s.category !== 'building');
    const site = sites.sort((a, b) => haversineM(a.position, units[0]!.homePosition) - haversineM(b.position, units[0]!.homePosition))[5]!;
    const desk = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    desk.on('pageerror', (e) => errors.push(`desk: ${e.message}`));
    await signInAt(desk, `${vigil.url}/incidents`, 'commander');
    await desk.waitForSelector('[data-testid=incident-board]');
    await desk.click('[data-testid=new-incident]');
    await desk.selectOption('select[aria-label="Incident type"]', 'fire');
    await desk.fill('input[aria-label="Site or address"]', site.name!);
    await desk.fill('textarea[aria-label=Description]', 'Smoke in the stairwell');
    await desk.click('button[type=submit]');
    await desk.waitForSelector('[data-testid=recommendation] tbody tr');
    const recommended = await desk.locator('[data-testid=recommendation] tbody tr').first().getAttribute('data-unit');
    const unit = units.find((u) => u.callSign === recommended)!;
    // The frame (data-fitted: the bounds fitTo was given) holds the incident and the recommended unit.
    const framed = await desk.waitForFunction(
      ([a, b]) => {
        // No named inner function: the test's transpiler would wrap it in a helper the page does not have.
        const box = document.querySelector('[data-testid=command-map]')?.getAttribute('data-fitted')?.split(',').map(Number);
        if (!box) return false;
        const ok = [a!, b!].every((p) => p[0]! >= box[0]! - 1e-4 && p[0]! <= box[2]! + 1e-4 && p[1]! >= box[1]! - 1e-4 && p[1]! <= box[3]! + 1e-4);
        return ok ? box.join(',') : false;
      },
      [site.position, unit.position?.position ?? unit.homePosition],
      { timeout: 30_000 },
    );
    const box = String(await framed.jsonValue());
    assert.ok(box.split(',').length === 4, `framed on ${box}`);
    await desk.waitForTimeout(800);
    await desk.screenshot({ path: `${SHOTS}/map-incident-1440.png` });

    // The event map is framed on the event's perimeter.
    await desk.goto(`${vigil.url}/events`);
    await desk.waitForSelector('[data-testid=event-map][data-loaded=true]');
    const perimeter = await desk.evaluate(async () => {
      const list = (await (await fetch('/api/events')).json()) as { events: { eventId: string; status: string }[] };
      const ev = list.events.find((e) => e.status !== 'ended')!;
      const view = (await (await fetch(`/api/events/${ev.eventId}`)).json()) as { features: { kind: string; geometry: { coordinates: number[][][] } }[] };
      return view.features.find((f) => f.kind === 'perimeter')!.geometry.coordinates[0]!;
    });
    const fittedEvent = await desk.waitForFunction(() => document.querySelector('[data-testid=event-map]')?.getAttribute('data-fitted'), null, {
      timeout: 30_000,
    });
    const eventBox = String(await fittedEvent.jsonValue())
      .split(',')
      .map(Number);
    const expected = [
      Math.min(...perimeter.map((p) => p[0]!)),
      Math.min(...perimeter.map((p) => p[1]!)),
      Math.max(...perimeter.map((p) => p[0]!)),
      Math.max(...perimeter.map((p) => p[1]!)),
    ];
    expected.forEach((x, i) => assert.ok(Math.abs(x - eventBox[i]!) < 1e-4, `event frame ${eventBox.join(',')} is the perimeter's ${expected.join(',')}`));

    // On a phone the city map still labels and clusters.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    phone.on('pageerror', (e) => errors.push(`phone: ${e.message}`));
    await signInAt(phone, `${vigil.url}/`, 'admin');
    await phone.waitForSelector('[data-testid=areas] li');
    await assertFramedOnCity(phone, vigil.url);
    assert.ok((await rendered(phone, '[data-testid=map]', 'places')) > 0, 'place names on a phone');
    await phone.waitForTimeout(800);
    await phone.screenshot({ path: `${SHOTS}/map-city-390.png`, fullPage: false });

    assert.deepEqual(errors, [], 'no page errors');
    assert.deepEqual(
      failed.filter((f) => !/\/api\/(alarms|audit)/.test(f)),
      [],
      'no failed request',
    );
  } finally {
    await browser.close();
    await close();
  }
});
