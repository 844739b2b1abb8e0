import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { authenticator } from 'otplib';
import { launchChromium, signInAt, startDemoNode, expectText, openNavPage } from './browser.js';
import { flood } from '../support/alert-fixtures.js';

/**
 * Administration → Webhooks in a real browser, one screen for both kinds: the administrator
 * subscribes a local receiver to incidents (an event webhook) and registers a CAP webhook (the
 * type column tells them apart), pauses and resumes, rotates the secret (the new one shown once,
 * the old one's grace shown), edits name and description, sees an incident delivered in the log,
 * resends it, and removes the subscription. 1440×900 and 390×844.
 */
test('web UI: one webhooks screen — create, pause, rotate (secret shown once), edit, delivery log with resend, delete', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const received: { event: string; deliveryId: string; path: string }[] = [];
  // POSTs to /held wait until the test answers them (a CAP delivery seen in flight).
  const held: ServerResponse[] = [];
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/held') return void held.push(res);
      received.push({ event: String(req.headers['vigil-event']), deliveryId: String(req.headers['vigil-delivery']), path: req.url ?? '' });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
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
    const section = page.locator('[data-testid=webhooks]');
    const secretBox = section.locator('[data-testid=webhook-secret]');

    // Create: an event webhook (the secret shown once), then a CAP webhook.
    await section.locator('select[aria-label="Webhook type"]').selectOption('events');
    await section.locator('input[aria-label="Webhook name"]').fill('Regional CAD');
    await section.locator('input[aria-label="Webhook URL"]').fill(`${base}/cad`);
    await section.getByRole('checkbox', { name: 'CSIRT cases' }).check();
    await section.getByRole('button', { name: 'Add webhook' }).click();
    const first = (await expectText(secretBox, /whsec_\S+/)).match(/whsec_\S+/)![0];
    await secretBox.getByRole('button', { name: 'Done' }).click();
    await section.locator('select[aria-label="Webhook type"]').selectOption('cap');
    await section.locator('input[aria-label="Webhook name"]').fill('Regional hub');
    await section.locator('input[aria-label="Webhook URL"]').fill(`${base}/cap`);
    await section.getByRole('button', { name: 'Add webhook' }).click();
    await expectText(secretBox, /whsec_/);
    await secretBox.getByRole('button', { name: 'Done' }).click();
    const cad = () => section.locator('tr[data-webhook="Regional CAD"], tr[data-webhook="Regional CAD (night)"]');
    await expectText(cad(), /Events[\s\S]*Regional CAD[\s\S]*Incidents, CSIRT cases[\s\S]*Active/);
    await expectText(section.locator('tr[data-webhook="Regional hub"]'), /CAP alerts[\s\S]*Regional hub[\s\S]*CAP XML[\s\S]*Active/);

    // Pause and resume.
    await cad().getByRole('button', { name: 'Pause' }).click();
    await expectText(cad(), /Paused/);
    await cad().getByRole('button', { name: 'Resume' }).click();
    await expectText(cad(), /Active/);

    // Rotate: a new secret, shown once; the old one's grace period shown on the row.
    await cad().getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = (await expectText(secretBox, /whsec_\S+/)).match(/whsec_\S+/)![0];
    assert.notEqual(rotated, first);
    await expectText(cad(), /Old secret valid until/);
    await secretBox.getByRole('button', { name: 'Done' }).click();
    assert.equal(await secretBox.count(), 0);
    assert.ok(!(await section.innerText()).includes(rotated), 'the new secret is not shown again');

    // Edit: name and description.
    await cad().getByRole('button', { name: 'Edit' }).click();
    const edit = section.locator('form[aria-label="Edit webhook"]');
    await edit.locator('input[aria-label="Edit webhook name"]').fill('Regional CAD (night)');
    await edit.locator('input[aria-label="Edit webhook description"]').fill('the night shift’s dispatch');
    // Exact event types: one type of Incidents left out; the rest of the topic and CSIRT cases kept as they were.
    await edit.locator('[data-topic=incidents] summary').click();
    await edit.getByRole('checkbox', { name: 'incidents.incident.updated', exact: true }).uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expectText(section.locator('tr[data-webhook="Regional CAD (night)"]'), /the night shift’s dispatch/);
    await expectText(cad(), /Incidents \(all but incidents\.incident\.updated\), CSIRT cases/);
    // Opened again, the edit shows the exact types: Incidents half-ticked, the type still left out.
    await cad().getByRole('button', { name: 'Edit' }).click();
    const incidentsBox = edit.locator('[data-topic=incidents] > label input');
    await incidentsBox.waitFor();
    assert.equal(await incidentsBox.evaluate((el) => (el as HTMLInputElement).indeterminate), true, 'Incidents partly chosen');
    await edit.locator('[data-topic=incidents] summary').click();
    assert.equal(await edit.getByRole('checkbox', { name: 'incidents.incident.updated', exact: true }).isChecked(), false);
    assert.equal(await edit.getByRole('checkbox', { name: 'incidents.incident.opened', exact: true }).isChecked(), true);
    assert.equal(await edit.locator('[data-topic=csirt] > label input').isChecked(), true, 'CSIRT cases still whole');
    await edit.getByRole('button', { name: 'Cancel' }).click();

    // A delivery in the log, and resend it.
    const commander = identity.resolvePrincipalOf('commander');
    await vigil.capabilities.incidents.service.create(
      { type: 'fire', position: [7.4246, 43.7384], source: 'call', description: 'Smoke' } as Parameters<typeof vigil.capabilities.incidents.service.create>[0],
      commander,
    );
    for (let i = 0; i < 100 && !received.some((r) => r.event === 'incidents.incident.opened'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      received.some((r) => r.path === '/cad' && r.event === 'incidents.incident.opened'),
      'the incident reached the receiver',
    );
    await cad().getByRole('button', { name: 'Delivery log' }).click();
    const log = section.locator('[data-testid=webhook-deliveries]');
    await expectText(log, /Regional CAD \(night\)[\s\S]*incidents\.incident\.opened\s+delivered\s+1\s+204/);
    const before = received.length;
    await log.getByRole('button', { name: 'Resend' }).first().click();
    await expectText(log.locator('tbody tr').nth(1), /incidents\.incident\.opened\s+delivered/);
    assert.equal(received.length, before + 1);
    assert.equal(received.at(-1)!.deliveryId, received.find((r) => r.event === 'incidents.incident.opened')!.deliveryId, 'resent with the same delivery id');
    await section.screenshot({ path: '/tmp/vigil-webhooks-1440.png' });

    // A CAP delivery in flight: its log shows it being sent, then delivered once the receiver answers.
    await section.locator('select[aria-label="Webhook type"]').selectOption('cap');
    await section.locator('input[aria-label="Webhook name"]').fill('Slow hub');
    await section.locator('input[aria-label="Webhook URL"]').fill(`${base}/held`);
    await section.getByRole('button', { name: 'Add webhook' }).click();
    await secretBox.getByRole('button', { name: 'Done' }).click();
    const alerts = vigil.capabilities.alerts.service;
    const draft = await alerts.draft({ ...flood, channels: ['webhook'] } as Parameters<typeof alerts.draft>[0], identity.resolvePrincipalOf('alert-officer'));
    await alerts.submit(draft.alertId, identity.resolvePrincipalOf('alert-officer'));
    await alerts.approve(draft.alertId, identity.resolvePrincipalOf('duty-officer'));
    for (let i = 0; i < 600 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(held.length, 1, 'the alert reached the slow hub');
    const slow = section.locator('tr[data-webhook="Slow hub"]');
    await slow.getByRole('button', { name: 'Delivery log' }).click();
    await expectText(log, /Slow hub[\s\S]*alert\.issued\s+sending \(attempt 1\)/);
    await expectText(slow, /1 in flight/);
    assert.equal(await log.getByRole('button', { name: 'Resend' }).count(), 0, 'nothing to resend while in flight');
    held[0]!.writeHead(204).end();
    // The log is read when opened: open it again until the settled line shows.
    for (let i = 0; i < 100 && !/alert\.issued\s+delivered/.test(await log.innerText()); i++) {
      await new Promise((r) => setTimeout(r, 200));
      await slow.getByRole('button', { name: 'Delivery log' }).click();
    }
    await expectText(log, /alert\.issued\s+delivered\s+1\s+204/);

    // Delete.
    await cad().getByRole('button', { name: 'Remove' }).click();
    for (let i = 0; i < 100 && (await cad().count()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await cad().count(), 0, 'removed');
    await expectText(section.locator('tbody').first(), /Regional hub/);

    await page.setViewportSize({ width: 390, height: 844 });
    await section.scrollIntoViewIfNeeded();
    await section.screenshot({ path: '/tmp/vigil-webhooks-390.png' });
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    await close();
    for (const res of held) res.destroy();
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  }
});
