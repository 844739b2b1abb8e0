import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import type { RunningVigil } from '../../src/app.js';
import { lastCockpitImport } from '../../src/cockpit/cockpit-service.js';
import { lastLargeStix } from '../../src/csirt/large-stix.js';
import { MAX_SBOM_BYTES } from '../../src/device-security/sbom.js';
import { lastSbomRead } from '../../src/device-security/service.js';
import { tuning } from '../../src/kernel/tuning.js';
import { signedIn } from '../support/api-client.js';
import { startTestNode, stopTestNode } from '../support/test-node.js';
import { bigBundle, bigSbom } from '../support/upload-documents.js';

/*
 * Issue 13, item 3 (the alarm path never waits): the uploads that were still parsed and validated on
 * the main thread — an SBOM (CycloneDX JSON or XML, up to 4 MiB: JSON Schema or XSD validation) and a
 * CSIRT STIX indicator import (up to 10 MiB) — are read in the heavy worker pool; what they import is
 * what it was; their refusals are the routes' own. (The event-loop delay they cost before and after:
 * docs/benchmarks.md, "Uploads off the main thread".)
 */

let vigil: RunningVigil;
before(async () => (vigil = await startTestNode('uploads', { VIGIL_DEMO_SINKS: 'false', VIGIL_ROUTING_OSM: 'off' })));
after(() => stopTestNode(vigil));

test('an SBOM of nearly 4 MiB is parsed and validated in a worker thread, and imported as before', async () => {
  const csirt = await signedIn(vigil, 'csirt');
  const document = bigSbom(4900, 700);
  assert.ok(document.length > 3.5 * 1024 * 1024 && document.length <= MAX_SBOM_BYTES, `a max-size SBOM (${document.length} bytes)`);
  lastSbomRead.threadId = -1;
  const r = await csirt('POST', '/api/device-security/sboms', { document });
  assert.equal(r.status, 201, r.body.slice(0, 500));
  assert.ok(lastSbomRead.threadId !== -1 && lastSbomRead.threadId !== threadId, 'read in a worker thread');
  const sbom = (r.json as { sbom: { vendor: string; model: string; firmware: string; components: number } }).sbom;
  assert.deepEqual(sbom, { ...sbom, vendor: 'Test Vendor', model: 'Test siren controller', firmware: '9.9.9', components: 4900 });

  // Its refusals are readSbom's, crossing back from the worker as 400s.
  const invalid = await csirt('POST', '/api/device-security/sboms', {
    document: '{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"name":"x"}]}',
  });
  assert.equal(invalid.status, 400, invalid.body);
  assert.match(invalid.body, /does not validate against the CycloneDX 1.6 JSON schema/);
  const doctype = await csirt('POST', '/api/device-security/sboms', { document: '<!DOCTYPE x [<!ENTITY a "b">]><bom/>' });
  assert.equal(doctype.status, 400, doctype.body);
});

test('a large STIX indicator import is parsed and read in a worker thread; a small one as before; refusals are the route’s', async () => {
  const csirt = await signedIn(vigil, 'csirt');
  const body = { source: 'national-cert', bundle: bigBundle(9000, 900) };
  const length = JSON.stringify(body).length;
  assert.ok(length > 8 * 1024 * 1024 && length > tuning('VIGIL_LARGE_BODY_BYTES')!, `a large import (${length} bytes)`);
  lastLargeStix.threadId = -1;
  const r = await csirt('POST', '/api/csirt/indicators', body);
  assert.equal(r.status, 200, r.body.slice(0, 500));
  assert.deepEqual(r.json, { imported: 9000 });
  assert.ok(lastLargeStix.threadId !== -1 && lastLargeStix.threadId !== threadId, 'read in a worker thread');
  const held = (await csirt('GET', '/api/csirt/indicators')).json as { indicators: { value: string; source: string }[] };
  assert.ok(held.indicators.some((i) => i.value === '10.0.35.39' && i.source === 'national-cert'));

  // A small import: parsed by Fastify, as before; the same again adds nothing.
  lastLargeStix.threadId = -1;
  const small = await csirt('POST', '/api/csirt/indicators', { source: 'national-cert', bundle: bigBundle(3, 0) });
  assert.equal(small.status, 200, small.body);
  assert.deepEqual(small.json, { imported: 0 }, 'already imported by the large one');
  assert.equal(lastLargeStix.threadId, -1, 'a small body is not sent to the pool');

  // Refusals of a large body, as the route's schema and reader give them.
  const notJson = await csirt('POST', '/api/csirt/indicators', `{"source":"x","bundle":${'['.repeat(10)}${'1,'.repeat(200_000)}`, 'application/json');
  assert.equal(notJson.status, 400, notJson.body);
  const extra = await csirt('POST', '/api/csirt/indicators', { ...body, more: 1 });
  assert.equal(extra.status, 400, extra.body);
  const notBundle = await csirt('POST', '/api/csirt/indicators', { source: 'x', bundle: { type: 'report', objects: bigBundle(500, 900).objects } });
  assert.equal(notBundle.status, 400, notBundle.body);
  assert.match(notBundle.body, /not a STIX 2.1 bundle/);
});

test('a cockpit statistics or peers import is parsed and checked in a worker thread; its line errors are as before', async () => {
  const analyst = await signedIn(vigil, 'analyst');
  const rows = ['variable,area,period,value'];
  for (let year = 1900; year < 2000; year++)
    for (const variable of ['population', 'firefighters', 'fire-deaths']) rows.push(`${variable},Monaco,${year},${year % 97}`);
  lastCockpitImport.threadId = -1;
  const good = await analyst('POST', '/api/cockpit/statistics', { source: 'bench figures', format: 'csv', content: rows.join('\n') });
  assert.equal(good.status, 201, good.body);
  assert.equal((good.json as { records: number }).records, 300);
  assert.ok(lastCockpitImport.threadId !== -1 && lastCockpitImport.threadId !== threadId, 'parsed in a worker thread');
  const bad = await analyst('POST', '/api/cockpit/statistics', {
    source: 'test',
    format: 'csv',
    content: 'variable,area,period,value\nfire-deaths,Nowhere,2025,1\n',
  });
  assert.equal(bad.status, 400, bad.body);
  assert.deepEqual(
    (bad.json as { error: { details: { errors: { line: number }[] } } }).error.details.errors.map((e) => e.line),
    [2],
  );
  lastCockpitImport.threadId = -1;
  const peers = await analyst('POST', '/api/cockpit/peers', {
    source: 'peer set',
    format: 'json',
    records: [{ city: 'Alpha', country: 'FR', population: 30000, indicator: 'iso37120.fire-deaths-per-100k', period: '2025', value: 10 }],
  });
  assert.equal(peers.status, 201, peers.body);
  assert.ok(lastCockpitImport.threadId !== -1 && lastCockpitImport.threadId !== threadId, 'parsed in a worker thread');
});
