import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import { Dc09Framer } from '../../src/adapters/protocols/dc09/dc09-framer.js';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { launchChromium, navPages, signInAt, startDemoNode } from './browser.js';

/**
 * A user of a partner organisation sees what sharing allows on every page, and nothing more.
 *
 * Who reads whose data is written here from the demo's sharing agreements (README "Sharing in
 * the demo"), not from the server's policy code: the security firm and the event organiser
 * receive nobody's data; the police receive the MARC's and the fire service's to act on and
 * the security firm's and the organiser's to read; the city reads the MARC's, fire's and police's.
 * The items themselves (units, incidents) are read from the node's state, and every page the
 * user's roles open is compared with them: readable items appear, others never do (anywhere in
 * the page's text, hidden map data included); callers stay with those the policy lets read them;
 * shared-read incidents offer no actions (and the server refuses them); new incidents and alarms
 * arrive live only where sharing allows.
 */

const ORG = {
  city: 'Monaco City Safety Office',
  police: 'Monaco Public Safety Police',
  fire: 'Monaco Fire and Rescue',
  marc: 'Riviera Alarm Monitoring (demo MARC)',
  security: 'Portier Private Security (demo)',
  events: 'Harbour Events Ltd (demo organiser)',
} as const;
type OrgKey = keyof typeof ORG;

interface Viewer {
  username: string;
  /** Organisations whose data the user reads (its own first). */
  reads: OrgKey[];
  /** Of those, the ones it also acts on (and reads callers of). */
  acts: OrgKey[];
  /** Every page of the navigation the user's roles open. */
  pages: string[];
  /** Whether the user's roles see units at all (the alert officer's do not). */
  seesUnits: boolean;
  /** Whether the user's roles dispatch (take, change status, close incidents) where the policy lets them act. */
  dispatches: boolean;
}

const VIEWERS: Viewer[] = [
  {
    username: 'guard',
    reads: ['security'],
    acts: ['security'],
    pages: ['/', '/responder', '/events', '/routing', '/reports', '/security'],
    seesUnits: true,
    dispatches: false,
  },
  {
    username: 'steward',
    reads: ['events'],
    acts: ['events'],
    pages: ['/', '/events', '/routing', '/reports', '/security'], // no unit of its own: no "My unit"
    seesUnits: true,
    dispatches: false,
  },
  {
    username: 'commander',
    reads: ['police', 'marc', 'fire', 'security', 'events'],
    acts: ['police', 'marc', 'fire'],
    pages: ['/', '/alarms', '/alerts', '/incidents', '/events', '/routing', '/crowd', '/agencies', '/reports', '/exchange', '/security'],
    seesUnits: true,
    dispatches: true,
  },
  {
    username: 'alert-officer',
    reads: ['city', 'marc', 'fire', 'police'],
    acts: ['city'],
    pages: ['/', '/alerts', '/incidents', '/routing', '/agencies', '/security'],
    seesUnits: false,
    dispatches: false,
  },
  {
    // The platform's own admin is a partner too: the city reads the MARC's, fire's and police's data, acts on none.
    username: 'admin',
    reads: ['city', 'marc', 'fire', 'police'],
    acts: ['city'],
    pages: [
      '/',
      '/alarms',
      '/alerts',
      '/incidents',
      '/events',
      '/routing',
      '/cockpit',
      '/audit',
      '/privacy',
      '/agencies',
      '/reports',
      '/csirt',
      '/device-security',
      '/exchange',
      '/engagement',
      '/admin',
      '/security',
    ],
    seesUnits: true,
    dispatches: true,
  },
];

/** The text of everything the page holds, hidden elements included (map data, collapsed panels). */
const pageText = (page: Page): Promise<string> => page.evaluate(() => document.body.textContent ?? '');

async function apiSession(browser: Browser, url: string, username: string): Promise<APIRequestContext> {
  const context = await browser.newContext({ baseURL: url, extraHTTPHeaders: { origin: url } });
  const r = await context.request.post('/api/auth/login', { data: { username, password: 'vigil-demo' } });
  assert.equal(r.status(), 200, `${username} signs in: ${await r.text()}`);
  return context.request;
}

async function openIncident(as: APIRequestContext, title: string, caller: string, position: [number, number]): Promise<string> {
  const r = await as.post('/api/incidents', {
    data: {
      type: 'fire',
      title,
      description: `${title} (partner-sharing test)`,
      position,
      source: 'call',
      caller: { name: caller, phone: '+377 98 00 00 00' },
    },
  });
  assert.equal(r.status(), 201, await r.text());
  return ((await r.json()) as { incident: { incidentId: string } }).incident.incidentId;
}

/**
 * Waits until the page settled after navigation: fetches answered, the live feed connected, the network idle.
 * A page that asks the same API again and again while it settles is a bug (the webhooks screen on /admin
 * once refetched its lists on every render and never went idle): no API path is asked more than a few times.
 */
async function settle(page: Page, where: string): Promise<void> {
  const asked = new Map<string, number>();
  const count = (r: import('playwright-core').Request): void => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/')) asked.set(path, (asked.get(path) ?? 0) + 1);
  };
  page.on('request', count);
  try {
    // Generous: map pages draw in software in headless Chromium, and a loaded machine takes its time.
    await page.waitForSelector('.live-indicator.on', { timeout: 90_000 });
    await page.waitForLoadState('networkidle', { timeout: 90_000 });
  } finally {
    page.off('request', count);
  }
  const repeated = [...asked].filter(([, n]) => n > 5);
  assert.deepEqual(repeated, [], `${where}: API paths asked again and again while the page settles`);
}

test('partner sharing in the browser: each organisation sees on every page what sharing allows and nothing more', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  await vigil.capabilities.routing.loaded;
  try {
    const orgIdOf = {} as Record<OrgKey, string>;
    for (const o of vigil.capabilities.identity.service.state.orgs.values()) {
      const key = (Object.keys(ORG) as OrgKey[]).find((k) => ORG[k] === o.name);
      if (key) orgIdOf[key] = o.id;
    }
    assert.equal(Object.keys(orgIdOf).length, 6);
    const keyOf = (orgId: string): OrgKey => (Object.keys(orgIdOf) as OrgKey[]).find((k) => orgIdOf[k] === orgId)!;

    // The truth: every unit as the node holds it (even the platform admin reads only what is shared with the city).
    const admin = await apiSession(browser, vigil.url, 'admin');
    const units = [...vigil.capabilities.units.service.state.units.values()];
    const unitsOf = (k: OrgKey): string[] => units.filter((u) => keyOf(u.orgId) === k).map((u) => u.callSign);
    assert.ok(unitsOf('fire').length && unitsOf('police').length && unitsOf('security').length, 'the demo has units of three organisations');

    // An incident of each organisation that opens incidents, each with a caller.
    const centre: [number, number] = [7.4246, 43.7384];
    const openers: [OrgKey, string][] = [
      ['city', 'admin'],
      ['police', 'commander'],
      ['marc', 'operator'],
    ];
    const incidents: { org: OrgKey; title: string; caller: string; id: string }[] = [];
    for (const [org, username] of openers) {
      const title = `Smoke at ${org} premises`;
      const caller = `Caller-of-${org} Person`;
      incidents.push({ org, title, caller, id: await openIncident(await apiSession(browser, vigil.url, username), title, caller, centre) });
    }
    for (const i of incidents)
      assert.equal(keyOf(vigil.capabilities.incidents.service.state.incidents.get(i.id)!.orgId), i.org, `${i.title} belongs to ${i.org}`);

    const errors: string[] = [];
    const checked: string[] = [];
    for (const v of VIEWERS) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.on('pageerror', (e) => errors.push(`${v.username}: ${e.message}`));
      await signInAt(page, `${vigil.url}${v.pages[0]}`, v.username);
      await page.waitForSelector('.topbar nav');
      // Pages that depend on the user's data show once their probes answered.
      await page.waitForLoadState('networkidle').catch(() => {});
      // The navigation offers exactly the pages listed for the user's roles. Pages that depend on a probe
      // (Events: the user's events) join the bar when it answers, which networkidle does not always wait for.
      await page
        .waitForFunction((n) => document.querySelectorAll('header.topbar nav [data-page]').length >= n, v.pages.length, { timeout: 20_000 })
        .catch(() => {});
      const offered = await navPages(page);
      assert.equal(offered.length, v.pages.length, `${v.username}: nav ${offered.join(', ')}`);
      for (const path of v.pages) {
        await page.goto(`${vigil.url}${path}`);
        await settle(page, `${v.username} on ${path}`);
        if (path === '/incidents' && v.seesUnits) await page.waitForSelector('[data-testid=unit-list] li');
        if (path === '/responder') await page.waitForSelector('.responder');
        const text = await pageText(page);
        const where = `${v.username} on ${path}`;
        for (const org of Object.keys(ORG) as OrgKey[]) {
          if (v.seesUnits && v.reads.includes(org)) continue;
          for (const callSign of unitsOf(org)) assert.ok(!new RegExp(`\\b${callSign}\\b`).test(text), `${where}: ${org}'s unit ${callSign} is shown`);
        }
        for (const i of incidents) {
          if (!v.reads.includes(i.org)) {
            assert.ok(!text.includes(i.title), `${where}: ${i.org}'s incident "${i.title}" is shown`);
            assert.ok(!text.includes(i.id), `${where}: ${i.org}'s incident id is shown (live feed?)`);
          }
          if (!v.acts.includes(i.org)) assert.ok(!text.includes(i.caller), `${where}: the caller of ${i.org}'s incident is shown`);
        }
        if (path === '/incidents') {
          // The board and unit list show every readable item.
          const board = await page.locator('[data-testid=incident-board]').innerText();
          for (const i of incidents) assert.equal(board.includes(i.title), v.reads.includes(i.org), `${where}: board and ${i.title}`);
          const unitList = await page.locator('[data-testid=unit-list]').innerText();
          for (const org of v.seesUnits ? v.reads : [])
            for (const callSign of unitsOf(org)) assert.match(unitList, new RegExp(`\\b${callSign}\\b`), `${where}: ${callSign}`);
          // Each readable incident: callers only where the policy lets read them, actions only where it lets act.
          for (const i of incidents.filter((x) => v.reads.includes(x.org))) {
            await page.locator('[data-testid=incident-board] li', { hasText: i.title }).click();
            await page.waitForSelector(`[data-testid=incident-detail]:has-text("${i.title}")`);
            await page.waitForLoadState('networkidle');
            const detail = await page.locator('[data-testid=incident-detail]').innerText();
            const acts = v.acts.includes(i.org);
            assert.equal(detail.includes(i.caller), acts, `${where}: caller of ${i.org}'s incident shown = ${acts}`);
            const offered = v.dispatches && acts;
            assert.equal(await page.locator('[data-testid=status-closed]').count(), offered ? 1 : 0, `${where}: close button on ${i.org}'s incident`);
            assert.equal(await page.locator('[data-testid=recommendation]').count(), offered ? 1 : 0, `${where}: dispatch offered on ${i.org}'s incident`);
            const messageBox = page.locator('[data-testid=incident-detail] input[aria-label^="Message"]');
            assert.equal((await messageBox.count()) > 0, offered, `${where}: message box on ${i.org}'s incident`);
            if (!acts) {
              // And the server refuses what the page does not offer.
              const closing = await page.request.post(`${vigil.url}/api/incidents/${i.id}/status`, {
                data: { status: 'closed', resolution: 'resolved' },
                headers: { origin: vigil.url },
              });
              assert.equal(closing.status(), 403, `${where}: closing ${i.org}'s incident answers ${closing.status()}`);
            }
          }
        }
        checked.push(`${v.username} ${path}`);
      }
      await page.close();
    }
    t.diagnostic(`pages checked: ${checked.length} (${checked.join(', ')})`);

    // Held open: the commander's board receives the MARC's new incident live, never the city's.
    const board = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    board.on('pageerror', (e) => errors.push(`commander live: ${e.message}`));
    await signInAt(board, `${vigil.url}/incidents`, 'commander');
    await board.waitForSelector('[data-testid=incident-board]');
    await settle(board, 'the commander on the incident board');
    const cityLive = await openIncident(admin, 'Live: city-only gas leak', 'Live city caller', centre);
    await openIncident(await apiSession(browser, vigil.url, 'operator'), 'Live: MARC escalated fire', 'Live MARC caller', centre);
    await board.waitForSelector('[data-testid=incident-board] li:has-text("Live: MARC escalated fire")');
    // The city's incident was opened first, so had it been sent it would be on the board by now.
    await board.waitForLoadState('networkidle');
    const live = await pageText(board);
    assert.ok(!live.includes('Live: city-only gas leak'), "the city's incident reached the police board live");
    assert.ok(!live.includes(cityLive), "the city's incident reached the commander's live feed");
    assert.ok(!live.includes('Live city caller'));
    assert.ok(!live.includes('Live MARC caller'), 'the board carries no caller');

    // Held open: the commander's alarm queue receives a MARC panel's fire alarm live, never a city gas sensor's alarm.
    const alarmsPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    alarmsPage.on('pageerror', (e) => errors.push(`commander alarms: ${e.message}`));
    await signInAt(alarmsPage, `${vigil.url}/alarms`, 'commander');
    await alarmsPage.waitForSelector('[data-testid=alarm-stats]');
    await settle(alarmsPage, 'the alarms page');
    const devices = [...vigil.capabilities.city.service.state.devices.values()];
    const gas = devices.find((d) => d.kind === 'gas-sensor' && keyOf(d.orgId) === 'city')!;
    const panel = devices.find((d) => d.kind === 'alarm-panel' && d.protocol === 'sia-dc09' && keyOf(d.orgId) === 'marc')!;
    assert.equal(
      await vigil.capabilities.alarms.ingest.sensors.handleSensorMessage(
        `vigil/sensors/${gas.id}/events`,
        Buffer.from(JSON.stringify({ type: 'gas', state: 'alarm' })),
      ),
      'recorded',
    );
    const frame = new Dc09Framer().push(signalFrame({ id: 'SIA-DCS', seq: 1, account: panel.account!, data: 'Nri1/FA001', now: Date.now() })).frames[0]!;
    assert.match((await vigil.capabilities.alarms.ingest.dc09.handleDc09(frame, 'test'))!.toString('latin1'), /"ACK"/);
    // The truth, as the city's admin reads it (the city reads the MARC's alarms): both alarms are open.
    const adminAlarms = ((await (await admin.get('/api/alarms')).json()) as { alarms: { alarmId: string; orgId: string }[] }).alarms;
    const cityAlarm = adminAlarms.find((a) => keyOf(a.orgId) === 'city');
    const marcAlarm = adminAlarms.find((a) => keyOf(a.orgId) === 'marc');
    assert.ok(cityAlarm && marcAlarm, `both alarms raised: ${JSON.stringify(adminAlarms)}`);
    await alarmsPage.waitForSelector('[data-testid=alarm-queue] li');
    await alarmsPage.waitForLoadState('networkidle');
    assert.equal(await alarmsPage.locator('[data-testid=alarm-queue] li').count(), 1, "only the MARC's alarm is on the police queue");
    const alarmsText = await pageText(alarmsPage);
    assert.ok(!alarmsText.includes(cityAlarm.alarmId) && !alarmsText.includes(gas.label ?? gas.id), "the city's alarm reached the commander's page");

    // The guard's pages stay without the new incidents too.
    const guard = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signInAt(guard, `${vigil.url}/`, 'guard');
    await settle(guard, 'the guard');
    await openIncident(await apiSession(browser, vigil.url, 'commander'), 'Live: police-only burglary', 'Live police caller', centre);
    await board.waitForSelector('[data-testid=incident-board] li:has-text("Live: police-only burglary")');
    const guardText = await pageText(guard);
    for (const s of ['Live: police-only burglary', 'Live: MARC escalated fire', 'Live: city-only gas leak'])
      assert.ok(!guardText.includes(s), `guard sees "${s}"`);
    await guard.screenshot({ path: process.env.VIGIL_SCREENSHOT_PARTNER_PHONE ?? '/tmp/vigil-partner-guard-phone.png' });
    await board.screenshot({ path: process.env.VIGIL_SCREENSHOT_PARTNER ?? '/tmp/vigil-partner-commander-desktop.png' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
