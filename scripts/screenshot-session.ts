// What the screenshot scripts share: a demo node on a fresh data folder, Debian's Chromium
// with software WebGL (MapLibre needs it headless), and signing in as a demo user.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveVigil, type RunningVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';

export const SIZES = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

export interface ScreenshotSession {
  vigil: RunningVigil;
  browser: Browser;
  /** A new page at `viewport`, signed in as `username` on `path`, in `lang` when given. */
  signIn(username: string, viewport: { width: number; height: number }, path?: string, lang?: 'fr'): Promise<Page>;
  close(): Promise<void>;
}

export async function screenshotSession(out: string, env: Record<string, string> = {}): Promise<ScreenshotSession> {
  mkdirSync(out, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-shot-'));
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'warn', ...env }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  const browser = await chromium.launch({
    executablePath: process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  });
  return {
    vigil,
    browser,
    async signIn(username, viewport, path = '/', lang) {
      const page = await browser.newPage({ viewport });
      page.on('console', (m) => {
        if (m.type() === 'error') console.error(`browser (${username}):`, m.text());
      });
      await page.goto(vigil.url + path);
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', 'vigil-demo');
      await page.click('button[type=submit]');
      await page.waitForSelector('[data-testid=who]', { state: 'attached' });
      if (lang)
        await page
          .locator('select', { has: page.locator(`option[value=${lang}]`) })
          .first()
          .selectOption(lang);
      return page;
    },
    async close() {
      await browser.close();
      await vigil.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
