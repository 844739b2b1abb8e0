import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium, signInAt, startDemoNode, expectText } from './browser.js';

/** An operator routes across Monaco on the map, closes a road by drawing across it, reopens it; the page is screenshotted. */
test('routing page: a route drawn by clicks, a closure drawn across roads and reopened', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  try {
    await vigil.capabilities.routing.loaded;
    const errors: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAt(page, `${vigil.url}/routing`, 'operator');
    await page.waitForSelector('[data-testid=routing-map][data-loaded=true]', { state: 'attached', timeout: 60_000 });
    const box = (await page.locator('[data-testid=routing-map]').boundingBox())!;
    // Two clicks on the map: start (west) and destination (east).
    await page.mouse.click(box.x + box.width * 0.35, box.y + box.height * 0.6);
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.4);
    const summary = page.locator('[data-testid=route-summary]');
    await summary.waitFor({ timeout: 30_000 });
    await expectText(summary, /\d+\.\d\d km · \d+ min/);
    // Close roads: two clicks across the map's middle; the closure is listed, recorded in the log.
    await page.getByRole('button', { name: 'Close roads' }).click();
    await page.mouse.click(box.x + box.width * 0.48, box.y + box.height * 0.3);
    await page.mouse.click(box.x + box.width * 0.52, box.y + box.height * 0.7);
    await page.locator('[data-testid=closures] li').first().waitFor({ timeout: 30_000 });
    assert.equal(vigil.capabilities.routing.service.state.closures.size, 1);
    await page.screenshot({ path: 'docs/routing-screenshot.png' });
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.locator('[data-testid=closures] li').waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(vigil.capabilities.routing.service.state.closures.size, 0);
    // An evacuation plan: the hazard is drawn (now, and at the plan's horizon) with its assembly points, named by the legend.
    await page.getByRole('button', { name: 'Evacuation' }).click();
    await page.mouse.click(box.x + box.width * 0.45, box.y + box.height * 0.55);
    await page.locator('[data-testid=evacuation-summary]').waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=routing-map]')?.getAttribute('data-rendered-hazard') ?? 0) >= 2, undefined, {
      timeout: 30_000,
    });
    await expectText(page.getByTestId('routing-map-legend'), /Hazard now\s+Hazard in 15 min\s+Assembly point/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
