import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startKillableWorker, type KillableWorker } from '../support/kill9-worker.js';
import { smtpServer } from '../support/smtp-server.js';

const PEOPLE = 600;

const worker = (args: string[]): KillableWorker => startKillableWorker(join(import.meta.dirname, 'delivery-worker.ts'), args);

/**
 * An issued alert is acknowledged to the approving officer: every person in its area must
 * be warned even if the node dies mid-delivery. The node is killed with SIGKILL while the
 * e-mails go out; a node started on the same store resumes the delivery from what the log
 * says it reached: everyone gets the message, at most the batch in flight twice.
 */
test('alert delivery: kill -9 mid-delivery, the restarted node warns everyone it had not reached', async (t) => {
  const smtp = await smtpServer(() => null, { acceptDelayMs: 15 });
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-deliverykill-'));
  const first = worker([dataDir, smtp.url, 'issue', String(PEOPLE)]);
  let second: KillableWorker | null = null;
  try {
    const [alertId, status] = (await first.line('issued')).split(' ');
    assert.equal(status, '200', 'the alert was approved and issued');
    while (smtp.received.length < 60) await new Promise((r) => setTimeout(r, 10));
    await first.kill9();
    const beforeKill = smtp.received.length;
    assert.ok(beforeKill < PEOPLE, `the kill came mid-delivery (${beforeKill} of ≥ ${PEOPLE} sent)`);

    second = worker([dataDir, smtp.url, alertId!]);
    const progress = JSON.parse(await second.line('done')) as { queued: number; sent: number; failed: number; note: string };
    await second.exited;
    const to = smtp.received.map((m) => (m.to as { text: string }).text);
    const ours = new Set(to.filter((a) => /^person\d+@example\.org$/.test(a)));
    const missing = Array.from({ length: PEOPLE }, (_, i) => `person${i}@example.org`).filter((a) => !ours.has(a));
    assert.deepEqual(missing, [], 'nobody in the area was left unwarned');
    assert.equal(progress.failed, 0);
    assert.equal(progress.sent, progress.queued, 'the resumed channel counts every recipient handed over once');
    assert.match(progress.note, /resumed after an interruption/);
    const duplicates = to.length - new Set(to).size;
    assert.ok(duplicates <= 200, `at most the batch in flight at the kill is sent twice (${duplicates})`);
    t.diagnostic(`${beforeKill} e-mails before the kill, ${to.length} in all, ${duplicates} sent twice`);
  } finally {
    await first.kill9();
    await second?.kill9();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
