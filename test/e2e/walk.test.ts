import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEMO_USERS } from '../../src/identity/index.js';
import { launchChromium, navPages, openNavPage, signInAt, startDemoNode } from './browser.js';
import {
  ALARM_KIND_LABELS,
  ALERT_STATE_LABELS,
  COMMS_KIND_LABELS,
  INCIDENT_RESOLUTION_LABELS,
  INCIDENT_STATUS_LABELS,
  INTERACTION_KIND_LABELS,
  ORG_KIND_LABELS,
  RELATION_KIND_LABELS,
  RESOLUTION_LABELS,
  ROLE_LABELS,
  UNIT_KIND_LABELS,
  UNIT_STATUS_LABELS,
} from '../../web/src/labels.js';

/**
 * Every page of the navigation, as demo users, in a real browser: each page the bar offers
 * opens without a page error, a console error or a failed request (no 401/403/5xx), shows no
 * raw internal id nor enum slug (RAW_SLUG) in its visible text, fits the window without sideways scroll, and axe-core finds
 * no serious or critical WCAG 2.1 A/AA violation on it.
 *
 * The default run walks a few roles at 1440×900 and the phone roles (responder, steward) at 360 and
 * 414 px wide (quick enough for CI); VIGIL_E2E_WALK=full walks every demo user at 1440 and 390, and
 * the phone roles at 360 and 414 too. VIGIL_E2E_WALK_SHOTS=<dir> keeps a
 * screenshot of each page; VIGIL_E2E_WALK_USERS=operator,commander walks only those users (of the plan).
 *
 * A French pass (in every run: a user of each role and the steward, at 1440 and 390 px; every user in the full
 * walk) checks that no text of the interface stays in English once the user picks French: none of ENGLISH_UI in
 * the visible text nor in the labels, titles and placeholders, besides the raw ids, slugs, sideways scroll and
 * errors. It skips axe-core and does not wait for maps' data, which the English pass did on the same pages, and
 * runs VIGIL_E2E_WALK_LANES (2) walks at a time. VIGIL_E2E_WALK_LANG=en|fr runs one language's walks only;
 * VIGIL_E2E_WALK_TIMES=1 prints how long each walk and page took.
 */
const FULL = process.env.VIGIL_E2E_WALK === 'full';
const ONLY = process.env.VIGIL_E2E_WALK_USERS ? new Set(process.env.VIGIL_E2E_WALK_USERS.split(',')) : null;
const SHOTS = process.env.VIGIL_E2E_WALK_SHOTS ?? null;
const LANG = process.env.VIGIL_E2E_WALK_LANG ?? null;
const TIMES = !!process.env.VIGIL_E2E_WALK_TIMES;
const FRENCH_LANES = Number(process.env.VIGIL_E2E_WALK_LANES ?? 2);
type Walk = [user: string, size: { width: number; height: number }, lang?: 'en' | 'fr'];
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const SMALL_PHONE = { width: 360, height: 740 };
const LARGE_PHONE = { width: 414, height: 896 };

/** axe-core's browser bundle, injected into each page: WCAG 2.1 A and AA rules. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** The serious and critical WCAG 2.1 AA violations axe-core finds on the page as it is now. */
export async function axeViolations(page: import('playwright-core').Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE); // through DevTools: the page's CSP (script-src 'self') stays on
  return page.evaluate(async (tags) => {
    const axe = (
      window as unknown as {
        axe: {
          run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.map(String).join(' ')) }));
  }, WCAG_TAGS);
}

/** Raw ids as Vigil writes them: ULIDs with a prefix (alm_01H…), actor and device references, OSM site ids. */
export const RAW_ID = /\b[a-z]{3,4}_[0-9A-HJKMNP-TV-Z]{26}\b|\b(?:user|apikey):[A-Za-z0-9_]{6,}|\bsite:osm:|\bdev:[a-z-]+:\d+|\bunt_[0-9A-Z]{10,}/;

/**
 * Words of the interface that only its English shows (verbs of buttons, MapLibre's controls, notices); none is
 * in the demo data (a CVE title's "Save/Restore" is: a word joined by / or - is not one), so one on a French page is
 * a text that missed t().
 */
export const ENGLISH_UI =
  /(?<![/-])\b(?:Add|Save|Cancel|Edit|Delete|Remove|Revoke|Create|Enable|Disable|Grant|Sign out|Loading|Search|Refresh|Approve|Reject|Submit|Stop sharing|Zoom in|Zoom out|Toggle attribution|Drag to rotate|needs a sign-in|[Cc]lick|[Tt]ap the)\b(?![/-])/;

/**
 * Enum values the UI must show in words, never as their kebab-case slug ("event-organiser", "unit-status",
 * "on-scene", "alert-officer"): every slug with a hyphen from the tables of words in web/src/labels.ts.
 * Matched whole and case-sensitive, so prose ("on scene", "Event organiser") never matches; nor does a word in
 * parentheses, a username ("Alex Alert-Officer (alert-officer)").
 */
const SLUG_TABLES = [
  ALARM_KIND_LABELS,
  ORG_KIND_LABELS,
  ROLE_LABELS,
  COMMS_KIND_LABELS,
  INCIDENT_STATUS_LABELS,
  INCIDENT_RESOLUTION_LABELS,
  UNIT_STATUS_LABELS,
  UNIT_KIND_LABELS,
  ALERT_STATE_LABELS,
  RESOLUTION_LABELS,
  RELATION_KIND_LABELS,
  INTERACTION_KIND_LABELS,
];
export const RAW_SLUG = new RegExp(
  `(?<![\\w/:.(-])(?:${[...new Set(SLUG_TABLES.flatMap((table) => Object.keys(table)).filter((slug) => slug.includes('-')))].join('|')})(?![\\w/.)-])`,
);

/** Maps the walk waits for, with what it reports when the data never shows (counts from exposeRendered). */
const MAP_READY: [string, (selector: string) => boolean, string][] = [
  ['[data-testid=map]', (s) => Number(document.querySelector(s)?.getAttribute('data-rendered-sites') ?? 0) > 0, 'the city map shows no site marker'],
  [
    '[data-testid=event-map]',
    (s) => {
      const map = document.querySelector(s);
      return !!map?.getAttribute('data-fitted') && Number(map.getAttribute('data-rendered-features') ?? 0) > 0;
    },
    'the event map is not framed on the event or draws none of its features',
  ],
  [
    '[data-testid=command-map]',
    (s) => {
      const map = document.querySelector(s);
      if (map?.getAttribute('data-ready') !== 'yes') return false;
      // The incidents and units the board lists are on the map too.
      const listed = document.querySelectorAll('[data-testid=incident-board] li.incident, [data-testid=unit-list] li').length;
      const drawn = Number(map.getAttribute('data-rendered-incidents') ?? 0) + Number(map.getAttribute('data-rendered-units') ?? 0);
      return listed === 0 || drawn > 0;
    },
    'the command map draws none of the incidents and units the board lists',
  ],
];

interface Visit {
  user: string;
  size: string;
  page: string;
  problems: string[];
}

async function walk(browser: Browser, url: string, username: string, viewport: { width: number; height: number }, lang: 'en' | 'fr' = 'en'): Promise<Visit[]> {
  const context = await browser.newContext({ viewport });
  // Two walks share the machine in the French pass: an action may wait longer than Playwright's 30 s on a loaded runner.
  context.setDefaultTimeout(60_000);
  // The language the user picked (the app keeps it in localStorage), before the first page loads.
  if (lang !== 'en') await context.addInitScript((l) => localStorage.setItem('vigil.lang', l), lang);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().startsWith(url)) problems.push(`${r.status()} ${r.request().method()} ${r.url().slice(url.length)}`);
  });
  const visits: Visit[] = [];
  try {
    await signInAt(page, url, username);
    await page.waitForSelector('[data-testid=who]', { state: 'attached' });
    // The bar settles once its probes answered (pages that depend on the user's data).
    await page.waitForLoadState('networkidle').catch(() => {});
    const keys = await navPages(page);
    assert.ok(keys.length > 0, `${username} has pages`);
    for (const key of keys) {
      const pageStarted = Date.now();
      problems.length = 0;
      const label = (await page.locator(`header.topbar nav [data-page="${key}"]`).textContent()) ?? key;
      await openNavPage(page, label);
      await page.waitForLoadState('networkidle').catch(() => {});
      await page.waitForTimeout(250);
      // Maps once their data is drawn (not after a fixed sleep): the city map with its site markers,
      // an event's map framed on its perimeter (fitTo's bounds in data-fitted) with its features.
      // The French pass reads words: it does not wait for a map's data, which the English pass did on the same pages.
      for (const [selector, ready, what] of lang === 'en' ? MAP_READY : []) {
        if ((await page.locator(selector).count()) === 0) continue;
        const done = await page
          .waitForFunction(ready, selector, { timeout: 30_000 })
          .then(() => true)
          .catch(() => false);
        if (!done) problems.push(`${what} (${selector})`);
      }
      // Visible text, less what is there to be copied into a device's settings (an MQTT username, marked data-credential)
      // and the users' sign-in names (data-username).
      const text = await page.locator('main').evaluate((m) => {
        let visible = (m as HTMLElement).innerText;
        for (const c of m.querySelectorAll<HTMLElement>('[data-credential]')) visible = visible.split(c.innerText).join('');
        // A user name is what its owner types to sign in ("alert-officer"): shown as it is, marked data-username.
        for (const c of m.querySelectorAll<HTMLElement>('[data-username]')) visible = visible.split(c.innerText).join('');
        return visible;
      });
      if (lang === 'fr') {
        // What a person reads or hears: the header and the page, their labels, titles and placeholders.
        const shown = await page.evaluate(() => {
          const parts = [...document.querySelectorAll<HTMLElement>('header.topbar, main')].map((e) => e.innerText);
          for (const e of document.querySelectorAll('header.topbar [aria-label], header.topbar [title], main [aria-label], main [title], main [placeholder]'))
            for (const a of ['aria-label', 'title', 'placeholder']) parts.push(e.getAttribute(a) ?? '');
          return parts.join('\n');
        });
        const english = ENGLISH_UI.exec(shown);
        if (english) problems.push(`English in French: "${shown.slice(Math.max(0, english.index - 40), english.index + 40).replace(/\s+/g, ' ')}"`);
      }
      const raw = RAW_ID.exec(text);
      if (raw) problems.push(`raw id in text: "${text.slice(Math.max(0, raw.index - 40), raw.index + 40).replace(/\s+/g, ' ')}"`);
      const slug = RAW_SLUG.exec(text);
      if (slug) problems.push(`raw slug in text: "${text.slice(Math.max(0, slug.index - 40), slug.index + 40).replace(/\s+/g, ' ')}"`);
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (sideways > 1) problems.push(`scrolls sideways by ${sideways} px`);
      if (lang === 'en') for (const v of await axeViolations(page)) problems.push(`axe ${v.impact} ${v.id} (${v.help}): ${v.targets.join(' | ')}`);
      const headerHeight = await page.locator('header.topbar').evaluate((h) => h.getBoundingClientRect().height);
      if (viewport.width >= 1440 && headerHeight > 60) problems.push(`the header wraps (${Math.round(headerHeight)} px high)`);
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({
          path: join(SHOTS, `${username}-${label.toLowerCase().replace(/\W+/g, '-')}${lang === 'en' ? '' : `-${lang}`}-${viewport.width}.png`),
        });
      }
      if (TIMES) console.log(`  ${username} @${viewport.width} ${lang} ${key}: ${Date.now() - pageStarted} ms`);
      visits.push({ user: username, size: `${viewport.width}${lang === 'en' ? '' : ` ${lang}`}`, page: label, problems: [...problems] });
    }
  } finally {
    await context.close();
  }
  return visits;
}

test('every page of the navigation as demo users: no errors, no failed requests, no raw ids, no sideways scroll, no serious or critical axe-core (WCAG 2.1 AA) violation', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  try {
    const everyone = DEMO_USERS.map((u) => u.username);
    // French: a user of each role (the first demo user with it) and the steward, who sees least; every user in the full walk.
    const perRole = DEMO_USERS.filter((u, i) => DEMO_USERS.findIndex((v) => v.roles.join() === u.roles.join()) === i).map((u) => u.username);
    const french: Walk[] = (FULL ? everyone : [...new Set([...perRole, 'steward'])]).flatMap((u) => [[u, DESKTOP, 'fr'] as Walk, [u, PHONE, 'fr'] as Walk]);
    const english: Walk[] = FULL
      ? [
          ...everyone.flatMap((u) => [[u, DESKTOP] as Walk, [u, PHONE] as Walk]),
          ...['responder', 'steward'].flatMap((u) => [[u, SMALL_PHONE] as Walk, [u, LARGE_PHONE] as Walk]),
        ]
      : [
          ['admin', DESKTOP],
          ['alert-officer', DESKTOP],
          ['analyst', DESKTOP],
          ['responder', SMALL_PHONE],
          ['steward', LARGE_PHONE],
        ];
    const wanted = ([user, , lang]: Walk): boolean => (!ONLY || ONLY.has(user)) && (!LANG || (lang ?? 'en') === LANG);
    const bad: string[] = [];
    const run = async ([user, size, lang]: Walk): Promise<void> => {
      const started = Date.now();
      const visits = await walk(browser, vigil.url, user, size, lang);
      if (TIMES) console.log(`walk ${user} @${size.width} ${lang ?? 'en'}: ${visits.length} pages in ${Date.now() - started} ms`);
      for (const v of visits) {
        for (const p of v.problems) bad.push(`${v.user} @${v.size} ${v.page}: ${p}`);
      }
    };
    // The English walks one at a time (axe-core is heavy); the French ones FRENCH_LANES at a time, each in its own
    // browser context: they read text without waiting for maps, so most of a walk is waiting on the page.
    for (const w of english.filter(wanted)) await run(w);
    const queue = french.filter(wanted);
    await Promise.all(
      Array.from({ length: FRENCH_LANES }, async () => {
        for (let w = queue.shift(); w; w = queue.shift()) await run(w);
      }),
    );
    bad.sort();
    assert.deepEqual(bad, []);
  } finally {
    await browser.close();
    await close();
  }
});
