import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CITIZEN_APP_API_KEY } from '../../src/citizen-reports/contract.js';
import { signedIn } from '../support/api-client.js';
import { expectText, launchChromium, startDemoNode, wcagViolations } from './browser.js';

const shot = (name: string): string => `${process.env.VIGIL_SCREENSHOT_DIR ?? '/tmp'}/vigil-reports-merged-${name}.png`;

/**
 * Two residents report the same flooding; the fire service merges the second into the first.
 * The second resident, following their report by its personal link, reads which report theirs
 * joined in words — its service, its street, when it came in — in English and in French, never
 * its id, and opens that report's public status from the link; the city's public list says the
 * same in the reader's language.
 */
test('citizen reports: a merged report tells its reporter, in each language, which report it joined and links to its status', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off' });
  const errors: string[] = [];
  try {
    const post = async (fields: Record<string, string>, ip: string) => {
      const r = await vigil.server.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ api_key: CITIZEN_APP_API_KEY, service_code: 'flooding', ...fields }).toString(),
        remoteAddress: ip,
      });
      assert.equal(r.statusCode, 201, r.body);
      const [created] = r.json() as { service_request_id: string; follow_url: string }[];
      return { id: created!.service_request_id, follow: created!.follow_url };
    };
    const first = await post(
      { lat: '43.7331', long: '7.4199', address_string: 'Rue Grimaldi', description: 'The underpass is flooded ankle-deep' },
      '198.51.100.71',
    );
    const second = await post({ lat: '43.73312', long: '7.41992', description: 'Water across the road' }, '198.51.100.72');
    const fire = await signedIn(vigil, 'responder');
    const merged = await fire('POST', `/api/citizen-reports/${second.id}/merge`, { into: first.id, note: 'The pumps are on their way.' });
    assert.equal(merged.status, 200, merged.body);

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB' });
    const page = await phone.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(second.follow.replace(/^https?:\/\/[^/]+/, vigil.url));
    const joined = page.locator('[data-testid=my-report-joined]');
    await expectText(
      joined,
      /^The same problem was already reported: Flooding, Rue Grimaldi · received \d\d\/\d\d\/\d{4}, [\d:]+\. Your report now follows that one\.\s+The pumps are on their way\.\s+Follow that report$/,
    );
    assert.ok(!(await page.locator('[data-testid=my-reports]').innerText()).includes(first.id), 'the other report is not named by its id');
    assert.deepEqual(await wcagViolations(page), [], 'my reports with a merged one pass WCAG 2.1 AA');

    // The link opens the report it joined: its public status, anyone may read it.
    await joined.getByRole('link', { name: 'Follow that report' }).click();
    const linked = page.locator('[data-testid=linked-report]');
    await expectText(linked, /A report of the city\s+Flooding\s+open · Monaco Fire and Rescue\s+Rue Grimaldi · Sent/);
    assert.equal(new URL(page.url()).searchParams.get('report'), first.id);
    await page.screenshot({ path: shot('phone'), fullPage: true });

    // The same in French; the city's public list too, with the link to follow that report.
    await page.getByLabel('Language').selectOption('fr');
    await expectText(joined, /^Le même problème avait déjà été signalé : Inondation, Rue Grimaldi · reçu .*Votre signalement suit désormais celui-là\./);
    await expectText(linked, /Un signalement de la ville\s+Inondation\s+ouverte/);
    const inList = page.locator('.report-cards.compact li', { hasText: 'Ce signalement suit désormais celui-là' }).first();
    await expectText(
      inList,
      /Le même problème avait déjà été signalé : « Inondation », Rue Grimaldi, reçu le \d{1,2} \S+\. Ce signalement suit désormais celui-là/,
    );
    const href = await inList.getByRole('link', { name: 'Suivre ce signalement' }).getAttribute('href');
    assert.equal(href, `/citizen?report=${first.id}#reports`);
    assert.deepEqual(await wcagViolations(page), [], 'in French too');
    await page.screenshot({ path: shot('phone-fr'), fullPage: true });
    assert.deepEqual(errors, []);
    await phone.close();
  } finally {
    await browser.close();
    await close();
  }
});
