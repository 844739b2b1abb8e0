// Screenshots of the maps framed on their subject, with the shared legend, at 1440 px and 390 px:
// the routing map's evacuation plan (with its hazard), the major-event map and the crowd map. Usage: node --import tsx scripts/screenshot-maps.ts [out-dir]
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { screenshotSession } from './screenshot-session.js';

const out = process.argv[2] ?? 'docs/screenshots';
const session = await screenshotSession(out);
const { vigil, browser } = session;
const signIn = async (page: Page, path: string, username: string): Promise<void> => {
  await page.goto(vigil.url + path);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', 'vigil-demo');
  await page.click('button[type=submit]');
};
const both = async (page: Page, name: string, settle: () => Promise<void>): Promise<void> => {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width > 600 ? 900 : 844 });
    await settle();
    await page.waitForTimeout(2500);
    await page.screenshot({ path: join(out, `${name}-${width}.png`) });
  }
};
try {
  await vigil.capabilities.routing.loaded;
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await signIn(page, '/routing', 'commander');
  await page.waitForSelector('[data-testid=routing-map][data-loaded=true]', { state: 'attached', timeout: 60_000 });
  await page.getByRole('button', { name: 'Evacuation' }).click();
  const box = (await page.locator('[data-testid=routing-map]').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.45, box.y + box.height * 0.55);
  await page.locator('[data-testid=evacuation-summary]').waitFor({ timeout: 60_000 });
  await both(page, 'routing-evacuation', async () => {});

  const events = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  events.on('pageerror', (e) => console.error('page error:', e.message));
  await signIn(events, '/events', 'commander');
  await events.waitForFunction(() => Number(document.querySelector('[data-testid=event-map]')?.getAttribute('data-rendered-features') ?? 0) > 0, undefined, {
    timeout: 60_000,
  });
  await both(events, 'event-map', async () => {
    await events.locator('[data-testid=event-map]').scrollIntoViewIfNeeded();
  });

  const crowd = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  crowd.on('pageerror', (e) => console.error('page error:', e.message));
  await signIn(crowd, '/crowd', 'commander');
  await crowd.waitForSelector('[data-testid=crowd-map][data-drawn]', { state: 'attached', timeout: 60_000 });
  await both(crowd, 'crowd-map', async () => {
    await crowd.locator('[data-testid=crowd-map]').scrollIntoViewIfNeeded();
  });
} finally {
  await session.close();
}
