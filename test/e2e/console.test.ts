import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Dc09Client } from '../../src/adapters/protocols/dc09/dc09-client.js';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { frameDecisionEvent } from '../../src/alarms/contract.js';
import { launchChromium, signInAt, startDemoNode, expectText } from './browser.js';

/** A fire alarm from a panel's DC-09 frame over TCP to its closing by an operator in the console. */
test('operator console: DC-09 frame → live queue → take and acknowledge in one key, close with a chosen resolution (keyboard)', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAt(page, `${vigil.url}/alarms`, 'operator');
    await page.waitForSelector('[data-testid=alarm-stats]');
    await page.waitForSelector('.live-indicator.on');
    await expectText(page.locator('[data-testid=alarm-stats]'), /^0 open alarms/);

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
    await page.waitForFunction(() => document.querySelector('[data-testid=map-alarms]')?.textContent?.startsWith('1 open alarm'));
    await page.getByRole('button', { name: 'Alarms' }).click();
    await page.waitForSelector('[data-testid=alarm-queue] li');
    await page.locator('[data-testid=alarm-queue] li').first().click();
    await page.waitForSelector('[data-testid=alarm-signals] tbody tr');
    await expectText(page.locator('[data-testid=alarm-signals]'), /FA\s+Fire alarm \(Fire, alarm\)\s+002/);

    // Nothing is chosen for the operator: no resolution until one is picked, and Close says why it waits.
    assert.equal(await page.locator('[data-testid=resolution]').inputValue(), '');
    await expectText(page.locator('[data-testid=close-why]'), /take and acknowledge the alarm first/);
    assert.ok(await page.locator('[data-testid=close]').isDisabled());
    // Keyboard: a takes and acknowledges in one action; then the closing note and Enter.
    await page.keyboard.press('a');
    await page.waitForFunction(() => document.querySelector('[data-testid=alarm-queue] li .status')?.textContent?.startsWith('Acknowledged'));
    // Who took it, by name; the live feed says it in a sentence.
    await expectText(page.locator('[data-testid=claimed-by]'), /taken by Olivia Operator/);
    await expectText(page.locator('[data-testid=live-feed]'), /Olivia Operator took the alarm “Fire alarm — zone 002 — /);
    await expectText(page.locator('[data-testid=close-why]'), /mandatory steps not done: Notify the fire service/);
    // The fire plan: closing is refused until the fire service was notified.
    await page.selectOption('[data-testid=resolution]', 'genuine');
    assert.match(await page.locator('[data-testid=resolution] option:checked').innerText(), /Genuine alarm/);
    await page.keyboard.press('x');
    await page.keyboard.type('first try');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[role=alert]');
    await expectText(page.locator('[role=alert]'), /mandatory steps are not done: Notify the fire service/);
    assert.ok((await page.locator('[data-testid=verification]').innerText()).includes('Site camera'));
    await page.fill('input[aria-label="Outcome of fire-service"]', 'Fire service dispatched, ref 4711');
    await page.locator('[data-step=fire-service] button').click();
    await page.waitForSelector('[data-step=fire-service].done');
    await page.fill('input[aria-label="Closing note"]', '');
    await page.keyboard.press('x');
    await page.keyboard.type('Kitchen fire, guests evacuated, fire service on site');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=alarm-stats]')?.textContent?.startsWith('0 open alarms'));
    // The share acknowledged within 30 s is what the log says of this alarm, however slow the machine was.
    const [raised] = (await vigil.ctx.log.read({ typePrefixes: ['alarms.signal.received'] })).filter(
      (e) => frameDecisionEvent(e)?.type === 'alarms.alarm.raised',
    );
    const [acked] = await vigil.ctx.log.read({ typePrefixes: ['alarms.alarm.acknowledged'] });
    const within30 = Date.parse(acked!.at) - Date.parse(raised!.at) <= 30_000 ? 100 : 0;
    await expectText(page.locator('[data-testid=alarm-stats]'), new RegExp(`Acknowledged within 30 s: ${within30} %`));
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
    await signInAt(page, `${vigil.url}/alarms`, 'supervisor');
    await page.getByRole('button', { name: 'Accounts and plans' }).click();
    await page.waitForSelector('[data-testid=accounts-panel] .plan-card'); // plans and presets arrive together
    await expectText(page.locator('[data-testid=accounts-panel]'), /Intrusion[\s\S]*Verify on the cameras/);
    await page.fill('input[aria-label=Account]', '1000');
    await page.fill('input[aria-label="AES key"]', '00112233445566778899AABBCCDDEEFF');
    await page.selectOption('select[aria-label="Supervision preset"]', 'SP5');
    await page.fill('input[aria-label="Opens (Mon–Fri)"]', '08:30');
    await page.fill('input[aria-label="Closes (Mon–Fri)"]', '18:00');
    await page.fill('input[aria-label="Relays for"]', '2000, 2001');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForSelector('[data-testid=accounts] tbody tr');
    const row = await page.locator('[data-testid=accounts] tbody tr').first().innerText();
    assert.match(row, /1000\s+AES ✓ · relays for 2000, 2001\s+SP5\s+UTC\s+08:30–18:00 \(\+15 min\)\s+ok/);
    assert.ok(!(await page.content()).includes('00112233445566778899AABBCCDDEEFF'.slice(8)), 'the key is not shown back');
    const account = vigil.capabilities.alarms.state.accounts.get('1000')!;
    assert.equal(account.supervisionSeconds, 90);
    assert.deepEqual(account.relayFor, ['2000', '2001']);
    assert.deepEqual(account.schedule?.days[1], { open: '08:30', close: '18:00' });
  } finally {
    await browser.close();
    await close();
  }
});

test('supervisor writes an action plan with an automatic notification and keyholders; the operator sees both on a DC-09 hold-up', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  // The police control room's endpoint, on loopback: records what Vigil posts.
  const posted: { alarm: { kind: string; account: string } }[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posted.push(JSON.parse(body) as (typeof posted)[number]);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/police`;
  // Plan notifications go to public addresses only unless allowed: this test's endpoint is on loopback.
  const { vigil, close } = await startDemoNode({ VIGIL_WEBHOOK_ALLOW_PRIVATE: 'true' });
  try {
    const state = vigil.capabilities.city.service.state;
    const panel = [...state.devices.values()].find((d) => d.kind === 'alarm-panel' && state.sites.get(d.siteId!)?.category === 'pharmacy')!;
    const supervisor = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    const errors: string[] = [];
    supervisor.on('pageerror', (e) => errors.push(e.message));
    await signInAt(supervisor, `${vigil.url}/alarms`, 'supervisor');
    await supervisor.getByRole('button', { name: 'Accounts and plans' }).click();
    await supervisor.waitForSelector('[data-testid=plan-editor] .plan-card');

    // A plan for hold-ups at this pharmacy: the police are told automatically, then keyholders are called.
    await supervisor.getByRole('button', { name: 'New plan' }).click();
    await supervisor.fill('input[aria-label="Plan name"]', 'Pharmacy hold-up');
    await supervisor.locator('.plan-form .kinds label', { hasText: 'hold-up' }).locator('input').check();
    await supervisor.fill('input[aria-label=Sites]', panel.siteId!);
    await supervisor.selectOption('select[aria-label="Step 1 kind"]', 'notify');
    await supervisor.fill('input[aria-label="Step 1 text"]', 'Police control room (automatic)');
    await supervisor.check('input[aria-label="Step 1 mandatory"]');
    await supervisor.fill('input[aria-label="Step 1 timer"]', '30');
    await supervisor.fill('input[aria-label="Step 1 notify URL"]', hookUrl);
    await supervisor.getByRole('button', { name: 'Add step' }).click();
    await supervisor.selectOption('select[aria-label="Step 2 kind"]', 'call');
    await supervisor.fill('input[aria-label="Step 2 text"]', 'Call the keyholders in order');
    await supervisor.fill('input[aria-label="Step 2 timer"]', '120');
    await supervisor.getByRole('button', { name: 'Save plan' }).click();
    await supervisor.waitForSelector('.plan-card:has-text("Pharmacy hold-up")');
    await expectText(
      supervisor.locator('.plan-card:has-text("Pharmacy hold-up")'),
      /Police control room \(automatic\) \* · 30 s · automatic → 127\.0\.0\.1:\d+/,
    );

    // Keyholders of the site: the demo's list, plus the pharmacist, moved to the top.
    await supervisor.selectOption('select[aria-label="Monitored site"]', panel.siteId!);
    await supervisor.waitForSelector('input[aria-label="Keyholder 1 name"]');
    const before = await supervisor.locator('.keyholder-rows li').count();
    await supervisor.getByRole('button', { name: 'Add keyholder' }).click();
    const n = before + 1;
    await supervisor.fill(`input[aria-label="Keyholder ${n} name"]`, 'Anna Pharmacist');
    await supervisor.fill(`input[aria-label="Keyholder ${n} phone"]`, '+377 6 99 00 00 01');
    for (let i = n; i > 1; i--) await supervisor.getByRole('button', { name: `Move keyholder ${i} up` }).click();
    await supervisor.getByRole('button', { name: 'Save keyholders' }).click();
    await supervisor.waitForSelector(`.ok-box:has-text("${n} keyholders saved")`);

    // The pharmacy's panel reports a hold-up over DC-09.
    const client = await Dc09Client.connect('127.0.0.1', vigil.capabilities.alarms.receiver.tcpPort!);
    assert.equal((await client.send(signalFrame({ id: 'SIA-DCS', seq: 7, account: panel.account!, data: 'Nri1/HA001', now: Date.now() }))).kind, 'ACK');
    client.close();
    await vigil.capabilities.alarms.receiverSettled(); // the receiver thread records the alarm just after its ACK

    const operator = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    operator.on('pageerror', (e) => errors.push(e.message));
    await signInAt(operator, `${vigil.url}/alarms`, 'operator');
    await operator.waitForSelector('[data-testid=alarm-queue] li');
    await operator.locator('[data-testid=alarm-queue] li').first().click();
    await operator.waitForSelector('[data-testid=plan]');
    await expectText(operator.locator('[data-testid=alarm-detail] h3').first(), /Pharmacy hold-up/);
    // The notifier posted the alarm and ticked the step: the operator sees it done, by Vigil.
    await operator.waitForSelector('[data-step]:has-text("Police control room").done', { timeout: 10_000 });
    await expectText(operator.locator('[data-step]:has-text("Police control room")'), /notified automatically: HTTP 202 from 127\.0\.0\.1:\d+ — Vigil/);
    assert.equal(posted.length, 1);
    assert.deepEqual([posted[0]!.alarm.kind, posted[0]!.alarm.account], ['hold-up', panel.account]);
    // Keyholders under the call step, in the supervisor's order, each with a tel: link.
    const keyholders = operator.locator('[data-testid=keyholders] li');
    assert.equal(await keyholders.count(), n);
    await expectText(keyholders.first(), /^Anna Pharmacist \+377 6 99 00 00 01/);
    assert.equal(await keyholders.first().locator('a').getAttribute('href'), 'tel:+37769900000' + '1');
    await operator.screenshot({ path: process.env.VIGIL_SCREENSHOT_PLAN ?? '/tmp/vigil-plan.png' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
    await new Promise((r) => hook.close(r));
  }
});
