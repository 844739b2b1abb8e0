import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flood } from '../support/alert-fixtures.js';
import { signedIn } from '../support/api-client.js';
import { expectText, launchChromium, openNavPage, signInAt, startDemoNode } from './browser.js';

/**
 * The stock demo, nothing configured: its own mail catcher, SMSC and Cell Broadcast Centre
 * make every one of those channels deliver. The duty officer sees cell broadcast taken by the
 * CBC for every cell over Fontvieille (not "unavailable"); the administrator reads the
 * broadcast the CBC decoded, per language, in the demo inboxes.
 */
test('stock demo: an approved alert goes out by cell broadcast to the demo CBC, tracked in delivery and shown in the demo inbox', async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const { vigil, close } = await startDemoNode();
  try {
    assert.ok(vigil.demoSinks?.cbcUrl, 'the demo node runs its own CBC');
    const author = await signedIn(vigil, 'alert-officer');
    const approver = await signedIn(vigil, 'duty-officer');
    const { json } = await author('POST', '/api/alerts', { ...flood, channels: ['email', 'sms', 'cell-broadcast', 'cap-feed'] });
    const alertId = json.alert.alertId as string;
    await author('POST', `/api/alerts/${alertId}/submit`);
    assert.equal((await approver('POST', `/api/alerts/${alertId}/approve`)).status, 200);

    const errors: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAt(page, `${vigil.url}/alerts`, 'duty-officer');
    await page.locator('[data-testid=alert-list] li', { hasText: /Flash flood/ }).click();
    // Two languages × every cell over Fontvieille, all accepted by the CBC.
    const row = await expectText(
      page.locator('[data-channel=cell-broadcast]'),
      /^cell-broadcast\s*(\d+) \/ \1 sent · done/,
      'cell broadcast delivered',
      30_000,
    );
    const cells = Number(/(\d+) \//.exec(row)![1]);
    assert.ok(cells >= 2 && cells % 2 === 0, row);
    assert.doesNotMatch(await page.locator('[data-testid=delivery]').innerText(), /unavailable/);

    const admin = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    admin.on('pageerror', (e) => errors.push(e.message));
    await signInAt(admin, vigil.url, 'admin');
    await openNavPage(admin, 'Administration');
    const inbox = admin.getByTestId('demo-inbox');
    await inbox.getByRole('tab', { name: /Cell broadcast \(2\)/ }).click();
    const table = inbox.getByTestId('demo-cbs');
    await expectText(table, /fr-MC\s+Crue rapide à Fontvieille \(Fontvieille\) Montez aux étages\.\s+\d+/);
    await expectText(table, /en-GB\s+Flash flood in Fontvieille \(Fontvieille\) Go upstairs\.\s+\d+/);
    const perLanguage = Number(await table.locator('tbody tr').first().locator('td').last().innerText());
    assert.equal(perLanguage * 2, cells, 'the inbox lists the cells the delivery counted');
    assert.match((await table.locator('tbody tr td[title]').first().getAttribute('title')) ?? '', /^001-01-\w+(, 001-01-\w+)*$/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
