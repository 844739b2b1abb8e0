// Screenshots of the French review screens (alert approval, cockpit overview) at 1440 and 390 px:
// `node --import tsx scripts/screenshot-fr-review.ts [dir]` (default docs/screenshots).
import { join } from 'node:path';
import { flood } from '../test/support/alert-fixtures.js';
import { SIZES, screenshotSession } from './screenshot-session.js';

const out = process.argv[2] ?? 'docs/screenshots';
const session = await screenshotSession(out);
const signIn = (username: string, viewport: { width: number; height: number }, path = '/') => session.signIn(username, viewport, path, 'fr');
try {
  const author = await signIn('alert-officer', SIZES[0]!);
  const { alert } = (await author.evaluate(
    async (body) => {
      const r = await fetch('/api/alerts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return r.json();
    },
    { ...flood, channels: ['email', 'sms', 'sirens', 'cell-broadcast', 'cap-feed'] },
  )) as { alert: { alertId: string } };
  await author.evaluate(async (id) => fetch(`/api/alerts/${id}/submit`, { method: 'POST' }), alert.alertId);
  for (const size of SIZES) {
    const page = await signIn('duty-officer', size, '/alerts');
    await page.locator('[data-testid=alert-list] li', { hasText: 'Fontvieille' }).first().click();
    await page.waitForSelector('[data-testid=alert-codes]');
    console.log(await page.locator('[data-testid=alert-codes]').innerText());
    await page.locator('[data-testid=alert-codes]').scrollIntoViewIfNeeded();
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(out, `alert-review-fr-${size.width}.png`) });
    await page.close();
    const cockpit = await signIn('analyst', size, '/cockpit');
    await cockpit.waitForSelector('[data-testid=kpi-card]');
    await cockpit.waitForTimeout(2000);
    console.log(await cockpit.locator('.kpi-definition').innerText());
    await cockpit.screenshot({ path: join(out, `cockpit-overview-fr-${size.width}.png`), fullPage: size.width < 1000 });
    await cockpit.close();
  }
} finally {
  await session.close();
}
