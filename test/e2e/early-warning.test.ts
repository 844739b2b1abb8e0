import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { launchChromium, signInAt, startDemoNode, expectText } from './browser.js';

/** An officer defines a rule in the UI; a gauge publishes rising water over MQTT; the draft appears live in a second officer's console, who approves it. */
test('early warning in the browser: a rule made in the rules panel drafts an alert from MQTT readings, seen live and approved by a second officer', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off' });
  const gaugeSensor = await mqtt.connectAsync(`mqtt://127.0.0.1:${vigil.capabilities.alarms.receiver.mqttPort!}`, {
    clientId: 'e2e-gauge',
    ...vigil.capabilities.mqttInternal,
  });
  try {
    const errors: string[] = [];
    const gauge = [...vigil.capabilities.city.service.state.devices.values()].find((d) => d.kind === 'water-level-sensor')!;
    const author = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    author.on('pageerror', (e) => errors.push(e.message));
    await signInAt(author, `${vigil.url}/alerts`, 'alert-officer');
    await author.getByRole('button', { name: 'Early-warning rules' }).click();
    await author.getByRole('button', { name: 'New rule' }).click();
    await author.fill('input[aria-label="Rule name"]', 'Harbour gauge above 2 m');
    await author.waitForSelector(`select[aria-label=Device] option[value="${gauge.id}"]`, { state: 'attached' });
    await author.selectOption('select[aria-label=Device]', gauge.id);
    await author.fill('input[aria-label=Threshold]', '2');
    await author.fill('input[aria-label=Hysteresis]', '0.3');
    await author.fill('input[aria-label=Readings]', '3');
    await author.fill('input[aria-label=Seconds]', '0');
    await author.waitForSelector('select[aria-label="Rule template"] option[value=flood]', { state: 'attached' });
    await author.selectOption('select[aria-label="Rule template"]', 'flood');
    await author.fill('input[aria-label=Radius]', '0.5');
    await author.screenshot({ path: process.env.VIGIL_SCREENSHOT_RULE_FORM ?? '/tmp/vigil-rule-form.png', fullPage: true });
    await author.getByRole('button', { name: 'Save rule' }).click();
    const card = author.locator('[data-testid=rule-list] li', { hasText: 'Harbour gauge above 2 m' });
    await card.waitFor();
    assert.equal(await card.locator('[data-testid=rule-state]').textContent(), 'armed');
    await expectText(card, /water-level above 2 m \(clears at 1\.7 m\) · 3 reading\(s\) \/ 0 s · 1 sensor\(s\)/);

    // The duty officer watches the queue.
    const approver = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    approver.on('pageerror', (e) => errors.push(e.message));
    await signInAt(approver, `${vigil.url}/alerts`, 'duty-officer');
    await approver.waitForSelector('[data-testid=alert-list]', { state: 'attached' });
    assert.equal(await approver.locator('[data-testid=sensor-marker]').count(), 0);

    for (const value of [1.5, 2.2, 2.3, 2.4, 2.6]) {
      await gaugeSensor.publishAsync(`vigil/sensors/${gauge.id}/events`, JSON.stringify({ type: 'water-level', state: 'normal', value, unit: 'm' }), {
        qos: 1,
      });
    }
    // Live, without a reload: the sensor-drafted alert appears once, marked.
    const drafted = approver.locator('[data-testid=alert-list] li.sensor-drafted');
    await drafted.first().waitFor();
    assert.equal(await drafted.count(), 1);
    // The headline in the reader's language (English here), whichever block comes first.
    await expectText(drafted, /sensor\s+Awaiting approval\s+Flash flood[\s\S]*Harbour gauge above 2 m/i);
    await author.waitForFunction(() => document.querySelector('[data-testid=rule-state]')?.textContent === 'draft waiting');
    await expectText(card.locator('[data-testid=rule-readings]'), /Water level gauge — .*: 2\.6 m/);
    await drafted.click();
    const trigger = await approver.locator('[data-testid=alert-trigger]').innerText();
    assert.match(trigger, /Harbour gauge above 2 m/);
    assert.match(trigger, new RegExp(`${gauge.id}: 2\\.2 m[\\s\\S]*${gauge.id}: 2\\.3 m[\\s\\S]*${gauge.id}: 2\\.4 m`));
    await approver.screenshot({ path: process.env.VIGIL_SCREENSHOT_SENSOR_DRAFT ?? '/tmp/vigil-sensor-draft.png' });
    await approver.getByRole('button', { name: 'Approve and issue' }).click();
    await approver.waitForFunction(() => document.querySelector('[data-testid=alert-state]')?.textContent === 'Issued');
    // The rule stays triggered (the water is still high) until the level clears.
    await author.waitForFunction(() => document.querySelector('[data-testid=rule-state]')?.textContent === 'triggered');
    await author.screenshot({ path: process.env.VIGIL_SCREENSHOT_RULES ?? '/tmp/vigil-rules.png' });
    assert.equal([...vigil.capabilities.alerts.service.state.alerts.values()].filter((a) => a.origin === 'sensor-rule' && a.state === 'issued').length, 1);
    assert.deepEqual(errors, []);
  } finally {
    await gaugeSensor.endAsync();
    await browser.close();
    await close();
  }
});
