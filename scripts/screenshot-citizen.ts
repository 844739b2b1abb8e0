// Screenshots of the citizen app's tabs (my reports with the city's map, consultations, open data) and the
// staff engagement page, at 1440 and 390 px, in English and French, on the demo city:
// `node --import tsx scripts/screenshot-citizen.ts [dir]` (default /tmp/vigil-citizen-shots).
import { join } from 'node:path';
import { SIZES, screenshotSession } from './screenshot-session.js';

const out = process.argv[2] ?? '/tmp/vigil-citizen-shots';
const session = await screenshotSession(out);
const { vigil, browser } = session;
try {
  for (const lang of ['en', 'fr'] as const)
    for (const size of SIZES) {
      const page = await browser.newPage({ viewport: size, locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
      page.on('pageerror', (e) => console.error('page error:', e.message));
      for (const tab of ['reports', 'consultations', 'open-data']) {
        await page.goto(`${vigil.url}/citizen#${tab}`);
        if (tab === 'reports') await page.waitForSelector('[data-testid=public-reports-map][data-loaded=true]', { state: 'attached', timeout: 60_000 });
        await page.waitForTimeout(2500);
        await page.screenshot({ path: join(out, `citizen-${tab}-${lang}-${size.width}.png`), fullPage: true });
      }
      await page.close();
      const staff = await session.signIn('analyst', size, '/engagement', lang === 'fr' ? 'fr' : undefined);
      await staff.waitForSelector('[data-testid=stakeholder-row]');
      await staff.waitForTimeout(1500);
      await staff.screenshot({ path: join(out, `engagement-${lang}-${size.width}.png`), fullPage: true });
      await staff.close();
    }
} finally {
  await session.close();
}
