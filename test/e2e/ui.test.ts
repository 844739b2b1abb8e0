import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, signInAt, startDemoNode, expectText, navPages, openNavPage } from './browser.js';

/**
 * The demo city end to end in a real browser: sign in, the map of Monaco with its
 * neighbourhoods, the live feed, administration, the audit trail and its
 * verification, and what a steward is not shown.
 */
test('web UI: an administrator and a steward use the demo city', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode();
  const pageErrors: string[] = [];
  const signIn = async (page: Page, username: string): Promise<void> => {
    await signInAt(page, vigil.url, username);
    await page.waitForSelector('[data-testid=who]');
  };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // A wrong password is refused on the sign-in form.
    await signInAt(page, vigil.url, 'admin', 'not the password');
    await expectText(page.locator('[role=alert]'), /wrong username or password/);

    await signIn(page, 'admin');
    await expectText(page.locator('[data-testid=who]'), /Camille Admin/);
    assert.match((await page.locator('[data-testid=who]').getAttribute('title')) ?? '', /Monaco City Safety Office · Administrator/);
    await page.waitForSelector('[data-testid=city-summary]'); // city, areas, sites and devices arrive together
    assert.equal(await page.locator('[data-testid=city-name]').innerText(), 'Monaco');
    await page.waitForSelector('[data-testid=areas] li');
    const areas = await page.locator('[data-testid=areas] li button').allInnerTexts();
    assert.deepEqual(areas.sort(), ['Fontvieille', 'La Condamine', 'Monaco-Ville', 'Monte-Carlo']);
    await expectText(page.locator('[data-testid=city-summary]'), /38,367 residents/);
    await page.waitForSelector('[data-testid=device-kinds] li');
    await expectText(page.locator('[data-testid=device-kinds]'), /Siren 12/);
    // MapLibre drew the city: its canvas is there and the basemap sources loaded.
    await page.waitForSelector('[data-testid=map] canvas.maplibregl-canvas');
    await page.getByRole('button', { name: 'La Condamine' }).click();
    await page.waitForFunction(() => document.querySelector('.link.active')?.textContent === 'La Condamine');

    // Administration: create a user; the live feed shows the event as it is committed.
    await openNavPage(page, 'Administration');
    // The alarm receiver as /api/health gives it: receiving, and how its ACK path is scheduled (real-time where the node may).
    await expectText(page.locator('[data-testid=receiver-state]'), /^Receiving$/);
    const scheduling = vigil.capabilities.alarms.receiverHealth()!.scheduling;
    await expectText(
      page.locator('[data-testid=receiver-scheduling]'),
      scheduling.realtime !== null
        ? new RegExp(`^Real-time priority ${scheduling.realtime}: `)
        : /^Normal priority \(niceness -?\d+\): real-time priority 10 was refused\./,
    );
    await page.fill('input[aria-label="New username"]', 'dispatcher2');
    await page.fill('input[aria-label="New user password"]', 'a long enough password');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.waitForSelector('[data-testid=notice]');
    await expectText(page.locator('[data-testid=notice]'), /User dispatcher2 created/);
    await page.waitForSelector('[data-testid=live-feed] li[data-type="identity.user.created"]');
    await expectText(page.locator('[data-testid=users]'), /dispatcher2/);

    // Audit trail: the creation is there, and the chain verifies.
    await openNavPage(page, 'Audit trail');
    await page.waitForSelector('[data-testid=audit-table] td[data-type="identity.user.created"]');
    // Who did it, by name (the actor id in the tooltip).
    await expectText(page.locator('[data-testid=audit-table] tbody tr').first(), /Camille Admin/);
    await page.click('[data-testid=verify]');
    await page.waitForSelector('[data-testid=verification]');
    await expectText(page.locator('[data-testid=verification]'), /Hash chain intact: \d+ events verified/);

    // French UI.
    await page.selectOption('select[aria-label=Language]', 'fr');
    await page.getByRole('button', { name: 'Carte' }).waitFor();

    // A steward of the event organiser sees the map but neither audit nor administration.
    const steward = await (await browser.newContext()).newPage();
    await signIn(steward, 'steward');
    await steward.waitForSelector('[data-testid=city-summary]'); // city, sites and devices arrive together
    // Only its own crowd counters (src/demo/demo-crowd.ts): counting cameras and line counters, none of anyone else's.
    assert.equal(await steward.locator('[data-testid=device-kinds] li').count(), 2, "the organiser sees no one else's devices");
    const stewardPages = await navPages(steward);
    assert.ok(!stewardPages.includes('audit') && !stewardPages.includes('admin'), stewardPages.join());
    await steward.goto(`${vigil.url}/audit`);
    await steward.waitForSelector('[data-testid=who]');
    assert.equal(await steward.locator('[data-testid=audit-table]').count(), 0);
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    await close();
  }
});
