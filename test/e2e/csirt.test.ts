import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authenticator } from 'otplib';
import { until } from '../support/until.js';
import { withCsirtDesk } from '../support/csirt-desk.js';
import { expectText, signInAt } from './browser.js';

/**
 * The CSIRT desk in Chromium: failed sign-ins from one address raise an alert; the city's CSIRT
 * opens a case from it, takes it, adds a task and an observable, sends an advisory to the
 * monitoring centre, exports STIX and closes it; the monitoring centre's supervisor confirms the
 * advisory on the same page. Screenshots at 1440×900 and 390×844.
 */
test('web UI: CSIRT desk — alert queue, case from an alert, task, observable, advisory confirmed by the owner, STIX export, closing', async (t) => {
  await withCsirtDesk(
    t,
    async ({ vigil, page, errors: pageErrors, newPage }) => {
      const csirt = vigil.capabilities.csirt.service;
      for (let i = 0; i < 5; i++)
        await vigil.server.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: `guess-${i}`, password: 'x' },
          remoteAddress: '192.0.2.77',
        });
      await until(() => [...csirt.state.alerts.values()].some((a) => a.key === '192.0.2.77') && csirt.state.pending.size === 0, 'the alert');
      const identity = vigil.capabilities.identity.service;
      const principal = identity.resolvePrincipalOf('csirt');
      const { secret } = await identity.startTotp(principal);
      await identity.confirmTotp(principal, authenticator.generate(secret));

      await signInAt(page, `${vigil.url}/csirt`, 'csirt');
      await page.fill('input[name=totp]', authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret));
      await page.click('button[type=submit]');
      await page.waitForSelector('[data-testid=alert-queue]');
      await expectText(page.locator('[data-testid=alert-queue]'), /Failed sign-ins from 192\.0\.2\.77/);
      // Observable types read as words (the type code stays in the API and the exports).
      await expectText(page.locator('[data-testid=alert-queue]'), /IPv4 address 192\.0\.2\.77/);
      assert.doesNotMatch(await page.locator('[data-testid=alert-queue]').innerText(), /\bipv4\b/);

      await page.getByRole('checkbox', { name: 'Failed sign-ins from 192.0.2.77' }).check();
      await page.fill('input[aria-label="Case title"]', 'Password guessing on the console');
      await page.click('[data-testid=open-case]');
      const detail = page.locator('[data-testid=case-detail]');
      await expectText(detail, /CSIRT-\d{4}-\d{4} · Password guessing on the console/);
      await expectText(page.locator('[data-testid=observables]'), /IPv4 address\s+192\.0\.2\.77\s+IOC/);
      await page.click('[data-testid=take-case]');
      await expectText(detail, /Assignee: Cyril CSIRT/);

      await page.fill('input[aria-label=Task]', 'Block the address at the edge firewall');
      await page.fill('input[aria-label="Owner (username)"]', 'csirt');
      await detail.getByRole('button', { name: 'Add task' }).click();
      await expectText(page.locator('[data-testid=tasks]'), /Block the address at the edge firewall · Cyril CSIRT/);
      await page.locator('select[aria-label="Observable type"]').selectOption('domain');
      await page.fill('input[aria-label="Observable value"]', 'not a domain');
      assert.ok(await detail.getByRole('button', { name: 'Add observable' }).isDisabled(), 'a malformed observable is refused as typed');
      await page.fill('input[aria-label="Observable value"]', 'guess.example');
      await detail.getByRole('button', { name: 'Add observable' }).click();
      await expectText(page.locator('[data-testid=observables]'), /Domain name\s+guess\.example/);

      // The case concerns the city itself (the sign-ins were on the city's console): no advisory form; a case for the monitoring centre gets one.
      const marc = vigil.capabilities.identity.reads.orgs().find((o) => o.name.includes('Monitoring'))!;
      await csirt.openCase(principal, { title: 'Panel answering with a new key', orgId: marc.id, severity: 'high' });
      await page.click('[data-testid=csirt-tab-alerts]');
      await page.click('[data-testid=csirt-tab-cases]');
      await page.locator('[data-testid=case-list] tr', { hasText: 'Panel answering with a new key' }).click();
      await expectText(detail, /Panel answering with a new key/);
      await page.fill('input[aria-label="Advisory title"]', 'Rotate the panel keys');
      await page.fill('input[aria-label="What to do"]', 'Rotate the AES keys of the panels of account 1234.');
      await detail.getByRole('button', { name: /Send to/ }).click();
      await expectText(detail, /Rotate the panel keys · TLP:AMBER · awaiting/);
      // TLP stays the code analysts read; its meaning is in the tooltip, in the reader's language. Observable types read as words.
      assert.match(
        (await detail.locator('[data-testid=tlp-code]').first().getAttribute('title')) ?? '',
        /^TLP:AMBER — only within the recipient’s organisation/,
      );
      assert.match((await detail.locator('[data-testid=pap-code]').getAttribute('title')) ?? '', /^PAP:\w+ — /);
      const download = page.waitForEvent('download');
      await page.click('[data-testid=export-stix]');
      const stix = await download;
      assert.match(stix.suggestedFilename(), /\.stix\.json$/);
      await page.screenshot({ path: '/tmp/vigil-csirt-1440.png' });
      await page.screenshot({ path: 'docs/screenshots/csirt-cases-1440.png' });
      // On a phone the alert queue stacks into cards (the shared stack-table), nothing scrolls inside its box or sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.click('[data-testid=csirt-tab-alerts]');
      await page.waitForSelector('[data-testid=alert-queue] [data-testid=alert-row]');
      const queue = await page.locator('[data-testid=alert-queue]').evaluate((table) => ({
        inner: table.scrollWidth - table.clientWidth,
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        rows: [...table.querySelectorAll('tr[data-testid=alert-row]')].map((r) => getComputedStyle(r).display),
        labelled: getComputedStyle(table.querySelector('tr[data-testid=alert-row] td[data-label]')!, '::before').content,
      }));
      assert.ok(queue.inner <= 1 && queue.page <= 1, `the alert queue at 390 px scrolls (${JSON.stringify(queue)})`);
      assert.ok(queue.rows.length > 0 && queue.rows.every((d) => d === 'block'), `each alert is a card at 390 px (${queue.rows.join(', ')})`);
      assert.equal(queue.labelled, '"Severity"', 'each value says which column it is');
      // The cases table stacks the same way.
      await page.click('[data-testid=csirt-tab-cases]');
      const cases = await page.locator('[data-testid=case-list]').evaluate((table) => ({
        inner: table.scrollWidth - table.clientWidth,
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        rows: [...table.querySelectorAll('tbody tr')].map((r) => getComputedStyle(r).display),
        labelled: getComputedStyle(table.querySelector('tbody tr td[data-label]')!, '::before').content,
      }));
      assert.ok(cases.inner <= 1 && cases.page <= 1, `the case list at 390 px scrolls (${JSON.stringify(cases)})`);
      assert.ok(cases.rows.length > 1 && cases.rows.every((d) => d === 'block'), `each case is a card at 390 px (${cases.rows.join(', ')})`);
      assert.equal(cases.labelled, '"Case"', 'each case value says which column it is');
      await page.screenshot({ path: 'docs/screenshots/csirt-cases-390.png', fullPage: false });
      await page.setViewportSize({ width: 1440, height: 900 });

      // The monitoring centre's supervisor confirms on the CSIRT page (advisories tab).
      const owner = await newPage({ width: 390, height: 844 });
      const sup = identity.resolvePrincipalOf('supervisor');
      const supSecret = (await identity.startTotp(sup)).secret;
      await identity.confirmTotp(sup, authenticator.generate(supSecret));
      await signInAt(owner, `${vigil.url}/csirt`, 'supervisor');
      await owner.fill('input[name=totp]', authenticator.clone({ epoch: Date.now() + 30_000 }).generate(supSecret));
      await owner.click('button[type=submit]');
      await owner.waitForSelector('[data-testid=advisories]');
      await expectText(owner.locator('[data-testid=advisories]'), /Rotate the panel keys/);
      await owner.click('[data-testid=confirm-advisory]');
      await expectText(owner.locator('[data-testid=advisories]'), /Rotate the panel keys[\s\S]*· Sam|supervisor/);
      await owner.screenshot({ path: '/tmp/vigil-csirt-390.png', fullPage: false });

      // Back on the desk: the first case is closed with its resolution.
      await page.click('[data-testid=csirt-tab-alerts]');
      await page.click('[data-testid=csirt-tab-cases]');
      await page.locator('[data-testid=case-list] tr', { hasText: 'Password guessing' }).click();
      await page.locator('select[aria-label=Resolution]').selectOption('true-positive');
      await page.fill('input[aria-label="Resolution note"]', 'blocked at the edge');
      await page.click('[data-testid=close-case]');
      await expectText(page.locator('[data-testid=timeline]'), /Case closed: true positive — blocked at the edge/);
      // The demo city's own case (in progress) stays open beside the monitoring centre's.
      const open = csirt.visibleCases(principal).filter((c) => c.status !== 'closed').length;
      assert.equal(open, csirt.visibleCases(principal).length - 1);
      await expectText(page.locator('[data-testid=csirt-summary]'), new RegExp(`Open cases: ${open}`));
      assert.deepEqual(pageErrors, []);
    },
    { signIn: false },
  );
});
