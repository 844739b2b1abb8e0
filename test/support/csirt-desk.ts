import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningVigil } from '../../src/app.js';
import { expectText, launchChromium, openNavPage, signInAt, startDemoNode } from '../e2e/browser.js';

/** What a CSIRT browser test works with: the demo node, the analyst's page, a folder for files, the pages' script errors. */
export interface CsirtDesk {
  browser: Browser;
  vigil: RunningVigil;
  /** The CSIRT analyst's page (1440×900), signed in, on the desk's alert queue (with `signIn: false`: blank, for a test signing in its own way). */
  page: Page;
  /** A temporary folder for files to upload (removed afterwards). */
  files: string;
  /** Script errors of every page opened with `newPage` (and of `page`): a test ends by asserting none. */
  errors: string[];
  /** Another page (another user, another viewport) whose script errors are counted too. */
  newPage(viewport: { width: number; height: number }): Promise<Page>;
  /** Opens a case of the desk's case list by its title and waits for its detail. */
  openCase(title: string): Promise<void>;
}

export interface CsirtDeskOptions {
  /** The node's settings (given the files folder, for one that names a folder in it). */
  env?: Record<string, string> | ((files: string) => Record<string, string>);
  /** Sign the analyst in and open the desk (default); false: the test signs in its own way (a second factor, another page). */
  signIn?: boolean;
}

/**
 * The set-up the CSIRT and device-security browser tests share: Chromium (the test is skipped
 * without it), the demo city, the `csirt` analyst signed in and on the desk (through the
 * navigation, as a user goes), and everything closed afterwards whatever happens.
 */
export async function withCsirtDesk(t: TestContext, run: (desk: CsirtDesk) => Promise<void>, options: CsirtDeskOptions = {}): Promise<void> {
  const browser = await launchChromium(t);
  if (!browser) return;
  const files = mkdtempSync(join(tmpdir(), 'vigil-csirt-desk-'));
  const env = typeof options.env === 'function' ? options.env(files) : (options.env ?? {});
  const { vigil, close } = await startDemoNode({ VIGIL_ROUTING_OSM: 'off', ...env });
  const errors: string[] = [];
  try {
    await vigil.demoLoaded;
    const newPage = async (viewport: { width: number; height: number }): Promise<Page> => {
      const p = await browser.newPage({ viewport });
      p.on('pageerror', (e) => errors.push(e.message));
      return p;
    };
    const page = await newPage({ width: 1440, height: 900 });
    if (options.signIn !== false) {
      await signInAt(page, vigil.url, 'csirt');
      await openNavPage(page, 'CSIRT');
      await page.waitForSelector('[data-testid=alert-queue]');
    }
    const openCase = async (title: string): Promise<void> => {
      await page.click('[data-testid=csirt-tab-cases]');
      await page.locator('[data-testid=case-list] tr', { hasText: title }).click();
      await expectText(page.locator('[data-testid=case-detail]'), new RegExp(`CSIRT-\\d{4}-\\d{4} · ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    };
    await run({ browser, vigil, page, files, errors, newPage, openCase });
  } finally {
    await browser.close();
    await close();
    rmSync(files, { recursive: true, force: true });
  }
}
