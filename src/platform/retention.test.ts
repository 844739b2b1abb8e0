import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ManualClock } from '../kernel/time.js';
import type { NewEvent } from './event-log.js';
import { MemoryKeyVault } from './key-vault.js';
import { DEFAULT_RETENTION_DAYS, PersonalData, SealedReader, erasedText, isErasedText, personalReadEvents, readPurpose } from './personal-data.js';
import { runRetention } from './retention.js';
import type { Principal } from './access.js';

const DAY = 24 * 3600_000;

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const vault = new MemoryKeyVault(() => randomBytes(32));
  const personal = new PersonalData(vault, clock);
  const recorded: NewEvent[] = [];
  const ctx = {
    clock,
    personal,
    // The erasure is recorded before any key is shredded: the vault still has them when `record` runs.
    record: async (events: NewEvent[]) => {
      for (const e of events) {
        const subjects = (e.data as { subjects: string[] }).subjects;
        assert.equal((await vault.get(subjects)).size, subjects.length, 'recorded before shredding');
      }
      recorded.push(...events);
      return [];
    },
  };
  return { clock, vault, personal, recorded, ctx };
}

test('retention: each class is shredded once its period has passed since the key was last used; 0 keeps it; recorded first', async () => {
  const { clock, vault, personal, recorded, ctx } = setup();
  const caller = await personal.seal('caller:inc_1', { name: 'A', phone: '+37761234567' });
  const answer = await personal.seal('answer:alr_1:sub_1', 'need-help');
  await personal.seal('subscriber:sub_1', { email: 'a@example.invalid' });
  assert.deepEqual(await personal.open(caller), { name: 'A', phone: '+37761234567' });

  clock.advance(DEFAULT_RETENTION_DAYS.answer * DAY - 1);
  assert.deepEqual(
    await runRetention(ctx, DEFAULT_RETENTION_DAYS),
    { caller: 0, attachment: 0, avl: 0, answer: 0, subscriber: 0, reporter: 0, participant: 0 },
    'not a millisecond early',
  );
  clock.advance(2);
  assert.deepEqual(await runRetention(ctx, DEFAULT_RETENTION_DAYS), {
    caller: 0,
    attachment: 0,
    avl: 0,
    answer: 1,
    subscriber: 0,
    reporter: 0,
    participant: 0,
  });
  assert.equal(await personal.open(answer), null, 'the answer can no longer be read');
  assert.deepEqual(recorded.at(-1)!.data, { subjects: ['answer:alr_1:sub_1'], why: 'retention' });

  // A subscriber who changes their data renews their key: retention counts from the last change.
  clock.advance(700 * DAY);
  await personal.seal('subscriber:sub_1', { email: 'b@example.invalid' });
  clock.advance(100 * DAY);
  const counts = await runRetention(ctx, { ...DEFAULT_RETENTION_DAYS, caller: 0 });
  assert.deepEqual(
    counts,
    { caller: 0, attachment: 0, avl: 0, answer: 0, subscriber: 0, reporter: 0, participant: 0 },
    'a period of 0 keeps callers until erased on request',
  );
  assert.equal((await vault.get(['caller:inc_1', 'subscriber:sub_1'])).size, 2);
  assert.equal((await runRetention(ctx, DEFAULT_RETENTION_DAYS)).caller, 1);
});

test('personal data: a reader opens a batch after prepare; a shredded key reads as null and a new key does not open the old text', async () => {
  const { vault, personal } = setup();
  const a = await personal.seal('avl:u1:2026-01-01', [[1, 7.4, 43.7, null, null]]);
  const b = await personal.seal('avl:u1:2026-01-02', [[2, 7.5, 43.8, null, null]]);
  await personal.shred(['avl:u1:2026-01-01']);
  const reader = new SealedReader(vault);
  await reader.prepare([a.key, b.key]);
  assert.equal(reader.open(a), null);
  assert.deepEqual(reader.open(b), [[2, 7.5, 43.8, null, null]]);
  // A key shredded here is forgotten by the cache: sealing again makes a new key, which the old text does not open.
  const again = await personal.seal('avl:u1:2026-01-01', []);
  assert.deepEqual(await personal.open(again), []);
  assert.equal(await personal.open(a), null);
  assert.ok(isErasedText(erasedText('retention')) && isErasedText(erasedText('request')) && !isErasedText('Jeanne'));
});

test('reads: one event per organisation holding the records, by name, with the purpose given or the route’s', () => {
  const by = { actor: 'user:u1', displayName: 'Camille Admin' } as Principal;
  const events = personalReadEvents(
    by,
    [
      { subject: 'caller:i1', orgId: 'org_city', label: 'INC-0001: caller' },
      { subject: 'caller:i2', orgId: 'org_police', label: 'INC-0002: caller' },
      { subject: 'attachment:a1', orgId: 'org_city', label: 'INC-0001: file face.png' },
    ],
    'calling back',
  );
  assert.deepEqual(
    events.map((e) => [e.orgId, e.actor, (e.data as { by: string; records: unknown[] }).by, (e.data as { records: unknown[] }).records.length]),
    [
      ['org_city', 'user:u1', 'Camille Admin', 2],
      ['org_police', 'user:u1', 'Camille Admin', 1],
    ],
  );
  assert.equal(readPurpose(undefined, 'incident view'), 'incident view');
  assert.equal(readPurpose('  callback\n', 'incident view'), 'callback');
  assert.equal(readPurpose('x'.repeat(500), 'incident view').length, 200);
});

test('reads: the same reader, record and purpose are recorded once per window; another purpose is recorded', async () => {
  const { clock, personal } = setup();
  const recorded: NewEvent[] = [];
  personal.recordWith(async (events) => void recorded.push(...events));
  const by = { actor: 'user:u1', displayName: 'Camille Admin' } as Principal;
  const record = { subject: 'caller:i1', orgId: 'org_city', label: 'INC-0001: caller' };
  await personal.recordReads(by, [record], 'incident view');
  await personal.recordReads(by, [record], 'incident view');
  await personal.recordReads(by, [record], 'callback');
  clock.advance(15 * 60_000);
  await personal.recordReads(by, [record], 'incident view');
  assert.deepEqual(
    recorded.map((e) => e.reason),
    ['incident view', 'callback', 'incident view'],
  );
});
