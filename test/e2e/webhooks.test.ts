import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { authenticator } from 'otplib';
import { launchChromium, signInAt, startDemoNode, expectText, openNavPage } from './browser.js';

/**
 * Administration → Event webhooks in a real browser: the administrator subscribes a local
 * receiver to incidents (sent as a commander), sends a test and reads the delivery log;
 * an incident then arrives at the receiver and shows as delivered. 1440×900 and 390×844.
 */
test('web UI: event webhooks — subscribe, test-send, delivery log', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const received: { event: string }[] = [];
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ event: String(req.headers['vigil-event']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const { vigil, close } = await startDemoNode({ VIGIL_WEBHOOK_ALLOW_PRIVATE: 'true' });
  const pageErrors: string[] = [];
  try {
    const identity = vigil.capabilities.identity.service;
    const admin = identity.resolvePrincipalOf('admin');
    const { secret } = await identity.startTotp(admin);
    await identity.confirmTotp(admin, authenticator.generate(secret));

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signInAt(page, vigil.url, 'admin');
    await page.fill('input[name=totp]', authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret));
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=who]');
    await openNavPage(page, 'Administration');
    const section = page.locator('[data-testid=event-webhooks]');
    await section.locator('input[aria-label="Event webhook name"]').fill('Regional CAD');
    await section.locator('input[aria-label="Event webhook URL"]').fill(url);
    await section.getByRole('checkbox', { name: 'CSIRT cases' }).check();
    await section.getByRole('button', { name: 'Add webhook' }).click();
    await expectText(section.locator('[data-testid=event-webhook-secret]'), /whsec_/);
    await expectText(section.locator('tbody').first(), /Regional CAD/);
    await section.getByRole('button', { name: 'Send a test' }).click();
    await expectText(section.locator('[data-testid=webhook-deliveries]'), /webhook\.test\s+delivered\s+1\s+204/);
    assert.deepEqual(
      received.map((r) => r.event),
      ['webhook.test'],
    );
    const commander = identity.resolvePrincipalOf('commander');
    await vigil.capabilities.incidents.service.create(
      { type: 'fire', position: [7.4246, 43.7384], source: 'call', description: 'Smoke' } as Parameters<typeof vigil.capabilities.incidents.service.create>[0],
      commander,
    );
    for (let i = 0; i < 100 && !received.some((r) => r.event === 'incidents.incident.opened'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      received.some((r) => r.event === 'incidents.incident.opened'),
      'the incident reached the receiver',
    );
    await section.getByRole('button', { name: 'Delivery log' }).click();
    await expectText(section.locator('[data-testid=webhook-deliveries]'), /incidents\.incident\.opened\s+delivered/);
    await section.screenshot({ path: '/tmp/vigil-webhooks-1440.png' });
    await page.setViewportSize({ width: 390, height: 844 });
    await section.scrollIntoViewIfNeeded();
    await section.screenshot({ path: '/tmp/vigil-webhooks-390.png' });
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    await close();
    await new Promise<void>((r) => receiver.close(() => r()));
  }
});
