import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium, signInAt, startDemoNode } from './browser.js';

/** A commander draws a new crowd zone for the race on the Crowd page: outline, densities, counter, event. */
test('crowd zone defined in the browser: outline drawn, thresholds, counter, linked to a major event', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off' });
  try {
    const errors: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAt(page, `${vigil.url}/crowd`, 'commander');
    await page.waitForSelector('[data-testid=crowd-zones] tbody tr');
    await page.click('[data-testid=new-zone]');
    await page.fill('input[aria-label="Zone name"]', 'Stade Louis II forecourt');
    const map = page.locator('[data-testid=zone-form] [data-testid=area-map]');
    await map.waitFor();
    await page.waitForTimeout(1000); // the map's style loads before it takes clicks
    const box = (await map.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    for (const [dx, dy] of [
      [-12, -12],
      [12, -12],
      [12, 12],
      [-12, 12],
    ] as const)
      await page.mouse.click(cx + dx, cy + dy);
    await page.waitForFunction(() => document.querySelector('[data-testid=zone-form] [data-testid=area-points]')?.textContent === '4 corners');
    await page.fill('input[aria-label="Warning density"]', '1.5');
    await page.fill('input[aria-label="Critical density"]', '3');
    await page.fill('input[aria-label="Occupancy counters"]', 'cam:stade-forecourt');
    const race = [...vigil.capabilities.events.service.state.events.values()].find((e) => e.name === 'Harbour Grand Prix')!;
    await page.selectOption('select[aria-label="Zone event"]', race.eventId);
    await page.click('[data-testid=save-zone]');
    await page.waitForSelector('[data-testid=crowd-zones] tr:has-text("Stade Louis II forecourt")');
    const zone = [...vigil.capabilities.crowd.service.state.zones.values()].find((z) => z.name === 'Stade Louis II forecourt')!;
    assert.equal(zone.eventId, race.eventId);
    assert.deepEqual([zone.warningDensity, zone.criticalDensity, zone.occupancyCounters], [1.5, 3, ['cam:stade-forecourt']]);
    assert.equal(zone.polygon.coordinates[0]!.length, 5, 'four corners, closed');
    assert.ok(zone.areaM2 > 10 && zone.areaM2 < 1_000_000, `area ${zone.areaM2} m²`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
