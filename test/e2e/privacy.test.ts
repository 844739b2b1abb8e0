import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PERSONAL_CLASSES } from '../../src/platform/personal-data.js';
import { signedIn } from '../support/api-client.js';
import { expectText, launchChromium, signInAt, startDemoNode } from './browser.js';

/** The Privacy page: retention per class, who read a caller and why (by name), a data subject's export and erasure. */
test('privacy page: retention with legal bases, the recorded read of a caller by name, export and erasure by phone', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode({ VIGIL_ROUTING_OSM: 'off' });
  try {
    const admin = await signedIn(vigil, 'admin');
    const opened = await admin('POST', '/api/incidents', {
      type: 'medical',
      position: [7.4236, 43.7347],
      source: 'call',
      caller: { name: 'Paul Privé', phone: '+377 93 15 15 15' },
    });
    assert.equal(opened.status, 201, opened.body);
    const reference: string = opened.json.incident.reference;
    assert.equal((await admin('GET', `/api/incidents/${opened.json.incident.incidentId}`)).status, 200);

    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAt(page, `${vigil.url}/privacy`, 'admin');
    await page.waitForSelector('[data-testid=retention-table] tbody tr');
    assert.equal(await page.locator('[data-testid=retention-table] tbody tr').count(), PERSONAL_CLASSES.length);
    await expectText(page.locator('[data-testid=retention-table]'), /Caller identity\s+90 days\s+Art\. 6\(1\)\(e\)/);
    await expectText(page.locator('[data-testid=retention-table]'), /Citizen reporters/);
    await expectText(page.locator('[data-testid=reads-table]'), new RegExp(`Camille Admin\\s+${reference}: caller\\s+incident view`));

    await page.fill('input[aria-label=Phone]', '+37793151515');
    await page.fill('input[aria-label=Reason]', 'letter of 1 December');
    await page.click('[data-testid=subject-export]');
    await expectText(page.locator('[data-testid=subject-records]'), new RegExp(`1 records[\\s\\S]*${reference}`));
    await expectText(page.locator('[data-testid=reads-table]'), /letter of 1 December/);

    page.once('dialog', (d) => void d.accept());
    await page.click('[data-testid=subject-erase]');
    await expectText(page.locator('.ok-box'), new RegExp(`Erased: ${reference}`));
    const after = await admin('GET', `/api/incidents/${opened.json.incident.incidentId}`);
    assert.deepEqual(after.json.incident.caller, { name: '[erased: request]', phone: '[erased: request]' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
