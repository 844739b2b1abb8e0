// Screenshots of issue 18's alerting and cockpit views at 1440×900 and 390×844, into docs/screenshots/:
// the author drawing the area, the approver's review (area, reach per channel, every language), the demo
// inboxes after the alert went out, the alert on the citizen app's map, and the cockpit's overview and map. Usage: node --import tsx scripts/screenshot-review.ts [out-dir]
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { flood } from '../test/support/alert-fixtures.js';
import { SIZES, screenshotSession } from './screenshot-session.js';

const out = process.argv[2] ?? 'docs/screenshots';
const session = await screenshotSession(out);
const { vigil, browser, signIn } = session;
async function api(page: Page, method: string, url: string, body?: unknown): Promise<{ alert: { alertId: string } }> {
  return page.evaluate(
    async ([m, u, b]) => {
      const r = await fetch(u as string, {
        method: m as string,
        headers: b ? { 'content-type': 'application/json' } : {},
        body: b ? JSON.stringify(b) : undefined,
      });
      return r.json();
    },
    [method, url, body] as const,
  );
}
try {
  for (const size of SIZES) {
    // The author's area: a neighbourhood's boundary taken as the alert's polygon, on the map with its legend.
    const page = await signIn('alert-officer', size, '/alerts');
    await page
      .getByRole('button', { name: /New alert/ })
      .first()
      .click();
    await page.waitForSelector('[data-testid=area-map][data-loaded=true]', { state: 'attached' });
    const pick = page.locator('.area-draw select');
    await pick.locator('option', { hasText: 'Fontvieille' }).first().waitFor({ state: 'attached' });
    await pick.selectOption((await pick.locator('option', { hasText: 'Fontvieille' }).first().getAttribute('value'))!);
    await page.locator('.area-draw').scrollIntoViewIfNeeded();
    await page.waitForTimeout(2500);
    await page.screenshot({ path: join(out, `alert-area-authoring-${size.width}.png`) });
    await page.close();
  }
  const author = await signIn('alert-officer', SIZES[0]!);
  const { alert } = await api(author, 'POST', '/api/alerts', { ...flood, channels: ['email', 'sms', 'sirens', 'cell-broadcast', 'cap-feed'] });
  await api(author, 'POST', `/api/alerts/${alert.alertId}/submit`);
  for (const size of SIZES) {
    const page = await signIn('duty-officer', size, '/alerts');
    await page.locator('[data-testid=alert-list] li', { hasText: 'Fontvieille' }).first().click();
    await page.waitForSelector('[data-testid=alert-reach] tr[data-channel=sms]');
    await page.waitForTimeout(2500);
    await page.screenshot({ path: join(out, `alert-review-${size.width}.png`), fullPage: size.width < 1000 });
    await page.close();
  }
  const approver = await signIn('duty-officer', SIZES[0]!);
  await api(approver, 'POST', `/api/alerts/${alert.alertId}/approve`);
  // Delivery runs after the approval: wait until the mail catcher and the SMSC have something.
  for (let i = 0; i < 120; i++) {
    const inbox = vigil.demoSinks!.inbox();
    if (inbox.mail.length > 0 && inbox.sms.length > 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const size of SIZES) {
    const page = await signIn('admin', size, '/admin');
    await page.waitForSelector('[data-testid=demo-mail]');
    // The inbox's heading at the top of the view (under the bar), its first messages below.
    const top = async (): Promise<void> =>
      page.evaluate(() => {
        const inbox = document.querySelector<HTMLElement>('[data-testid=demo-inbox]')!;
        const bar = document.querySelector('header.topbar')?.getBoundingClientRect().height ?? 0;
        inbox.style.scrollMarginTop = `${bar + 8}px`;
        inbox.scrollIntoView({ block: 'start' });
      });
    await top();
    await page.screenshot({ path: join(out, `demo-inbox-${size.width}.png`) });
    await page.getByRole('tab', { name: /SMS/ }).click();
    await top();
    await page.screenshot({ path: join(out, `demo-inbox-sms-${size.width}.png`) });
    await page.close();
    const citizen = await browser.newPage({ viewport: size });
    await citizen.goto(`${vigil.url}/citizen`);
    await citizen.waitForSelector('[data-testid=alerts-map-legend]');
    await citizen.waitForTimeout(2500);
    await citizen.screenshot({ path: join(out, `citizen-alerts-map-${size.width}.png`) });
    await citizen.close();
    const cockpit = await signIn('analyst', size, '/cockpit');
    await cockpit.waitForSelector('[data-testid=kpi-card]');
    await cockpit.waitForTimeout(2500);
    await cockpit.screenshot({ path: join(out, `cockpit-overview-${size.width}.png`) });
    await cockpit.locator('[data-testid=cockpit-map]').scrollIntoViewIfNeeded();
    await cockpit.waitForSelector('[data-testid=cockpit-map][data-idle=true]', { state: 'attached' });
    await cockpit.locator('.cockpit-map-frame').screenshot({ path: join(out, `cockpit-map-${size.width}.png`) });
    await cockpit.close();
  }
  console.log(`wrote ${out}/alert-area-authoring-*, alert-review-*, demo-inbox-*, citizen-alerts-map-*, cockpit-overview-*, cockpit-map-*.png`);
} finally {
  await session.close();
}
