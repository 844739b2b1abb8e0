import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withCsirtDesk } from '../support/csirt-desk.js';
import { expectText, signInAt } from './browser.js';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The CSIRT desk and device security together, in Chromium, on the demo city: the desk is not
 * empty (the VPN password spray's alert, the case in progress on the siren controller's known
 * exploited kernel flaw, its kernel log as an artefact); the analyst adds a file (hash shown,
 * downloaded only as an attachment), opens a second case from a KEV finding on the police video
 * server on the device-security page, follows the link to the case, which shows the finding's
 * state; the police supervisor sees the advisory, not the case. Screenshots at 1440×900 and 390×844.
 */
test('web UI: CSIRT × device security — demo desk, artefact with SHA-256, a case from a finding, the finding state on the case and the case on the finding', async (t) => {
  await withCsirtDesk(t, async ({ vigil, page, files, errors, newPage, openCase }) => {
    // The demo's desk: the password spray on the VPN portal and the siren controller's kernel message (by the device's name).
    await expectText(page.locator('[data-testid=alert-queue]'), /Failed sign-ins from 185\.220\.101\.34/);
    const queue = await page.locator('[data-testid=alert-queue]').innerText();
    assert.doesNotMatch(queue, /dev:siren:/, 'devices by name, not id');
    await openCase('Kernel exploit on a siren controller');
    const detail = page.locator('[data-testid=case-detail]');
    await expectText(detail, /CSIRT-\d{4}-0001 · Kernel exploit on a siren controller/);
    await expectText(
      page.locator('[data-testid=case-findings]'),
      /Siren[\s\S]*linux-kernel 5\.10\.120[\s\S]*CVE-2024-1086\s+known exploited[\s\S]*P1[\s\S]*new/i,
    );
    await expectText(page.locator('[data-testid=artefacts]'), /siren-controller-kern\.log[\s\S]*SHA-256 [0-9a-f]{64}/);
    assert.doesNotMatch(await page.locator('[data-testid=observables]').innerText(), /dev:siren:/);

    // A file: its hash shown and added as an observable; downloaded only as an attachment, never sniffed.
    const sample = join(files, 'phish.html');
    const html = '<html><script>document.location="https://login-vigil.example/"</script></html>';
    writeFileSync(sample, html);
    const sha = createHash('sha256').update(html).digest('hex');
    await page.fill('input[aria-label="About this file"]', 'the phishing page the operator received');
    await page.locator('label', { hasText: 'The hash is an IOC' }).locator('input').check();
    await page.setInputFiles('[data-testid=artefact-file]', sample);
    await expectText(page.locator('[data-testid=artefacts]'), new RegExp(`phish\\.html[\\s\\S]*${sha}`));
    await expectText(page.locator('[data-testid=observables]'), new RegExp(`File hash \\(SHA-256\\)\\s+${sha}\\s+IOC`));
    const href = await page.locator('[data-testid=artefacts] a', { hasText: 'phish.html' }).getAttribute('href');
    const got = await page.request.get(`${vigil.url}${href}`);
    assert.equal(got.status(), 200);
    assert.equal(got.headers()['content-type'], 'application/octet-stream');
    assert.match(got.headers()['content-disposition']!, /^attachment; filename="phish\.html"/);
    assert.equal(got.headers()['x-content-type-options'], 'nosniff');
    assert.equal(
      createHash('sha256')
        .update(await got.body())
        .digest('hex'),
      sha,
    );
    await page.screenshot({ path: '/tmp/vigil-csirt-case-1440.png', fullPage: true });
    // Erased for good, in two clicks with a reason: the case's timeline says who and why, the download is gone, the hash stays.
    const phishRow = page.locator('[data-testid=artefacts] tr', { hasText: 'phish.html' });
    await phishRow.locator('[data-testid=artefact-erase]').click();
    await phishRow.locator('input[aria-label="Why (optional)"]').fill('kept as a hash only');
    await phishRow.locator('[data-testid=artefact-erase-confirm]').click();
    await expectText(page.locator('[data-testid=timeline]'), /Artefact phish\.html erased \(erased on request\) — kept as a hash only/);
    assert.equal(await page.locator('[data-testid=artefacts] tr', { hasText: 'phish.html' }).count(), 0);
    assert.equal((await page.request.get(`${vigil.url}${href}`)).status(), 404);
    await expectText(page.locator('[data-testid=observables]'), new RegExp(`File hash \\(SHA-256\\)\\s+${sha}\\s+IOC`));
    await expectText(page.locator('[data-testid=artefact-retention]'), /erased 365 days after the case is closed/);

    // Device security: a KEV finding on the police video server → a CSIRT case; the police are sent an advisory.
    await page.goto(`${vigil.url}/device-security`);
    await page.waitForSelector('[data-testid=ds-findings]');
    const row = page.locator('[data-testid=ds-finding]', { hasText: 'CVE-2024-11120' }).first();
    await row.locator('input[type=checkbox]').check();
    await page.fill('[data-testid=ds-case-title]', 'GeoVision video server exploited from the internet?');
    await page.click('[data-testid=ds-open-case]');
    await expectText(page.locator('[data-testid=ds-case-opened]'), /Case opened: CSIRT-\d{4}-0002/);
    await expectText(row, /CSIRT-\d{4}-0002/);
    await row.click();
    await expectText(page.locator('[data-testid=ds-finding-cases]'), /CSIRT-\d{4}-0002 · GeoVision video server exploited from the internet\? \(new\)/);
    await page.screenshot({ path: '/tmp/vigil-device-security-cases-1440.png' });
    await page.locator('[data-testid=ds-case-opened] a').click();
    await expectText(page.locator('[data-testid=case-detail]'), /GeoVision video server exploited from the internet\?/);
    await expectText(page.locator('[data-testid=case-findings]'), /CVE-2024-11120\s+known exploited/i);
    await expectText(page.locator('[data-testid=case-detail]'), /awaiting/);

    // One finding of the monitoring centre, opened from its own view (a link to it): a case, and the centre's supervisor told.
    const csirtUser = vigil.capabilities.identity.service.resolvePrincipalOf('csirt');
    const marcId = vigil.capabilities.identity.reads.orgs().find((o) => o.name.includes('Monitoring'))!.id;
    const marcFinding = vigil.capabilities.deviceSecurity.service.findings(csirtUser, { orgId: marcId }).findings[0];
    assert.ok(marcFinding, 'the monitoring centre has a finding');
    await page.goto(`${vigil.url}/device-security?finding=${encodeURIComponent(marcFinding.findingId)}`);
    await page.click('[data-testid=ds-finding-open-case]');
    await expectText(page.locator('[data-testid=ds-case-opened]'), /Case opened: CSIRT-\d{4}-0003/);
    await expectText(page.locator('[data-testid=ds-finding-cases]'), new RegExp(`CSIRT-\\d{4}-0003 · ${marcFinding.cveId}`));

    // The monitoring centre's supervisor, on a phone: the advisory about its device (not the police's), confirmed; no case.
    const owner = await newPage({ width: 390, height: 844 });
    await signInAt(owner, `${vigil.url}/csirt`, 'supervisor');
    await owner.waitForSelector('[data-testid=advisories]');
    await expectText(owner.locator('[data-testid=advisories]'), new RegExp(`${marcFinding.cveId}[\\s\\S]*${esc(marcFinding.label)}`));
    assert.doesNotMatch(await owner.locator('[data-testid=advisories]').innerText(), /CVE-2024-11120/, "the police's advisory is not the centre's");
    await owner.screenshot({ path: '/tmp/vigil-csirt-owner-390.png', fullPage: true });
    await owner.click('[data-testid=confirm-advisory]');
    await expectText(owner.locator('[data-testid=advisories]'), /Sam Supervisor|supervisor/);
    const phone = await newPage({ width: 390, height: 844 });
    await signInAt(phone, `${vigil.url}/csirt`, 'csirt');
    await phone.click('[data-testid=csirt-tab-cases]');
    await phone.locator('[data-testid=case-list] tr', { hasText: 'Kernel exploit' }).click();
    await phone.waitForSelector('[data-testid=case-findings]');
    await phone.screenshot({ path: '/tmp/vigil-csirt-case-390.png', fullPage: true });
    assert.deepEqual(errors, []);
  });
});
