// Screenshots of the French review screens (alert approval, cockpit overview) at 1440 and 390 px:
// `node --import tsx scripts/screenshot-fr-review.ts [dir]` (default docs/screenshots).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { serveVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';
import { flood } from '../test/support/alert-fixtures.js';

const out = process.argv[2] ?? 'docs/screenshots';
mkdirSync(out, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-shot-'));
const vigil = await serveVigil({
  ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'warn' }),
  dataDir,
  port: 0,
  host: '127.0.0.1',
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
});
const SIZES = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];
async function signIn(username: string, viewport: { width: number; height: number }, path = '/'): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(vigil.url + path);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', 'vigil-demo');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=who]', { state: 'attached' });
  await page
    .locator('select', { has: page.locator('option[value=fr]') })
    .first()
    .selectOption('fr');
  return page;
}
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
  await browser.close();
  await vigil.close();
  rmSync(dataDir, { recursive: true, force: true });
}
