import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authenticator } from 'otplib';
import type { Page } from 'playwright-core';
import { expectText, launchChromium, startDemoNode, openNavPage } from './browser.js';

/**
 * Strong sign-in in Chromium: a supervisor's first sign-in sends them to enrol a second
 * factor; one registers a passkey (a virtual authenticator over CDP) and signs in with
 * it, another enrols an authenticator app and signs in with its code.
 */
test('sign-in in the browser: enrolment at first sign-in, then a passkey or a TOTP code', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DEMO: 'false', VIGIL_ROUTING_OSM: 'off' });
  const identity = vigil.capabilities.identity.service;
  const org = await identity.createOrg({ name: 'Monaco City Safety Office', kind: 'city', platform: true }, 'system');
  const password = 'a long enough password';
  await identity.createUser({ username: 'sup', orgId: org.id, roles: ['supervisor'], displayName: 'Sam Supervisor', password }, 'system');
  await identity.createUser({ username: 'chief', orgId: org.id, roles: ['admin'], displayName: 'Charlie Chief', password }, 'system');
  // WebAuthn needs a domain, not an IP address, as relying party.
  const url = vigil.url.replace('127.0.0.1', 'localhost');
  const pageErrors: string[] = [];
  const level = (page: Page) => page.evaluate(async () => ((await (await fetch('/api/auth/me')).json()) as { authLevel: number }).authLevel);
  const passwordSignIn = async (page: Page, username: string): Promise<void> => {
    await page.goto(url);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
  };
  const signOut = (page: Page) => page.getByRole('button', { name: 'Sign out' }).click();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    // First sign-in of a supervisor: only enrolment is offered.
    await passwordSignIn(page, 'sup');
    await expectText(page.locator('[role=status]'), /require a second factor/);
    assert.equal(await page.locator('[data-testid=who]').count(), 0, 'the application is not reachable before enrolment');
    await page.fill('input[name=passkey-name]', 'test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForSelector('[data-testid=who]');
    await expectText(page.locator('[data-testid=who]'), /Sam Supervisor/);
    assert.equal(await level(page), 2);
    await page.screenshot({ path: '/tmp/vigil-signin-after-passkey.png' });

    // Sign out, then in with the passkey alone.
    await signOut(page);
    await page.waitForSelector('button[name=passkey]');
    await page.screenshot({ path: '/tmp/vigil-signin-page.png' });
    await page.click('button[name=passkey]');
    await page.waitForSelector('[data-testid=who]');
    await expectText(page.locator('[data-testid=who]'), /Sam Supervisor/);
    assert.equal(await level(page), 2);
    await openNavPage(page, 'Security');
    await expectText(page.locator('[data-testid=passkeys]'), /test laptop/);
    await signOut(page);

    // An administrator enrols an authenticator app at first sign-in, then signs in with a code.
    await passwordSignIn(page, 'chief');
    await expectText(page.locator('[role=status]'), /require a second factor/);
    await page.getByRole('button', { name: 'Enrol an authenticator app' }).click();
    const secret = (await page.locator('[data-testid=totp-secret]').innerText()).trim();
    await page.fill('form input[inputmode=numeric]', authenticator.generate(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForSelector('[data-testid=who]');
    assert.equal(await level(page), 2);
    await signOut(page);
    await passwordSignIn(page, 'chief');
    await page.waitForSelector('input[name=totp]');
    // The confirmation spent this time-step's code: the next one signs in.
    await page.fill('input[name=totp]', authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret));
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=who]');
    await expectText(page.locator('[data-testid=who]'), /Charlie Chief/);
    assert.equal(await level(page), 2);
    await page.screenshot({ path: '/tmp/vigil-signin-map.png' });
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    await close();
  }
});
