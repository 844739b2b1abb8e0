import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveVigil } from '../../src/app.js';
import { loadConfig } from '../../src/kernel/config.js';
import { signedIn } from '../support/api-client.js';

/**
 * Issue 15's rule on the demo city, route by route with real records of another organisation (the policy table
 * probes these routes with ids that do not exist): CSIRT and device-security data is read by the city's CSIRT and
 * the owning organisation only. The monitoring centre's supervisor and the city's admin each try the other's.
 */
test("CSIRT and device security on the demo city: another organisation's device, finding, case, export and figures are not the caller's", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-csirt-conf-'));
  const vigil = await serveVigil({
    ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent', VIGIL_ROUTING_OSM: 'off' }),
    dataDir,
    port: 0,
    host: '127.0.0.1',
  });
  try {
    await vigil.demoLoaded;
    const orgs = vigil.capabilities.identity.reads.orgs();
    const city = orgs.find((o) => o.name.includes('City Safety'))!.id;
    const marc = orgs.find((o) => o.name.includes('Monitoring'))!.id;
    const csirt = await signedIn(vigil, 'csirt');
    const findings = (await csirt('GET', '/api/device-security/findings?limit=5000')).json.findings as { findingId: string; orgId: string; assetId: string }[];
    const cityFinding = findings.find((f) => f.orgId === city)!;
    const marcFinding = findings.find((f) => f.orgId === marc)!;
    assert.ok(cityFinding && marcFinding, 'the demo has findings of the city and of the monitoring centre');
    const cases = (await csirt('GET', '/api/csirt/cases')).json.cases as { caseId: string; orgId: string | null }[];
    const cityCase = cases.find((c) => c.orgId === city)!;
    assert.ok(cityCase, "the demo's case belongs to the city");

    const tries: [string, typeof csirt, string, { orgId: string; finding: typeof cityFinding }][] = [
      ['supervisor', await signedIn(vigil, 'supervisor'), marc, { orgId: city, finding: cityFinding }],
      ['admin', await signedIn(vigil, 'admin'), city, { orgId: marc, finding: marcFinding }],
    ];
    for (const [who, call, own, other] of tries) {
      const f = other.finding;
      const id = encodeURIComponent(f.findingId);
      const asset = encodeURIComponent(f.assetId);
      assert.equal((await call('GET', `/api/device-security/findings/${id}`)).status, 404, `${who}: another organisation's finding`);
      assert.equal(
        (await call('POST', `/api/device-security/findings/${id}/triage`, { state: 'fixed', detail: 'not mine' })).status,
        404,
        `${who}: triage of another organisation's finding`,
      );
      assert.equal((await call('GET', `/api/device-security/devices/${asset}`)).status, 404, `${who}: another organisation's device`);
      assert.equal((await call('DELETE', `/api/device-security/devices/${asset}`)).status, 404, `${who}: removing another organisation's device`);
      for (const url of [
        '/api/device-security/findings?limit=5000',
        `/api/device-security/findings?assetId=${asset}`,
        `/api/device-security/findings?orgId=${other.orgId}`,
      ]) {
        const listed = (await call('GET', url)).json.findings as { orgId: string }[];
        assert.ok(
          listed.every((x) => x.orgId === own),
          `${who}: ${url} lists only its own`,
        );
      }
      const inventory = (await call('GET', '/api/device-security/inventory')).json.devices as { orgId: string; assetId: string | null }[];
      assert.ok(
        inventory.every((d) => d.orgId === own),
        `${who}: the inventory is its own`,
      );
      for (const url of [
        '/api/device-security/export/sbom',
        '/api/device-security/export/sbom?format=xml',
        `/api/device-security/export/vex?assetId=${asset}`,
      ]) {
        const r = await call('GET', url);
        assert.equal(r.status, 200, `${who}: ${url}`);
        assert.ok(!r.body.includes(`asset:${f.assetId}`), `${who}: ${url} names another organisation's device`);
      }
      const summary = (await call('GET', '/api/device-security')).json.organisations as { orgId: string }[];
      assert.ok(
        summary.every((o) => o.orgId === own),
        `${who}: counts only its own organisation`,
      );
      // The desk: cases, alerts, events and advisories of others are not listed; the figures are its own.
      for (const [url, key] of [
        ['/api/csirt/cases', 'cases'],
        ['/api/csirt/alerts', 'alerts'],
        ['/api/csirt/events?limit=1000', 'events'],
        ['/api/csirt/advisories', 'advisories'],
      ] as const) {
        const listed = (await call('GET', url)).json[key] as { orgId: string | null }[];
        assert.ok(
          listed.every((x) => (x.orgId ?? city) === own),
          `${who}: ${url} lists only its own`,
        );
      }
      const figures = (await call('GET', '/api/csirt/summary')).json.summary;
      const events = (await call('GET', '/api/csirt/events?limit=1000')).json.events as unknown[];
      assert.equal(figures.events, events.length, `${who}: counts the events it may read`);
      // Exports and indicators are the CSIRT's.
      for (const url of [`/api/csirt/cases/${cityCase.caseId}/stix`, `/api/csirt/cases/${cityCase.caseId}/misp`, '/api/csirt/indicators'])
        assert.equal((await call('GET', url)).status, 403, `${who}: ${url}`);
    }
    // The monitoring centre's supervisor does not read the city's case; the city's admin does (its own).
    assert.equal((await tries[0]![1]('GET', `/api/csirt/cases/${cityCase.caseId}`)).status, 404);
    assert.equal((await tries[1]![1]('GET', `/api/csirt/cases/${cityCase.caseId}`)).status, 200);
    // Roles without the desk: refused whatever their organisation.
    for (const user of ['analyst', 'commander', 'operator', 'alert-officer']) {
      const call = await signedIn(vigil, user);
      for (const url of ['/api/csirt/summary', '/api/csirt/cases', '/api/device-security/findings', '/api/device-security/export/sbom'])
        assert.equal((await call('GET', url)).status, 403, `${user}: ${url}`);
    }
    // The cockpit's device-security and CSIRT figures are the city's only: no district or neighbourhood breaks them down.
    const analyst = await signedIn(vigil, 'analyst');
    for (const indicator of ['vigil.devices-known-exploited', 'vigil.device-patch-coverage', 'vigil.csirt-time-to-triage']) {
      const byDistrict = await analyst('GET', `/api/cockpit/indicators/${indicator}/values?level=district`);
      assert.ok(
        byDistrict.status === 400 || (byDistrict.json.values as { value: number | null }[]).every((v) => v.value === null || v.value === undefined),
        `${indicator}: no value below the city (${byDistrict.body.slice(0, 200)})`,
      );
      assert.doesNotMatch(byDistrict.body, /dev:|ast_|CVE-|CSIRT-/);
    }
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
