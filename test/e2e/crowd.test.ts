import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { expectText, launchChromium, signInAt, startDemoNode } from './browser.js';

/**
 * People counts published over MQTT push Place du Casino to warning then critical;
 * the crowd alarm appears in the alarm queue; the commander sees the suggestion to
 * close the north gate on the Crowd page and applies it. Screenshot: docs/crowd-screenshot.png.
 */
test('crowd page: MQTT counts raise Place du Casino to warning then critical, the alarm appears, the commander closes the feeding gate', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_CROWD_WINDOW_MS: '200' });
  const counters = await mqtt.connectAsync(`mqtt://127.0.0.1:${vigil.capabilities.alarms.receiver.mqttPort}`, {
    clientId: 'crowd-e2e',
    ...vigil.capabilities.mqttInternal,
  });
  try {
    await vigil.capabilities.routing.loaded;
    const square = vigil.capabilities.crowd.service.state.zones.get('czn:casino-square')!;
    const half = (density: number) => Math.round((density * square.areaM2) / 2);
    const publish = (counter: string, m: object) =>
      counters.publishAsync(`vigil/sensors/${counter}/events`, JSON.stringify({ type: 'people-count', state: 'normal', ...m }), { qos: 1 });
    const errors: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAt(page, `${vigil.url}/crowd`, 'commander');
    await page.waitForSelector('[data-testid=crowd-map][data-loaded=true]', { state: 'attached', timeout: 60_000 });
    // The shared legend names the levels in the colours the zones are drawn in.
    await expectText(page.getByTestId('crowd-map-legend'), /normal\s+warning\s+critical/);
    const row = page.locator('[data-testid=crowd-zones] tr[data-zone="czn:casino-square"]');
    await row.waitFor({ timeout: 30_000 });
    assert.equal(await row.getAttribute('data-level'), 'normal');

    // Warning: both cameras of the square count people; the north gate's line counter sees them come in.
    await Promise.all([
      publish('cam:casino-square:west', { value: half(2.3) }),
      publish('cam:casino-square:east', { value: half(2.3) }),
      publish('line:casino-north', { in: 1200, out: 50 }),
    ]);
    await page.locator('[data-testid=crowd-zones] tr[data-zone="czn:casino-square"][data-level=warning]').waitFor({ timeout: 30_000 });
    // Critical, live, without reloading the page.
    await Promise.all([
      publish('cam:casino-square:west', { value: half(4.4) }),
      publish('cam:casino-square:east', { value: half(4.4) }),
      publish('line:casino-north', { in: 900, out: 30 }),
    ]);
    await page.locator('[data-testid=crowd-zones] tr[data-zone="czn:casino-square"][data-level=critical]').waitFor({ timeout: 30_000 });
    const suggestion = page.locator('[data-testid=crowd-suggestions] li[data-suggestion="close:gte:casino-north"]');
    await suggestion.waitFor({ timeout: 30_000 });
    assert.match(await suggestion.innerText(), /Close Casino north gate/);
    await page.locator('[data-testid=crowd-suggestions] li[data-suggestion^="reroute:"]').waitFor({ timeout: 30_000 });
    await page.waitForSelector('[data-testid=crowd-map][data-drawn*=critical]', { state: 'attached', timeout: 30_000 });
    await page.screenshot({ path: 'docs/crowd-screenshot.png' });

    // The alarm is in the queue the commander sees.
    const alarms = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signInAt(alarms, `${vigil.url}/alarms`, 'commander');
    await alarms
      .getByText(/Crowd density (warning|critical).*Place du Casino/)
      .first()
      .waitFor({ timeout: 30_000 });
    await alarms.close();

    // The commander applies it: the gate is closed, and the foot graph with it.
    await suggestion.getByRole('button', { name: 'Apply' }).click();
    await page.locator('[data-testid=crowd-gates] tr[data-gate="gte:casino-north"][data-state=closed]').waitFor({ timeout: 30_000 });
    await suggestion.waitFor({ state: 'detached', timeout: 30_000 });
    const gate = vigil.capabilities.crowd.service.state.gates.get('gte:casino-north')!;
    assert.equal(gate.state, 'closed');
    assert.ok(gate.closureId && vigil.capabilities.routing.service.state.closures.has(gate.closureId));
    assert.deepEqual(errors, []);
  } finally {
    await counters.endAsync();
    await browser.close();
    await close();
  }
});
