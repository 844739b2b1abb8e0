import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Dc09Client } from '../../src/adapters/protocols/dc09/dc09-client.js';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { agencyAlert } from '../support/cap-documents.js';
import { expectText, launchChromium, signInAt, startDemoNode } from './browser.js';

/** A page in French (as the user picked it: the app keeps the language in localStorage), its script errors counted. */
async function frenchPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(() => localStorage.setItem('vigil.lang', 'fr'));
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  return page;
}

const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Clicks the first feature of a layer group where the map says it drew it (data-point-<name>). */
async function clickDrawn(page: Page, map: string, name: string): Promise<void> {
  await page.waitForFunction(([m, n]) => document.querySelector(`[data-testid=${m}]`)?.hasAttribute(`data-point-${n}`), [map, name] as const, {
    timeout: 120_000,
  });
  const [x, y] = (await page.locator(`[data-testid=${map}]`).getAttribute(`data-point-${name}`))!.split(',').map(Number) as [number, number];
  await page.locator(`[data-testid=${map}]`).click({ position: { x, y } });
}

/**
 * The last English the server wrote into a French operator's screens, in Chromium on the demo city: an incident
 * escalated from a panel's fire alarm is titled in French (« Alarme incendie — zone 002 — <hotel> », stored in
 * English) on the board, in its view, on the command map's popup and in the live feed; a device Vigil named is
 * named in French on the city map; an imported CAP alert's warning reads in French on Other agencies.
 */
test('web UI in French: an escalated alarm’s incident, a generated device name and a CAP import warning read in French', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_ROUTING_OSM: 'off' });
  const errors: string[] = [];
  try {
    await vigil.demoLoaded;
    const city = vigil.capabilities.city.service.state;
    const panel = [...city.devices.values()].find((d) => d.kind === 'alarm-panel' && city.sites.get(d.siteId!)?.category === 'hotel')!;
    const hotel = city.sites.get(panel.siteId!)!.name!;
    const operator = await frenchPage(browser, errors);
    await signInAt(operator, `${vigil.url}/alarms`, 'operator');
    await operator.waitForSelector('[data-testid=alarm-stats]');
    await operator.waitForSelector('.live-indicator.on');
    const client = await Dc09Client.connect('127.0.0.1', vigil.capabilities.alarms.receiver.tcpPort!);
    assert.equal((await client.send(signalFrame({ id: 'SIA-DCS', seq: 1, account: panel.account!, data: 'Nri1/FA002', now: Date.now() }))).kind, 'ACK');
    client.close();
    const frenchTitle = `Alarme incendie — zone 002 — ${hotel}`;
    await operator.locator('[data-testid=alarm-queue] li', { hasText: 'zone 002' }).first().click();
    await operator.click('[data-testid=escalate]');
    const reference = (await expectText(operator.locator('[data-testid=escalated]'), /INC-\d{4}/)).match(/INC-\d{4}/)![0];
    const stored = [...vigil.capabilities.incidents.service.state.incidents.values()].find((i) => i.reference === reference)!;
    assert.equal(stored.title, `Fire alarm — zone 002 — ${hotel}`, 'stored in English, as the exports read it');

    // The live feed names the new incident by its French title.
    await expectText(operator.locator('[data-testid=live-feed]'), new RegExp(`«\u00a0${reference} — Alarme incendie — zone 002 — `));
    await operator.screenshot({ path: '/tmp/vigil-words2-live-feed.png' });

    // The board and the incident's view: the title in French.
    await operator.goto(`${vigil.url}/incidents`);
    const item = operator.locator('[data-testid=incident-board] li', { hasText: reference });
    assert.equal((await expectText(item.locator('[data-testid=incident-title]'), /Alarme incendie/)).trim(), frenchTitle);
    await item.click();
    assert.equal((await expectText(operator.locator('[data-testid=incident-detail] h2'), /Alarme incendie/)).trim(), `${reference} — ${frenchTitle}`);
    await expectText(operator.locator('[data-testid=incident-detail]'), /Incendie · P1/, 'the type in French');
    // The communications log's opening line names it so too.
    await expectText(operator.locator('[data-testid=log-internal]'), new RegExp(`Ouverte \\(alarme\\) : ${escaped(frenchTitle)} — priorité 1`));
    await operator.locator('[data-testid=log-internal]').scrollIntoViewIfNeeded();
    await operator.screenshot({ path: '/tmp/vigil-words2-incident-log.png' });
    const detail = await operator.locator('[data-testid=incident-detail]').innerText();
    assert.doesNotMatch(detail, /Fire alarm|\bFire\b/, 'no English title nor type');
    await operator.screenshot({ path: '/tmp/vigil-words2-incident.png' });
    // The command map's popup of the incident.
    await clickDrawn(operator, 'command-map', 'incidents');
    const popup = await expectText(operator.locator('[data-testid=incident-popup]'), /\S/);
    assert.ok(popup.startsWith(frenchTitle), popup);
    assert.match(popup, new RegExp(`${reference} · P1 · `));
    await operator.screenshot({ path: '/tmp/vigil-words2-command-map-popup.png' });

    // The city map: a device Vigil named (a monitored site's camera) is named in French.
    await operator.goto(`${vigil.url}/`);
    await clickDrawn(operator, 'map', 'devices');
    const device = await expectText(operator.locator('[data-testid=device-popup]'), /\S/);
    assert.match(device, /^(Caméra du site|Sirène|haut-parleur|caméra) — /, device);
    assert.doesNotMatch(device, /Site camera|Siren|loudspeaker|camera —|building in/, device);
    // One popup: the device's, not also the site it is drawn over (both opened until 5 December).
    assert.equal(await operator.locator('.maplibregl-popup').count(), 1, 'one popup for one click');
    assert.equal(await operator.locator('[data-testid=site-popup]').count(), 0, 'the site under the device opens no popup of its own');
    await operator.screenshot({ path: '/tmp/vigil-words2-device-popup.png' });
    await operator.locator('[data-testid=device-popup]').screenshot({ path: '/tmp/vigil-words2-device-popup-close.png' });

    // Other agencies: an imported alert CAP allows but Vigil would not write (a restriction on a Public alert) keeps its warning, in French.
    const officer = await frenchPage(browser, errors);
    await signInAt(officer, `${vigil.url}/`, 'alert-officer');
    const doc = agencyAlert({ id: 'WARN-FR-1', area: 'Zona WARN' }).replace(
      '<scope>Public</scope>',
      '<scope>Public</scope>\n  <restriction>staff only</restriction>',
    );
    await officer.waitForSelector('[data-testid=who]');
    // Uploaded from the signed-in page (its session), as an officer's script would.
    const imported = await officer.evaluate(async (body) => {
      const r = await fetch('/api/alerts/import', { method: 'POST', headers: { 'content-type': 'application/cap+xml' }, body, credentials: 'same-origin' });
      return { status: r.status, text: await r.text() };
    }, doc);
    assert.equal(imported.status, 201, imported.text);
    await officer.goto(`${vigil.url}/agencies`);
    const warning = await expectText(officer.locator('[data-testid=import-warnings]'), /portée/);
    assert.match(warning, /<restriction> ne sert que pour la portée Restricted ; portée de cette alerte : Publique\./);
    assert.doesNotMatch(warning, /is used only|this alert is/, 'no English of the server');
    await officer.screenshot({ path: '/tmp/vigil-words2-other-agencies.png' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
