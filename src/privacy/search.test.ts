import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import type { RunningVigil } from '../app.js';
import { workerTasksFinished } from '../platform/heavy/worker-pool.js';
import { signInCookie, signedIn } from '../../test/support/api-client.js';
import { submitOpen311 } from '../../test/support/open311.js';
import { startTestNode, stopTestNode } from '../../test/support/test-node.js';

/*
 * A data subject's export and erasure open every sealed record of the organisation's reporters and
 * participants: in the worker pool, behind the search gate (src/platform/heavy/job-gate.ts). Equal
 * searches in flight are one run, one administrator runs one search at a time (429 with Retry-After
 * beyond), and /api/health answers while a search runs. Assertions are on structure (threads, runs,
 * refusals), never on time: the vault's key look-up is held open to keep a search in flight.
 */

let vigil: RunningVigil;
const EMAIL = 'search.subject@example.invalid';

before(async () => {
  vigil = await startTestNode('privacy-search', { VIGIL_DEMO_SINKS: 'false' });
  // A graffiti report (the city office's) whose reporter gave an e-mail address and a phone number.
  await submitOpen311(
    vigil,
    {
      service_code: 'graffiti',
      'attribute[offensive]': 'no',
      lat: '43.7371',
      long: '7.4219',
      description: 'Tags on the wall',
      email: EMAIL,
      phone: '+377 99 88 77 66',
      first_name: 'Sam',
      last_name: 'Subject',
    },
    '198.51.100.61',
  );
});

after(() => stopTestNode(vigil));

/** Holds the vault's key look-ups (the search's step before the pool) until `release` is called. */
function holdKeyLookups(): { release: () => void; held: () => number } {
  const vault = vigil.ctx.personal.vault;
  const get = vault.get.bind(vault);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let held = 0;
  vault.get = async (subjects) => {
    held++;
    await gate;
    return get(subjects);
  };
  return {
    release: () => {
      vault.get = get;
      release();
    },
    held: () => held,
  };
}

test('export: the reporter found by e-mail and by phone, their sealed records opened in a worker thread', async () => {
  const admin = await signedIn(vigil, 'admin');
  const before = workerTasksFinished('matchSealed');
  const byEmail = await admin('POST', '/api/privacy/subjects/export', { email: EMAIL.toUpperCase() });
  assert.equal(byEmail.status, 200, byEmail.body);
  const records = byEmail.json.records as { kind: string; data: { reporter: { email: string } } }[];
  assert.deepEqual(
    records.map((r) => r.kind),
    ['reporter'],
  );
  assert.equal(records[0]!.data.reporter.email, EMAIL);
  const byPhone = await admin('POST', '/api/privacy/subjects/export', { phone: '+37799887766' });
  assert.deepEqual(
    (byPhone.json.records as { kind: string }[]).map((r) => r.kind),
    ['reporter'],
  );
  assert.ok(workerTasksFinished('matchSealed') > before, 'opened in the pool');
  const worker = vigil.capabilities.privacy.service.lastMatchThreadId;
  assert.ok(worker !== null && worker !== threadId, 'in a worker thread, not the main thread');
  // Nobody under another address.
  const other = await admin('POST', '/api/privacy/subjects/export', { email: 'nobody@example.invalid' });
  assert.deepEqual(other.json.records, []);
});

test('single flight: five equal searches in flight are one run, all get its records; /api/health answers meanwhile', async () => {
  const admin = await signedIn(vigil, 'admin');
  const gate = vigil.capabilities.privacy.service.searches;
  const { runs, joined } = gate.stats;
  const hold = holdKeyLookups();
  try {
    const calls = Array.from({ length: 5 }, () => admin('POST', '/api/privacy/subjects/export', { email: EMAIL }));
    while (hold.held() === 0) await new Promise((r) => setImmediate(r));
    assert.equal((await vigil.server.app.inject({ method: 'GET', url: '/api/health' })).statusCode, 200, 'health answers while a search runs');
    assert.equal(gate.stats.running, 1);
    hold.release();
    const results = await Promise.all(calls);
    for (const r of results) {
      assert.equal(r.status, 200, r.body);
      assert.equal((r.json.records as unknown[]).length, 1);
    }
  } finally {
    hold.release();
  }
  assert.equal(gate.stats.runs - runs, 1, 'one run for five equal searches');
  assert.equal(gate.stats.joined - joined, 4);
});

test('quota: an administrator asking for a second, different search while one runs is refused with 429 and Retry-After; given back after', async () => {
  const admin = await signedIn(vigil, 'admin');
  const gate = vigil.capabilities.privacy.service.searches;
  const refused = gate.stats.refused;
  const hold = holdKeyLookups();
  const first = admin('POST', '/api/privacy/subjects/export', { email: EMAIL });
  try {
    while (hold.held() === 0) await new Promise((r) => setImmediate(r));
    const second = await vigil.server.app.inject({
      method: 'POST',
      url: '/api/privacy/subjects/erase',
      headers: { cookie: (await signInCookie(vigil, 'admin'))! },
      payload: { phone: '+377 11 22 33 44' },
    });
    assert.equal(second.statusCode, 429, second.body);
    assert.ok(Number(second.headers['retry-after']) > 0, 'Retry-After');
    assert.match((second.json() as { error: { message: string } }).error.message, /already have 1 data-subject search request running/);
  } finally {
    hold.release();
  }
  assert.equal((await first).status, 200);
  assert.equal(gate.stats.refused - refused, 1);
  assert.equal((await admin('POST', '/api/privacy/subjects/export', { phone: '+377 11 22 33 44' })).status, 200, 'the quota is given back when the run ends');
});
