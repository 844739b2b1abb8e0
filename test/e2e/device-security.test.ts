import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_SIREN_SBOM } from '../../src/demo/demo-security.js';
import { signedIn } from '../support/api-client.js';
import { withCsirtDesk } from '../support/csirt-desk.js';
import { expectText, signInAt } from './browser.js';

const PACK = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'vuln');

/**
 * Device security in the browser: the CSIRT imports the siren firmware's SBOM and the CVE/KEV files
 * (the demo starts without vulnerability data here), sees the known exploited kernel flaw on a siren
 * controller first, opens a CSIRT case from it (the sirens' owner is sent an advisory) and closes
 * it, marks the finding not affected with a VEX justification; the monitoring centre's supervisor
 * sees only its own organisation's devices.
 */
test('device security page: SBOM and CVE/KEV import, a KEV finding on a siren controller first, a case from it with an advisory to the owner, closed; triage with justification, owners see their own', async (t) => {
  await withCsirtDesk(
    t,
    async ({ vigil, page, files, errors }) => {
      const sbomFile = join(files, 'bleeper-sonic-1600-4.2.0.cdx.json');
      writeFileSync(sbomFile, DEMO_SIREN_SBOM);
      await signInAt(page, `${vigil.url}/device-security`, 'csirt');
      await page.waitForSelector('[data-testid=ds-summary]');
      await expectText(page.locator('[data-testid=ds-summary]'), /0 CVE records/);

      await page.fill('input[aria-label=Vendor]', 'Telegrafia');
      await page.fill('input[aria-label=Model]', 'Bleeper Sonic 1600');
      await page.fill('input[aria-label=Firmware]', '4.2.0');
      await page.setInputFiles('[data-testid=ds-sbom-file]', sbomFile);
      await expectText(page.locator('.ok-box'), /SBOM imported: Telegrafia Bleeper Sonic 1600 4\.2\.0 — 6 components/);

      await page.setInputFiles('[data-testid=ds-intel-file]', [
        join(PACK, 'kev', 'known_exploited_vulnerabilities.json'),
        join(PACK, 'cve', 'CVE-2024-1086.json'),
        join(PACK, 'cve', 'CVE-2024-6979.json'),
        join(PACK, 'cve', 'CVE-2023-6094.json'),
        join(PACK, 'cve', 'CVE-2024-11120.json'),
      ]);
      await expectText(page.locator('.ok-box'), /Imported: 4 CVE records, 1404 KEV entries/, undefined, 30_000);
      // Known exploited and internet-facing first: the GeoVision video server (remote, 9.8), then the siren controllers' kernel (local, 7.8) — both P1.
      await expectText(page.locator('[data-testid=ds-finding]').first(), /P1[\s\S]*CVE-2024-11120[\s\S]*known exploited/i);
      const first = page.locator('[data-testid=ds-finding]', { hasText: 'CVE-2024-1086' }).filter({ hasText: 'Bleeper Sonic 1600' }).first();
      await expectText(first, /P1[\s\S]*CVE-2024-1086[\s\S]*known exploited[\s\S]*Siren[\s\S]*linux-kernel 5\.10\.120/i);
      // Affected devices are on the map (drawn again as the inventory's counts arrive after the import).
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=ds-map]')?.getAttribute('data-drawn')) > 0, undefined, { timeout: 15_000 });
      await expectText(page.locator('[data-testid=ds-orgs]'), /Monaco City Safety Office/);
      await page.screenshot({ path: join(tmpdir(), 'vigil-device-security-1440.png') });

      // From that finding, a CSIRT case: the siren controllers' owner is sent an advisory; the case is worked and closed.
      await first.click();
      await page.click('[data-testid=ds-finding-open-case]');
      await expectText(page.locator('[data-testid=ds-case-opened]'), /Case opened: CSIRT-\d{4}-\d{4}/);
      const principal = vigil.capabilities.identity.service.resolvePrincipalOf('csirt');
      const opened = vigil.capabilities.csirt.service.visibleCases(principal).find((c) => c.title.includes('CVE-2024-1086'))!;
      const sirenFinding = opened.findingIds[0]!;
      await page.locator('[data-testid=ds-case-opened] a').click();
      const detail = page.locator('[data-testid=case-detail]');
      await expectText(page.locator('[data-testid=case-findings]'), /CVE-2024-1086\s+known exploited/i);
      await expectText(detail, /Advisories[\s\S]*CVE-2024-1086[\s\S]*awaiting/);
      const owner = vigil.capabilities.identity.reads.orgs().find((o) => o.id === opened.orgId)!;
      assert.match(owner.name, /Safety Office/, 'the case and its advisory belong to the sirens’ owner');
      await page.locator('select[aria-label=Resolution]').selectOption('true-positive');
      await page.fill('input[aria-label="Resolution note"]', 'vendor kernel update planned; controllers isolated meanwhile');
      await page.click('[data-testid=close-case]');
      await expectText(page.locator('[data-testid=timeline]'), /Case closed: true positive — vendor kernel update planned/);

      await page.goto(`${vigil.url}/device-security?finding=${encodeURIComponent(sirenFinding)}`);
      await page.selectOption('[data-testid=ds-triage-state]', 'not-affected');
      await page.selectOption('[data-testid=ds-triage-justification]', 'code_not_reachable');
      await page.fill('[data-testid=ds-triage-detail]', 'nf_tables is not built into this kernel (vendor letter)');
      await page.click('[data-testid=ds-triage-save]');
      await page.selectOption('select[aria-label=State]', 'not-affected');
      await expectText(page.locator('[data-testid=ds-findings]'), /CVE-2024-1086[\s\S]*not affected/);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(tmpdir(), 'vigil-device-security-390.png') });

      // Who and why are in the log; VEX carries the justification.
      const csirt = await signedIn(vigil, 'csirt');
      const vex = await csirt('GET', '/api/device-security/export/vex');
      assert.match(vex.body, /"justification": "code_not_reachable"/);
      // The monitoring centre's supervisor sees its own devices only; the police commander is not on the page.
      const supervisor = await signedIn(vigil, 'supervisor');
      const own = (await supervisor('GET', '/api/device-security/inventory')).json.devices as { orgName: string }[];
      assert.ok(own.length > 0);
      assert.deepEqual([...new Set(own.map((d) => d.orgName))], ['Riviera Alarm Monitoring (demo MARC)']);
      assert.equal((await (await signedIn(vigil, 'commander'))('GET', '/api/device-security/findings')).status, 403);
      assert.deepEqual(errors, []);
    },
    {
      signIn: false,
      // The demo starts without vulnerability data here: the test imports it.
      env: (files) => {
        const empty = join(files, 'no-vuln-data');
        mkdirSync(empty);
        return { VIGIL_VULN_DATA_DIR: empty };
      },
    },
  );
});
