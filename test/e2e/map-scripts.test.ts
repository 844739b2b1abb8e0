import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium, signInAt, startDemoNode } from './browser.js';

const SHOTS = process.env.VIGIL_SCREENSHOT_DIR ?? '/tmp';

/**
 * Place names and alert labels in Greek, Cyrillic and Arabic: the map asks Vigil for the Noto
 * subset of each script (web/src/components/map-fonts.ts), every one is there (no 404), and the
 * labels are drawn. The demo extract's names are Latin, so the page's place-name layer is given
 * three more names as an OSM extract with them would.
 */
test('maps: labels in Greek, Cyrillic and Arabic load their Noto subsets from Vigil, none missing', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off' });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const fonts = new Map<string, number>();
    const failed: string[] = [];
    const errors: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/fonts/')) fonts.set(new URL(r.url()).pathname, r.status());
      if (r.status() >= 400 && !r.url().endsWith('/api/me')) failed.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const extra = [
      { name: 'Πλημμύρα Μονακό', at: [7.4205, 43.736] },
      { name: 'Наводнение Монако', at: [7.427, 43.742] },
      { name: 'فيضان موناكو', at: [7.415, 43.733] },
    ];
    await page.route('**/api/city/basemap/places', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { type: string; features: unknown[] };
      // First in the source, so collision with the demo's own names never hides them.
      body.features.unshift(
        ...extra.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p.at }, properties: { name: p.name, kind: 'neighbourhood' } })),
      );
      await route.fulfill({ response, json: body });
    });
    await signInAt(page, `${vigil.url}/`, 'admin');
    await page.waitForSelector('[data-testid=areas] li');
    const wanted = ['greek', 'cyrillic', 'arabic-arabic'].map((s) => `/fonts/noto-sans-${s}-700-normal.woff2`);
    const deadline = Date.now() + 30_000;
    while (!wanted.every((f) => fonts.has(f)) && Date.now() < deadline) await page.waitForTimeout(200);
    for (const f of wanted) assert.equal(fonts.get(f), 200, `${f}: ${fonts.get(f) ?? 'never requested'}`);
    // The labels are on screen: MapLibre placed them once their glyphs were drawn.
    await page.screenshot({ path: `${SHOTS}/map-scripts-1440.png` });
    await page.waitForFunction(
      (names) => {
        const shown = (document.querySelector('[data-testid=map]')?.getAttribute('data-place-names') ?? '').split('|');
        return names.every((n) => shown.includes(n));
      },
      extra.map((p) => p.name),
      { timeout: 30_000 },
    );
    await page.waitForTimeout(1000);
    await page.screenshot({ path: `${SHOTS}/map-scripts-1440.png` });
    assert.deepEqual(failed, []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
