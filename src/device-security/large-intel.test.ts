import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import type { RunningVigil } from '../app.js';
import { tuning } from '../kernel/tuning.js';
import { signedIn } from '../../test/support/api-client.js';
import { startTestNode, stopTestNode } from '../../test/support/test-node.js';
import { lastLargeIntel } from './large-intel.js';

/*
 * A large vulnerability-intelligence upload (over VIGIL_LARGE_BODY_BYTES) is parsed, checked and read
 * in the worker pool, not on the main thread that acknowledges alarms; the records it holds are the
 * same as a small upload's; its refusals are the route's (400 not JSON, 400 over the schema's items).
 */

let vigil: RunningVigil;
before(async () => (vigil = await startTestNode('large-intel', { VIGIL_DEMO_SINKS: 'false', VIGIL_ROUTING_OSM: 'off' })));
after(() => stopTestNode(vigil));

const record = (n: number) => ({
  dataType: 'CVE_RECORD',
  cveMetadata: { cveId: `CVE-2099-${String(10_000 + n)}` },
  containers: {
    cna: {
      title: `Test vulnerability ${n} ${'x'.repeat(400)}`,
      affected: [{ vendor: 'Moxa', product: 'OnCell G3150A-LTE Series', defaultStatus: 'unaffected', versions: [{ version: '1.0', status: 'affected' }] }],
      metrics: [{ cvssV3_1: { baseScore: 7.5, version: '3.1', vectorString: 'CVSS:3.1/AV:N' } }],
    },
  },
});

test('a large CVE list is read in a worker thread and imported as a small one would be', async () => {
  const csirt = await signedIn(vigil, 'csirt');
  const records = Array.from({ length: 1000 }, (_, n) => record(n));
  assert.ok(JSON.stringify(records).length > tuning('VIGIL_LARGE_BODY_BYTES')!, 'the upload counts as large');
  const r = await csirt('POST', '/api/device-security/intel?source=test-large', records);
  assert.equal(r.status, 200, r.body);
  assert.ok(lastLargeIntel.threadId !== -1 && lastLargeIntel.threadId !== threadId, 'read in a worker thread');
  const held = vigil.capabilities.deviceSecurity.service.cve('CVE-2099-10999');
  assert.match(held.title ?? '', /^Test vulnerability 999 /);

  // A small upload: read by Fastify, as before.
  const before = lastLargeIntel.threadId;
  lastLargeIntel.threadId = -1;
  assert.equal((await csirt('POST', '/api/device-security/intel?source=test-small', record(5000))).status, 200);
  assert.equal(lastLargeIntel.threadId, -1, 'a small body is not sent to the pool');
  lastLargeIntel.threadId = before;
});

test("a large upload's refusals are the route's: not JSON, more items than the schema allows", async () => {
  const csirt = await signedIn(vigil, 'csirt');
  const notJson = await csirt('POST', '/api/device-security/intel', `[${'{"a":1},'.repeat(40_000)}`, 'application/json');
  assert.equal(notJson.status, 400, notJson.body);
  const tooMany = await csirt(
    'POST',
    '/api/device-security/intel',
    Array.from({ length: 20_001 }, () => ({})),
  );
  assert.equal(tooMany.status, 400, tooMany.body);
  assert.match(tooMany.json.error.message, /more than 20000 items/);
});
