import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withCsirtDesk } from '../support/csirt-desk.js';
import { expectText } from './browser.js';

/**
 * Working a case without leaving it, in Chromium, on the demo city: the analyst opens the demo's
 * case on the siren controller's known exploited kernel flaw from the top bar, moves its finding
 * to confirmed and then to not affected (refused without a VEX justification), each with who and
 * why on the case and on its timeline, the device by name; then attaches a 6 MiB packet capture
 * over a throttled link, watching its progress, and gets it back whole as a download.
 */
test('web UI: CSIRT case — triage of its findings in place, a multi-MiB artefact with upload progress', async (t) => {
  await withCsirtDesk(t, async ({ vigil, page, files, errors, openCase }) => {
    await openCase('Kernel exploit on a siren controller');
    const row = page.locator('[data-testid=case-findings] tbody tr', { hasText: 'CVE-2024-1086' });
    await expectText(row.locator('[data-testid=case-finding-triage]'), /^new/);

    // Confirmed, saying why.
    await row.locator('[data-testid=case-triage-state]').selectOption('confirmed');
    await row.locator('[data-testid=case-triage-detail]').fill('uname on the controller shows 5.10.120');
    await row.locator('[data-testid=case-triage-save]').click();
    await expectText(row.locator('[data-testid=case-finding-triage]'), /^confirmed[\s\S]*csirt, .*: uname on the controller shows 5\.10\.120/);

    // Not affected needs a VEX justification: the button waits for one.
    await row.locator('[data-testid=case-triage-state]').selectOption('not-affected');
    await row.locator('[data-testid=case-triage-detail]').fill('nf_tables is not built into this firmware');
    assert.equal(await row.locator('[data-testid=case-triage-save]').isDisabled(), true, 'no VEX justification yet');
    await row.locator('[data-testid=case-triage-justification]').selectOption('code_not_present');
    await row.locator('[data-testid=case-triage-save]').click();
    await expectText(row.locator('[data-testid=case-finding-triage]'), /^not affected \(.+\)[\s\S]*nf_tables is not built into this firmware/);
    const timeline = await expectText(
      page.locator('[data-testid=timeline]'),
      /Finding CVE-2024-1086 on .+: not affected \(.+\) — nf_tables is not built into this firmware/,
    );
    assert.doesNotMatch(timeline, /dev:siren:/, 'the device by name on the timeline');
    // Device security holds the same state, with who.
    const id = [...vigil.capabilities.csirt.service.state.cases.values()].find((c) => c.title.startsWith('Kernel exploit'))!.findingIds[0]!;
    const finding = await page.request.get(`${vigil.url}/api/device-security/findings/${encodeURIComponent(id)}`);
    assert.equal(finding.status(), 200);
    const triage = (await finding.json()).finding.triage as { state: string; justification: string; detail: string };
    assert.deepEqual([triage.state, triage.justification, triage.detail], ['not-affected', 'code_not_present', 'nf_tables is not built into this firmware']);

    // A 6 MiB capture over a link held to 2 MB/s: the progress shows while it goes, then the file with its hash.
    const capture = randomBytes(6 * 1024 * 1024);
    const sha = createHash('sha256').update(capture).digest('hex');
    const path = join(files, 'siren-vlan.pcap');
    writeFileSync(path, capture);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 2_000_000 });
    await page.setInputFiles('[data-testid=artefact-file]', path);
    await expectText(page.locator('[data-testid=artefact-progress]'), /Sending siren-vlan\.pcap[\s\S]*MiB \/ 6\.0 MiB \(\d+%\)/);
    await expectText(page.locator('[data-testid=artefacts]'), new RegExp(`siren-vlan\\.pcap[\\s\\S]*6\\.0 MiB[\\s\\S]*${sha}`), 'the capture is kept', 60_000);
    assert.equal(await page.locator('[data-testid=artefact-progress]').count(), 0, 'the progress is gone once it is kept');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const href = await page.locator('[data-testid=artefacts] a', { hasText: 'siren-vlan.pcap' }).getAttribute('href');
    const got = await page.request.get(`${vigil.url}${href}`);
    assert.equal(got.status(), 200);
    assert.match(got.headers()['content-disposition']!, /^attachment; filename="siren-vlan\.pcap"/);
    assert.equal(got.headers()['x-content-type-options'], 'nosniff');
    assert.equal(
      createHash('sha256')
        .update(await got.body())
        .digest('hex'),
      sha,
    );
    await page.screenshot({ path: '/tmp/vigil-csirt-case-work-1440.png', fullPage: true });
    assert.deepEqual(errors, []);
  });
});
