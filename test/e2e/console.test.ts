import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dc09Client } from '../../src/adapters/protocols/dc09/dc09-client.js';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { launchChromium, startDemoNode } from './browser.js';

/** A fire alarm from a panel's DC-09 frame over TCP to its closing by an operator in the console. */
test('operator console: DC-09 frame → live queue → claim, acknowledge, close (keyboard)', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${vigil.url}/alarms`);
    await page.fill('input[name=username]', 'operator');
    await page.fill('input[name=password]', 'vigil-demo');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=alarm-stats]');
    await page.waitForSelector('.live-indicator.on');
    assert.match(await page.locator('[data-testid=alarm-stats]').innerText(), /^0 open alarms/);

    // A panel of the demo MARC, at a hotel, reports a fire in zone 2.
    const state = vigil.capabilities.city.service.state;
    const panel = [...state.devices.values()].find((d) => d.kind === 'alarm-panel' && state.sites.get(d.siteId!)?.category === 'hotel')!;
    const client = await Dc09Client.connect('127.0.0.1', vigil.capabilities.alarms.receiver.tcpPort!);
    const reply = await client.send(signalFrame({ id: 'SIA-DCS', seq: 1, account: panel.account!, data: 'Nri1/FA002', now: Date.now() }));
    client.close();
    assert.equal(reply.kind, 'ACK');

    // It appears in the queue without a reload, pushed over the WebSocket.
    await page.waitForSelector('[data-testid=alarm-queue] li');
    const item = await page.locator('[data-testid=alarm-queue] li').first().innerText();
    assert.match(item, /fire/i);
    assert.match(item, /Fire alarm — zone 002 — /);
    // The same alarm is on the city map, for the one picture.
    await page.getByRole('button', { name: 'Map' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=map-alarms]')?.textContent?.startsWith('1 open alarms'));
    await page.getByRole('button', { name: 'Alarms' }).click();
    await page.waitForSelector('[data-testid=alarm-queue] li');
    await page.locator('[data-testid=alarm-queue] li').first().click();
    await page.waitForSelector('[data-testid=alarm-signals] tbody tr');
    assert.match(await page.locator('[data-testid=alarm-signals]').innerText(), /FA\s+Fire alarm \(fire, alarm\)\s+002/);

    // Keyboard: c claims, a acknowledges; then the closing note and Enter.
    await page.keyboard.press('c');
    await page.waitForFunction(() => document.querySelector('[data-testid=alarm-queue] li .status')?.textContent?.startsWith('claimed'));
    await page.keyboard.press('a');
    await page.waitForFunction(() => document.querySelector('[data-testid=alarm-queue] li .status')?.textContent?.startsWith('acknowledged'));
    // The fire plan: closing is refused until the fire service was notified.
    await page.selectOption('select[aria-label=Resolution]', 'genuine');
    await page.keyboard.press('x');
    await page.keyboard.type('first try');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[role=alert]');
    assert.match(await page.locator('[role=alert]').innerText(), /mandatory steps are not done: Notify the fire service/);
    assert.ok((await page.locator('[data-testid=verification]').innerText()).includes('Site camera'));
    await page.fill('input[aria-label="Outcome of fire-service"]', 'Fire service dispatched, ref 4711');
    await page.locator('[data-step=fire-service] button').click();
    await page.waitForSelector('[data-step=fire-service].done');
    await page.fill('input[aria-label="Closing note"]', '');
    await page.keyboard.press('x');
    await page.keyboard.type('Kitchen fire, guests evacuated, fire service on site');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=alarm-stats]')?.textContent?.startsWith('0 open alarms'));
    assert.match(await page.locator('[data-testid=alarm-stats]').innerText(), /ack ≤ 30 s: 100 %/);
    const closed = (await vigil.ctx.log.read({ typePrefixes: ['alarms.alarm.closed'] }))[0]!;
    assert.equal((closed.data as { resolution: string }).resolution, 'genuine');
    assert.match(closed.actor, /^user:/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});

test('supervisor console: account key, EN 50136 preset and opening hours set from the UI', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    await page.goto(`${vigil.url}/alarms`);
    await page.fill('input[name=username]', 'supervisor');
    await page.fill('input[name=password]', 'vigil-demo');
    await page.click('button[type=submit]');
    await page.getByRole('button', { name: 'Accounts and plans' }).click();
    await page.waitForSelector('[data-testid=accounts-panel] .plan-card'); // plans and presets arrive together
    assert.match(await page.locator('[data-testid=accounts-panel]').innerText(), /Intrusion[\s\S]*Verify on the cameras/);
    await page.fill('input[aria-label=Account]', '1000');
    await page.fill('input[aria-label="AES key"]', '00112233445566778899AABBCCDDEEFF');
    await page.selectOption('select[aria-label="Supervision preset"]', 'SP5');
    await page.fill('input[aria-label="Opens (Mon–Fri)"]', '08:30');
    await page.fill('input[aria-label="Closes (Mon–Fri)"]', '18:00');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForSelector('[data-testid=accounts] tbody tr');
    const row = await page.locator('[data-testid=accounts] tbody tr').first().innerText();
    assert.match(row, /1000\s+AES ✓\s+SP5\s+UTC\s+08:30–18:00 \(\+15 min\)\s+ok/);
    assert.ok(!(await page.content()).includes('00112233445566778899AABBCCDDEEFF'.slice(8)), 'the key is not shown back');
    const account = vigil.capabilities.alarms.service.state.accounts.get('1000')!;
    assert.equal(account.supervisionSeconds, 90);
    assert.deepEqual(account.schedule?.days[1], { open: '08:30', close: '18:00' });
  } finally {
    await browser.close();
    await close();
  }
});
