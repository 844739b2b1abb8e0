import type { TestContext } from 'node:test';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { RunningVigil } from '../../src/app.js';
import type { CaughtMail } from '../../src/demo/demo-sinks.js';
import { launchChromium, signInAt, startDemoNode } from '../e2e/browser.js';
import { until } from './until.js';

/**
 * The set-up the citizen-reports browser tests share (test/e2e/citizen-reports.test.ts, work-orders.test.ts):
 * a demo node without DC-09 or the embedded broker and a Chromium, closed after `run`; skipped without
 * Chromium (launchChromium); the resident's phone; the fire service's triage desk; the demo inbox.
 */
export async function withCitizenReportsScene(
  t: TestContext,
  env: Record<string, string>,
  run: (scene: { browser: Browser; vigil: RunningVigil }) => Promise<void>,
): Promise<void> {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', ...env });
  try {
    await run({ browser, vigil });
  } finally {
    await browser.close();
    await close();
  }
}

/** The resident's phone: 390 × 844, touch, English; `options` adds to it (geolocation). */
export function residentPhone(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB', ...options });
}

/**
 * The fire service's triage desk at 1440 px (the demo's responder signed in on /reports), with the
 * newest report of the service named opened; page errors go to `errors`.
 */
export async function fireDeskWithReport(
  browser: Browser,
  vigil: RunningVigil,
  serviceName: string,
  errors: string[],
): Promise<{ desk: BrowserContext; staff: Page }> {
  const desk = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
  const staff = await desk.newPage();
  staff.on('pageerror', (e) => errors.push(e.message));
  await signInAt(staff, `${vigil.url}/reports`, 'responder');
  await staff.waitForSelector('[data-testid=report-row]');
  // Newest first: the test's report is the first of its service in the list (the demo city has older ones).
  await staff.locator('[data-testid=report-row]').getByRole('button', { name: serviceName }).first().click();
  return { desk, staff };
}

/** The mail the demo's SMTP sink caught for `address` with this subject, once it came. */
export async function mailTo(vigil: RunningVigil, address: string, subject: string): Promise<CaughtMail> {
  const caught = (): CaughtMail[] => (vigil.demoSinks?.inbox().mail ?? []).filter((m) => m.to.includes(address));
  await until(() => caught().some((m) => m.subject === subject), `the mail "${subject}" to ${address}`).catch(() => {
    throw new Error(`no mail "${subject}" to ${address}; got ${JSON.stringify(caught().map((m) => m.subject))}`);
  });
  return caught().find((m) => m.subject === subject)!;
}
