// Takes docs/screenshot.png of the demo city as a signed-in commander sees it.
// Usage: node --import tsx scripts/screenshot.ts [page-path] [out.png] [username]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveVigil } from '../src/app.js';
import { loadConfig } from '../src/kernel/config.js';

const [path = '/', out = 'docs/screenshot.png', username = 'admin'] = process.argv.slice(2);
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-shot-'));
const vigil = await serveVigil({
  ...loadConfig({ VIGIL_DC09_PORT: '0', VIGIL_MQTT_EMBEDDED_PORT: '0', VIGIL_LOG_LEVEL: 'warn' }),
  dataDir,
  port: 0,
  host: '127.0.0.1',
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') console.error('browser:', m.text());
  });
  await page.goto(vigil.url + path);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', 'vigil-demo');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=who]');
  if (path === '/') {
    await page.waitForSelector('[data-testid=areas] li');
    await page.getByRole('button', { name: 'La Condamine' }).click();
  }
  await page.waitForTimeout(2500);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await vigil.close();
  rmSync(dataDir, { recursive: true, force: true });
}
