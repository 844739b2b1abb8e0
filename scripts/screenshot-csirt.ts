// Screenshots of issue 15's CSIRT views as the analyst sees them on the demo city, at 1440×900 and 390×844, in
// English and French: the desk (alert queue), the demo case (findings, tasks, observables, timeline), device
// security (findings per priority, per organisation, the map), a finding with its triage and cases, the inventory.
// Usage: node --import tsx scripts/screenshot-csirt.ts [out-dir] (default docs/screenshots).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SIZES, screenshotSession } from './screenshot-session.js';

const out = process.argv[2] ?? 'docs/screenshots';
const session = await screenshotSession(out);
const settle = (page: Page) => page.waitForTimeout(1500);
try {
  for (const lang of ['en', 'fr'] as const) {
    for (const size of SIZES) {
      const tag = `${lang}-${size.width}`;
      const desk = await session.signIn('csirt', size, '/csirt', lang === 'fr' ? 'fr' : undefined);
      await desk.waitForSelector('[data-testid=alert-queue] [data-testid=alert-row]');
      await settle(desk);
      await desk.screenshot({ path: join(out, `csirt-desk-${tag}.png`), fullPage: size.width < 1000 });
      await desk.click('[data-testid=csirt-tab-cases]');
      await desk.locator('[data-testid=case-list] tbody tr').first().click();
      await desk.waitForSelector('[data-testid=case-detail] [data-testid=timeline]');
      await settle(desk);
      await desk.screenshot({ path: join(out, `csirt-case-${tag}.png`) });
      await desk.locator('[data-testid=observables]').scrollIntoViewIfNeeded();
      await settle(desk);
      await desk.screenshot({ path: join(out, `csirt-case-observables-${tag}.png`) });
      await desk.locator('[data-testid=timeline]').scrollIntoViewIfNeeded();
      await settle(desk);
      await desk.screenshot({ path: join(out, `csirt-case-timeline-${tag}.png`) });
      await desk.close();

      const ds = await session.signIn('csirt', size, '/device-security', lang === 'fr' ? 'fr' : undefined);
      await ds.waitForSelector('[data-testid=ds-findings] tbody tr');
      await settle(ds);
      await ds.screenshot({ path: join(out, `device-security-${tag}.png`), fullPage: size.width < 1000 });
      await ds.locator('[data-testid=ds-findings] tbody tr').first().click();
      await ds.waitForSelector('[data-testid=ds-triage]');
      await ds.locator('[data-testid=ds-triage]').scrollIntoViewIfNeeded();
      await settle(ds);
      await ds.screenshot({ path: join(out, `device-security-finding-${tag}.png`) });
      await ds.click('[data-testid=ds-inventory-toggle]');
      await ds.waitForSelector('[data-testid=ds-inventory] tbody tr');
      await ds.locator('[data-testid=ds-inventory]').scrollIntoViewIfNeeded();
      await settle(ds);
      await ds.screenshot({ path: join(out, `device-inventory-${tag}.png`) });
      await ds.close();
    }
  }
} finally {
  await session.close();
}
