import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReceiverJournal, encodeJournalRecord } from './receiver-journal.js';

const segments = (dir: string): string[] => readdirSync(dir).sort();

test('journal: records come back in order after a restart, numbered on from the last', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-journal-'));
  try {
    const first = await ReceiverJournal.open<{ zone: number }>(dir, 0);
    assert.deepEqual(first.pending, []);
    const seqs = await Promise.all([1, 2, 3].map((zone) => first.journal.append({ zone })));
    assert.deepEqual(seqs, [1, 2, 3], 'appended in one turn: one group commit, numbered in order');
    assert.equal(await first.journal.append({ zone: 4 }), 4);
    await first.journal.close();

    const again = await ReceiverJournal.open<{ zone: number }>(dir, 0);
    assert.deepEqual(
      again.pending.map((r) => [r.seq, r.body.zone]),
      [
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
      ],
    );
    assert.equal(await again.journal.append({ zone: 5 }), 5);
    await again.journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('journal: the records the log has already (the watermark) are skipped, and their segments deleted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-journal-'));
  try {
    const a = await ReceiverJournal.open<number>(dir, 0);
    for (let i = 1; i <= 5; i++) await a.journal.append(i);
    await a.journal.close();
    const b = await ReceiverJournal.open<number>(dir, 3);
    assert.deepEqual(
      b.pending.map((r) => r.seq),
      [4, 5],
      'applied up to 3: 4 and 5 are recorded, once',
    );
    await b.journal.close();
    const c = await ReceiverJournal.open<number>(dir, 5);
    assert.deepEqual(c.pending, []);
    assert.equal(c.journal.nextSeq, 6, 'numbered after what the log has');
    await c.journal.close();
    // Every segment but the one begun by this last start is gone (all applied).
    assert.equal(segments(dir).length, 1);
    // A journal folder lost or new beside a log that has records up to 40 goes on from 41.
    rmSync(dir, { recursive: true, force: true });
    const d = await ReceiverJournal.open<number>(dir, 40);
    assert.equal(await d.journal.append(1), 41);
    await d.journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('journal: a record torn by a crash (cut short or damaged) is ignored and cut off; the records before it stay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-journal-'));
  try {
    const a = await ReceiverJournal.open<string>(dir, 0);
    await a.journal.append('one');
    await a.journal.append('two');
    await a.journal.close();
    const [segment] = segments(dir);
    const file = join(dir, segment!);
    const whole = readFileSync(file).length;
    // Half of a third record: the crash came during its write (it was never acknowledged).
    const third = encodeJournalRecord(3, 'three');
    appendFileSync(file, third.subarray(0, third.length - 3));
    const b = await ReceiverJournal.open<string>(dir, 0);
    assert.deepEqual(
      b.pending.map((r) => r.body),
      ['one', 'two'],
    );
    assert.equal(readFileSync(file).length, whole, 'the torn tail is cut off');
    assert.equal(await b.journal.append('three again'), 3);
    await b.journal.close();

    // A damaged byte inside the second record: it and what follows in its segment are not trusted.
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 2) ^ 0xff, bytes.length - 2);
    writeFileSync(file, bytes);
    const c = await ReceiverJournal.open<string>(dir, 0);
    assert.deepEqual(
      c.pending.map((r) => r.body),
      ['one', 'three again'],
    );
    await c.journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('journal: segments rotate past their size and go once every record in them is applied', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-journal-'));
  try {
    const { journal } = await ReceiverJournal.open<string>(dir, 0, { segmentBytes: 100 });
    const body = 'x'.repeat(100); // one record is 118 bytes: each next write begins a new segment
    for (let i = 0; i < 4; i++) await journal.append(body);
    assert.equal(segments(dir).length, 4);
    assert.equal(journal.sealedSegments, 3);
    await journal.markApplied(2);
    assert.equal(segments(dir).length, 2, 'segments of records 1 and 2 deleted');
    await journal.markApplied(4);
    assert.equal(journal.sealedSegments, 0);
    assert.equal(segments(dir).length, 1, 'the segment being written stays');
    await journal.close();
    const again = await ReceiverJournal.open<string>(dir, 4, { segmentBytes: 100 });
    assert.deepEqual(again.pending, []);
    assert.equal(again.journal.nextSeq, 5);
    await again.journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('journal: a failed commit breaks it until repaired; the repair cuts what the failed write left, and the next records follow the last durable one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-journal-'));
  try {
    const { journal } = await ReceiverJournal.open<{ zone: number }>(dir, 0);
    t.after(() => journal.close());
    assert.equal(await journal.append({ zone: 1 }), 1);
    journal.injectFailureForTests(new Error('EIO (test)'));
    await assert.rejects(journal.append({ zone: 2 }), /EIO/);
    assert.match(journal.failure!.message, /EIO/);
    await assert.rejects(journal.append({ zone: 3 }), /EIO/, 'broken: refused at once');
    await assert.rejects(journal.repair(), /EIO/, 'the disk still fails: still broken');
    // What a writev cut short by the failure would have left behind the durable records.
    const [segment] = segments(dir);
    appendFileSync(join(dir, segment!), Buffer.from('torn half-record'));
    journal.injectFailureForTests(null);
    await journal.repair();
    assert.equal(journal.failure, null);
    assert.equal(await journal.append({ zone: 4 }), 3, 'numbered on from the failed commit (refused appends take no number)');
    await journal.close();

    const again = await ReceiverJournal.open<{ zone: number }>(dir, 0);
    assert.deepEqual(
      again.pending.map((r) => [r.seq, r.body.zone]),
      [
        [1, 1],
        [3, 4],
      ],
      'no hole, no torn bytes: the record after the repair is read back',
    );
    await again.journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('journal: applied records the caller keeps (inside the replay window) come back as recent, the others go with their segment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-journal-'));
  try {
    const a = await ReceiverJournal.open<{ zone: number; young: boolean }>(dir, 0);
    for (const [zone, young] of [
      [1, false],
      [2, true],
      [3, false],
    ] as const)
      await a.journal.append({ zone, young });
    await a.journal.close();
    const b = await ReceiverJournal.open<{ zone: number; young: boolean }>(dir, 3, { keepUntil: (body) => (body.young ? Date.now() + 60_000 : 0) });
    assert.deepEqual(b.pending, []);
    assert.deepEqual(
      b.recent.map((r) => r.body.zone),
      [2],
    );
    await b.journal.close();
    const c = await ReceiverJournal.open<{ zone: number; young: boolean }>(dir, 3);
    assert.deepEqual(c.recent, [], 'nothing kept once the caller keeps nothing: the segment is deleted');
    await c.journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('journal: a kept record survives any number of restarts while it is kept, records applied after each start included; then its segment goes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-journal-'));
  type Body = { zone: number; until: number };
  let now = 1_000_000;
  const options = { keepUntil: (b: Body) => b.until, now: () => now, segmentBytes: 64 };
  try {
    // Start 0: zone 1 is kept for 60 s (a frame inside the replay window), applied at once.
    let opened = await ReceiverJournal.open<Body>(dir, 0, options);
    await opened.journal.append({ zone: 1, until: now + 60_000 });
    await opened.journal.markApplied(1);
    await opened.journal.close();
    let applied = 1;
    // Three quick restarts, each with new records applied after it (which used to delete the kept segments).
    for (let restart = 1; restart <= 3; restart++) {
      now += 3_000;
      opened = await ReceiverJournal.open<Body>(dir, applied, options);
      assert.deepEqual(
        opened.recent.map((r) => r.body.zone),
        [1],
        `zone 1 still comes back after restart ${restart}`,
      );
      for (let i = 0; i < 4; i++) applied = await opened.journal.append({ zone: 100 * restart + i, until: 0 });
      await opened.journal.markApplied(applied);
      await opened.journal.close();
    }
    // Once it is no longer kept, the next start deletes every applied segment: the journal is bounded.
    now += 60_000;
    opened = await ReceiverJournal.open<Body>(dir, applied, options);
    assert.deepEqual(opened.recent, []);
    assert.equal(segments(dir).filter((n) => n.endsWith('.journal')).length, 1, 'only the segment just begun');
    // And while running: a segment sealed with a kept record stays until the record is no longer kept.
    await opened.journal.append({ zone: 7, until: now + 10_000 });
    for (let i = 0; i < 4; i++) applied = await opened.journal.append({ zone: 70 + i, until: 0 });
    await opened.journal.markApplied(applied);
    assert.ok(opened.journal.sealedSegments >= 1, 'the segment holding zone 7 stays while it is kept');
    now += 11_000;
    applied = await opened.journal.append({ zone: 8, until: 0 });
    await opened.journal.markApplied(applied);
    assert.equal(opened.journal.sealedSegments, 0, 'and goes once it is not');
    await opened.journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
