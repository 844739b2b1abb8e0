import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agencyServer } from '../support/cap-documents.js';
import { expectText, launchChromium, signInAt, startDemoNode, openNavPage } from './browser.js';

/**
 * Other agencies in a real browser: an alert officer subscribes to a neighbouring
 * agency's Atom feed (served locally, shaped like MeteoAlarm's), polls it, sees the
 * agency's alerts in force in the list and on the map, and relays one to Vigil's
 * subscribers (a draft waiting for a second officer). In French too.
 */
test('web UI: Other agencies — a feed is subscribed, polled, its alerts shown on the map and relayed for approval', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const agency = agencyServer();
  await new Promise((r) => setTimeout(r, 50));
  const { vigil, close } = await startDemoNode({ VIGIL_WEBHOOK_ALLOW_PRIVATE: 'true', VIGIL_CAP_FEED_TICK_MS: '3600000' });
  const pageErrors: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signInAt(page, vigil.url, 'alert-officer');
    await page.waitForSelector('[data-testid=who]');
    await openNavPage(page, 'Other agencies');
    const view = page.locator('[data-testid=other-agencies]');
    await expectText(view.locator('[data-testid=agency-alerts]'), /No other agency’s alert is in force/);

    const feeds = view.locator('[data-testid=agency-feeds]');
    await feeds.getByLabel('Feed name').fill('SNET El Salvador');
    await feeds.getByLabel('Feed URL').fill(`${agency.url()}/atom`);
    await feeds.getByRole('button', { name: 'Subscribe' }).click();
    await expectText(feeds.locator('tbody'), /SNET El Salvador.*not polled yet/s);
    await feeds.getByRole('button', { name: 'Poll now' }).click();
    await expectText(feeds.locator('tbody'), /✓/);
    const list = view.locator('[data-testid=agency-alerts]');
    await expectText(list, /Alerta por lluvias en Zona FEED-1/);
    await expectText(list, /Alerta por lluvias en Zona FEED-2/);
    await expectText(list, /Servicio Nacional de Estudios Territoriales/);
    assert.equal(await view.locator('[data-testid=agencies-map]').getAttribute('data-areas'), '2');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: '/tmp/capx-agencies-1440.png' });

    await list.getByRole('button', { name: 'Relay to our subscribers' }).first().click();
    await expectText(view.locator('[role=status]'), /Relay drafted/);
    const relays = [...vigil.capabilities.alerts.service.state.alerts.values()].filter((a) => a.relayOf);
    assert.deepEqual(
      relays.map((a) => [a.state, a.cap.scope]),
      [['draft', 'Public']],
    );

    // A phone: the live events panel closed, the page alone.
    await page.locator('button.live-indicator').click();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.selectOption('select[aria-label=Language]', 'fr');
    await expectText(view, /Autres agences/);
    await expectText(view.locator('[data-testid=agency-feeds]'), /Flux interrogés/);
    await page.waitForTimeout(800);
    await page.screenshot({ path: '/tmp/capx-agencies-390.png', fullPage: false });
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    await close();
    await agency.close();
  }
});
