import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

/** Debian's chromium, headless, with software WebGL for MapLibre. Skips locally / fails under CI when absent. */
export async function launchChromium(t: TestContext): Promise<Browser | null> {
  if (!existsSync(CHROMIUM)) {
    const message = `chromium not found at ${CHROMIUM} (apt-get install chromium)`;
    if (process.env.CI === 'true') throw new Error(`${message} — CI requires it`);
    t.skip(`${message}; skipped locally (under CI=true this fails)`);
    return null;
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  });
}

/** A demo-city Vigil node on free ports in a fresh data folder, for browser tests. */
export async function startDemoNode(env: Record<string, string> = {}): Promise<{ vigil: import('../../src/app.js').RunningVigil; close: () => Promise<void> }> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { serveVigil } = await import('../../src/app.js');
  const { loadConfig } = await import('../../src/kernel/config.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_LOG_LEVEL: 'silent', ...env }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  return {
    vigil,
    close: async () => {
      await vigil.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Opens `url` and signs in on its form as a demo user; callers wait for what their page shows. */
export async function signInAt(page: import('playwright-core').Page, url: string, username: string, password = 'vigil-demo'): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/**
 * Asserts that an element's text matches, polling until it does: the UI renders after
 * fetches and live events, so a single read right after an action races the page.
 */
export async function expectText(locator: import('playwright-core').Locator, expected: RegExp, message?: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = await locator.innerText({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => text);
    if (expected.test(text) || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  (await import('node:assert/strict')).match(text, expected, message);
  return text;
}

/** Opens a page from the top bar as a user would: directly, or under "More" when the bar has no room for it. */
export async function openNavPage(page: import('playwright-core').Page, label: string): Promise<void> {
  const nav = page.locator('header.topbar nav');
  await nav.waitFor();
  const item = nav.getByRole('button', { name: label, exact: true });
  if ((await item.count()) === 0) await nav.getByTestId('nav-more').click();
  await item.click();
}

/** The page keys the top bar offers, inline and under "More" alike. */
export async function navPages(page: import('playwright-core').Page): Promise<string[]> {
  return page.locator('header.topbar nav [data-page]').evaluateAll((els) => els.map((e) => e.getAttribute('data-page') ?? ''));
}

let axeSource: string | null = null;

/** WCAG 2.1 A/AA violations axe-core finds on the page as it is now (`rule id: targets`); evaluated through DevTools, so the page's CSP stays as served. */
export async function wcagViolations(page: import('playwright-core').Page): Promise<string[]> {
  if (!axeSource) {
    const { readFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  }
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const page = globalThis as unknown as {
      document: unknown;
      axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> };
    };
    return page.axe.run(page.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
