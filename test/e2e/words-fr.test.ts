import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Dc09Client } from '../../src/adapters/protocols/dc09/dc09-client.js';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { expectText, launchChromium, signInAt, startDemoNode } from './browser.js';
import { SITE_CATEGORY_LABELS } from '../../web/src/labels.js';
import fr from '../../web/src/locales/fr.json' with { type: 'json' };

const french = (k: string): string => (fr as Record<string, string>)[k] ?? k;

/** A page in French (as the user picked it: the app keeps the language in localStorage), its script errors counted. */
async function frenchPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(() => localStorage.setItem('vigil.lang', 'fr'));
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  return page;
}

/**
 * No English the server sent, for a reader of French, in Chromium on the demo city: the CSIRT desk's alerts are
 * titled in French by their rule; the analyst's refused
 * close (a real refusal of the server's schema) reads as a French sentence naming the field by its French word, the
 * case's timeline reads in French (the resolution by its word, not `closed: true-positive`), the city map's
 * site popup names the site's category by its French word, not its slug, and the alarm console titles a panel's
 * alarm by its code's French text (« Alarme incendie — zone 002 — <site> »), though the server stored it in English.
 */
test('web UI in French: a server refusal, the CSIRT timeline, the map popups and the alarm console read in French', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_ROUTING_OSM: 'off' });
  const errors: string[] = [];
  try {
    await vigil.demoLoaded;
    const page = await frenchPage(browser, errors);
    await signInAt(page, `${vigil.url}/csirt`, 'csirt');
    await page.waitForSelector('[data-testid=alert-queue]');
    // The rules' alerts are titled in French by their rule, the device by name.
    const queue = await expectText(page.locator('[data-testid=alert-queue]'), /Message critique de /);
    assert.doesNotMatch(queue, /Critical message from|dev:[a-z]+:/, 'no English title, no device id');
    await page.screenshot({ path: '/tmp/vigil-words-fr-alerts.png' });
    await page.click('[data-testid=csirt-tab-cases]');
    await page.locator('[data-testid=case-list] tr', { hasText: 'Kernel exploit on a siren controller' }).click();
    await page.waitForSelector('[data-testid=timeline]');

    // A refusal of the server's own schema (a resolution it does not know, as an older page would send): the
    // sentence in French names the field by its French word; the server's English stays out.
    await page.route('**/close', (route) => route.continue({ postData: JSON.stringify({ resolution: 'solved-by-magic', note: 'x' }) }));
    await page.fill(`input[aria-label="${french('Resolution note')}"]`, 'correctif du noyau prévu');
    await page.click('[data-testid=close-case]');
    const refusal = await expectText(
      page.locator('[data-testid=case-detail] .error, .error').first(),
      /« Résolution » doit être l’une des valeurs proposées\./,
    );
    assert.doesNotMatch(refusal, /body|must be equal|allowed values/, 'no server English');
    await page.locator('.error').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/vigil-words-fr-refusal.png' });
    await page.unroute('**/close');

    // Closed for real: the timeline in French, the resolution by its word.
    await page.locator(`select[aria-label="${french('Resolution')}"]`).selectOption('true-positive');
    await page.click('[data-testid=close-case]');
    const timeline = await expectText(page.locator('[data-testid=timeline]'), /Dossier clos : incident avéré — correctif du noyau prévu/);
    assert.match(timeline, /Dossier ouvert : Kernel exploit on a siren controller/, 'the opening in French, the title as it was written');
    assert.doesNotMatch(timeline, /\bclosed: |true-positive|opened: |findings linked|task: /, 'no English line of the server');
    await page.locator('[data-testid=timeline]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/vigil-words-fr-timeline.png' });

    // The city map: a site's popup names its category in French.
    const operator = await frenchPage(browser, errors);
    await signInAt(operator, `${vigil.url}/`, 'operator');
    const map = operator.locator('[data-testid=map]');
    // Software WebGL on a shared machine: the first idle frame with the sites drawn may take a while.
    await operator.waitForFunction(() => document.querySelector('[data-testid=map]')?.hasAttribute('data-point-sites'), null, { timeout: 120_000 });
    const [x, y] = (await map.getAttribute('data-point-sites'))!.split(',').map(Number) as [number, number];
    await map.click({ position: { x, y } });
    const popup = await expectText(operator.locator('[data-testid=site-popup]'), /\S/);
    const words = Object.values(SITE_CATEGORY_LABELS).map(french);
    assert.ok(
      words.some((w) => popup.includes(w)),
      `the category in French in "${popup}"`,
    );
    assert.doesNotMatch(popup, /\b(?:place-of-worship|fire-station|police-station|hotel|school|hospital|building)\b/, 'no category slug');
    await operator.screenshot({ path: '/tmp/vigil-words-fr-map-popup.png' });

    // The alarm console: a panel's fire alarm, stored with its English title, reads in French (the code's French
    // text, the zone, the site) in the queue, the detail, the signal's meaning and the live feed.
    const city = vigil.capabilities.city.service.state;
    const panel = [...city.devices.values()].find((d) => d.kind === 'alarm-panel' && city.sites.get(d.siteId!)?.category === 'hotel')!;
    const hotel = city.sites.get(panel.siteId!)!.name;
    await operator.goto(`${vigil.url}/alarms`);
    await operator.waitForSelector('[data-testid=alarm-stats]');
    await operator.waitForSelector('.live-indicator.on');
    const client = await Dc09Client.connect('127.0.0.1', vigil.capabilities.alarms.receiver.tcpPort!);
    const reply = await client.send(signalFrame({ id: 'SIA-DCS', seq: 1, account: panel.account!, data: 'Nri1/FA002', now: Date.now() }));
    client.close();
    assert.equal(reply.kind, 'ACK');
    const frenchTitle = `Alarme incendie — zone 002 — ${hotel}`;
    const item = operator.locator('[data-testid=alarm-queue] li', { hasText: 'zone 002' }).first();
    assert.equal((await expectText(item.locator('.title'), /Alarme incendie/)).trim(), frenchTitle);
    await item.click();
    assert.equal((await expectText(operator.locator('[data-testid=alarm-detail] h2'), /Alarme incendie/)).trim(), frenchTitle);
    await expectText(operator.locator('[data-testid=alarm-signals]'), /FA\s+Alarme incendie \(/);
    await expectText(operator.locator('[data-testid=live-feed]'), /«\u00a0Alarme incendie — zone 002 — /);
    const consoleText = await operator.locator('[data-testid=alarm-console]').innerText();
    assert.doesNotMatch(consoleText, /Fire alarm/, 'no English code text on the console');
    await operator.screenshot({ path: '/tmp/vigil-words-fr-alarm-console.png' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
