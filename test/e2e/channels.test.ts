import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { startCbcPeer } from '../support/cbc-peer.js';
import { MQTT_URL, requireMqtt } from '../support/services.js';
import { launchChromium, signInAt, startDemoNode, expectText } from './browser.js';

const rowText = (page: Page, channel: string): Promise<string> => page.locator(`[data-channel=${channel}]`).innerText();

/**
 * From the UI: an officer registers a webhook (the secret shown once), writes a flood
 * alert with cell broadcast, webhook and sirens; a second officer approves; the CBC on
 * loopback decodes the pages, the receiver verifies the signature, and the delivery
 * panel shows the CBS messages and each siren's level above its measured ambient.
 */
test('channels in the UI: webhook registered, cell broadcast to the CBC, webhook signed, levels above measured ambient', async (t) => {
  if (!(await requireMqtt(t))) return;
  const browser = await launchChromium(t);
  if (!browser) return;
  const cbc = await startCbcPeer();
  let secret = '';
  const hooks: { ok: boolean; body: string }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['vigil-signature'])) ?? [];
      const ok = v1 === createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
      hooks.push({ ok, body });
      res.writeHead(ok ? 204 : 401).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const root = `e2e-${process.pid}-${Date.now().toString(36)}`;
  const { vigil, close } = await startDemoNode({
    VIGIL_WEBHOOK_ALLOW_PRIVATE: 'true',
    VIGIL_MQTT_EMBEDDED_PORT: 'off',
    VIGIL_CBC_URL: cbc.url,
    VIGIL_MQTT_URL: MQTT_URL,
    VIGIL_MQTT_TOPIC: `${root}/sensors/+/events`,
    VIGIL_SIREN_TOPIC: `${root}/sirens`,
    VIGIL_NODE_ID: root,
  });
  const sensor = await mqtt.connectAsync(MQTT_URL);
  try {
    // Every noise sensor of the demo reports 74 dB(A) over the real broker.
    const noiseSensors = [...vigil.capabilities.city.service.state.devices.values()].filter((d) => d.kind === 'noise-sensor');
    for (const n of noiseSensors)
      await sensor.publishAsync(`${root}/sensors/${n.id}/events`, JSON.stringify({ type: 'noise', state: 'normal', value: 74, unit: 'dB(A)' }), { qos: 1 });
    const deadline = Date.now() + 15_000;
    while (vigil.capabilities.alerts.ambient.state.latest.size < noiseSensors.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(vigil.capabilities.alerts.ambient.state.latest.size, noiseSensors.length);

    const errors: string[] = [];
    const author = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    author.on('pageerror', (e) => errors.push(e.message));
    await signInAt(author, `${vigil.url}/alerts`, 'alert-officer');
    await author.waitForSelector('[data-testid=alert-list]', { state: 'attached' });
    await author.getByRole('button', { name: 'Webhooks' }).click();
    await author.fill('input[aria-label="Webhook name"]', 'Regional hub');
    await author.fill('input[aria-label="Webhook URL"]', `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cap`);
    await author.getByRole('button', { name: 'Add webhook' }).click();
    secret = (await author.locator('[data-testid=webhook-secret] code').innerText()).trim();
    assert.match(secret, /^whsec_/);
    // The list reloads after the secret is shown: wait for the row instead of reading it once.
    await author.waitForFunction(
      () => /Regional hub[\s\S]*CAP XML/.test((document.querySelector('[data-testid=webhooks] table') as HTMLElement | null)?.innerText ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    await author.screenshot({ path: '/tmp/vigil-webhooks.png' });
    await author.getByRole('button', { name: 'Done' }).click();
    await author.getByRole('button', { name: 'Webhooks' }).click();

    await author.getByRole('button', { name: 'New alert' }).click();
    await author.waitForSelector('select[aria-label=Template] option[value=flood]', { state: 'attached' });
    await author.selectOption('select[aria-label=Template]', 'flood');
    await author.waitForSelector('select[aria-label=Neighbourhood] option:nth-child(2)', { state: 'attached' });
    const fontvieille = await author.locator('select[aria-label=Neighbourhood] option', { hasText: 'Fontvieille' }).first().getAttribute('value');
    await author.selectOption('select[aria-label=Neighbourhood]', fontvieille!);
    for (const c of ['email', 'sms', 'push', 'cap-feed'])
      await author
        .locator('.alert-form fieldset label', { hasText: new RegExp(`^\\s*${c}$`) })
        .locator('input')
        .uncheck();
    await author.getByRole('button', { name: 'Send for approval / issue' }).click();
    await author.waitForSelector('[data-testid=alert-state]');

    const approver = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    approver.on('pageerror', (e) => errors.push(e.message));
    await signInAt(approver, `${vigil.url}/alerts`, 'duty-officer');
    await approver.locator('[data-testid=alert-list] li', { hasText: /Flash flood/ }).click(); // in the reader's language
    await approver.getByRole('button', { name: 'Approve and issue' }).click();
    for (const c of ['cell-broadcast', 'webhook', 'sirens']) {
      await approver.waitForFunction(
        (ch) => /(\d+) \/ \1 sent · done/.test((document.querySelector(`[data-channel=${ch}]`) as HTMLElement | null)?.innerText ?? ''),
        c,
        { timeout: 30_000 },
      );
    }
    assert.match(await rowText(approver, 'webhook'), /1 \/ 1 sent/);
    assert.deepEqual(
      hooks.map((h) => h.ok),
      [true],
      'the receiver verified the signature with the secret the UI showed',
    );
    assert.match(hooks[0]!.body, /<msgType>Alert<\/msgType>/);
    assert.deepEqual(cbc.problems, []);
    assert.deepEqual(cbc.received.map((m) => m.messageIdentifier).sort(), [4375, 4388]);
    assert.ok(
      cbc.received
        .find((m) => m.language === 'fr-MC')!
        .pages.join('')
        .startsWith('Inondation soudaine'),
    );
    await approver.waitForSelector('[data-testid=cbs-messages]');
    await expectText(approver.locator('[data-testid=cbs-messages]'), /fr-MC\s+broadcast\s+4375[\s\S]*en-GB\s+broadcast\s+4388/);
    await approver.waitForSelector('[data-testid=warning-levels]');
    const levels = await approver.locator('[data-testid=warning-levels]').innerText();
    assert.match(levels, /74 dB\(A\)\s+measured\s+(89|88\.?\d*) dB/);
    await approver.screenshot({ path: process.env.VIGIL_SCREENSHOT_CHANNELS ?? '/tmp/vigil-alert-channels.png', fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await sensor.endAsync();
    await browser.close();
    await close();
    await cbc.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  }
});
