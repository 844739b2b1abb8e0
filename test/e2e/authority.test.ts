import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authenticator } from 'otplib';
import { launchChromium, signInAt, startDemoNode, expectText, openNavPage } from './browser.js';

/**
 * Administration → Authority to alert in a real browser: the platform administrator
 * (signed in with a second factor) grants the police an authority over a named
 * neighbourhood, sees it by names, and revokes it; the police officers' alert for
 * another neighbourhood is refused meanwhile.
 */
test('web UI: the platform administrator grants and revokes an authority to alert by names', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode();
  const pageErrors: string[] = [];
  try {
    const identity = vigil.capabilities.identity.service;
    const admin = identity.resolvePrincipalOf('admin');
    const { secret } = await identity.startTotp(admin);
    await identity.confirmTotp(admin, authenticator.generate(secret));

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signInAt(page, vigil.url, 'admin');
    await page.fill('input[name=totp]', authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret));
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=who]');

    await openNavPage(page, 'Administration');
    const section = page.locator('[data-testid=alert-authorities]');
    await expectText(section, /No organisation besides the platform holds an authority to alert/);
    await section.locator('select[aria-label="Organisation to grant"]').selectOption({ label: 'Monaco Public Safety Police' });
    await section.getByRole('checkbox', { name: 'Monte-Carlo' }).check();
    await section.getByRole('checkbox', { name: 'Public safety', exact: true }).check();
    await section.getByRole('checkbox', { name: 'SMS', exact: true }).check();
    await section.getByRole('checkbox', { name: 'Web Push', exact: true }).check();
    await section.getByRole('button', { name: 'Grant' }).click();
    await expectText(section.locator('tbody'), /Monaco Public Safety Police\s+Monte-Carlo\s+Public safety\s+any\s+SMS, Web Push/);

    const grant = vigil.capabilities.alerts.authority.state.byOrg.get(identity.listOrgs().find((o) => o.kind === 'police')!.id);
    assert.deepEqual(
      grant?.areas.map((a) => a.name),
      ['Monte-Carlo'],
    );

    await section.getByRole('button', { name: 'Revoke' }).click();
    await expectText(section, /No organisation besides the platform holds an authority to alert/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    await close();
  }
});
