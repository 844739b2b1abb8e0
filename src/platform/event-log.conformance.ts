import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { verifyChain } from './chain-verifier.js';
import { VigilError } from '../kernel/errors.js';
import type { EventLog, NewEvent, StoredEvent } from './event-log.js';

/**
 * The behaviour every event-log backend must have. Each backend's test file calls
 * this with a factory that opens a fresh, empty store; `reopen` opens the same
 * store again (restart).
 */
export interface EventLogHarness {
  open(): Promise<EventLog>;
  reopen(): Promise<EventLog>;
  /** False when the backend's service is absent (the test then skips, or fails under CI). */
  ready?(t: TestContext): Promise<boolean>;
}

const ev = (type: string, n: number, extra: Partial<NewEvent> = {}): NewEvent => ({
  type,
  subject: `thing:${n % 7}`,
  orgId: n % 2 ? 'org_A' : null,
  actor: 'user:tester',
  data: { n, text: `event ${n}`, nested: { list: [n, 'ü', null], flag: n % 3 === 0 } },
  ...extra,
});

async function collect(log: EventLog, afterSeq: number, until: number): Promise<{ events: StoredEvent[]; stop: () => void }> {
  const events: StoredEvent[] = [];
  let stop: () => void = () => {};
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`follow delivered ${events.length} of ${until - afterSeq}`)), 10_000);
    stop = log.follow(afterSeq, (batch) => {
      events.push(...batch);
      if (events.length >= until - afterSeq) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { events, stop };
}

export function eventLogContract(name: string, harness: EventLogHarness): void {
  test(`${name}: appends get contiguous sequence numbers and a valid hash chain`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const log = await harness.open();
    try {
      const a = await log.append([ev('test.thing.happened', 1), ev('test.thing.happened', 2)]);
      const b = await log.append([ev('test.other.happened', 3)]);
      assert.deepEqual(
        [...a, ...b].map((e) => e.seq),
        [1, 2, 3],
      );
      assert.equal(b[0]!.prevHash, a[1]!.hash);
      assert.equal(await log.lastSeq(), 3);
      const read = await log.read();
      assert.deepEqual(read, [...a, ...b], 'what is read back is exactly what append returned');
      assert.deepEqual(read[0]!.data, { n: 1, text: 'event 1', nested: { list: [1, 'ü', null], flag: false } });
      const chain = await verifyChain(log);
      assert.equal(chain.ok, true, chain.problem ?? '');
      assert.equal(chain.checked, 3);
    } finally {
      await log.close();
    }
  });

  test(`${name}: concurrent appends are group-committed without gaps and each caller keeps its order`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const log = await harness.open();
    try {
      const callers = Array.from({ length: 50 }, (_, c) => log.append(Array.from({ length: 1 + (c % 4) }, (_, i) => ev('test.thing.happened', c * 10 + i))));
      const results = await Promise.all(callers);
      for (const r of results) {
        for (let i = 1; i < r.length; i++) assert.equal(r[i]!.seq, r[i - 1]!.seq + 1, "a caller's events are contiguous");
      }
      const seqs = results
        .flat()
        .map((e) => e.seq)
        .sort((x, y) => x - y);
      assert.deepEqual(
        seqs,
        Array.from({ length: seqs.length }, (_, i) => i + 1),
      );
      assert.equal((await verifyChain(log)).ok, true);
    } finally {
      await log.close();
    }
  });

  test(`${name}: an append with a known id returns the stored event instead of writing it twice`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const log = await harness.open();
    try {
      const [first] = await log.append([ev('test.thing.happened', 1, { id: 'evt_fixed_1' })]);
      const [again, other] = await log.append([ev('test.thing.happened', 99, { id: 'evt_fixed_1' }), ev('test.thing.happened', 2)]);
      assert.deepEqual(again, first);
      assert.equal(other!.seq, 2);
      const [x, y] = await log.append([ev('test.thing.happened', 3, { id: 'dup' }), ev('test.thing.happened', 4, { id: 'dup' })]);
      assert.deepEqual(x, y, 'a repeated id inside one append is written once');
      assert.equal(await log.lastSeq(), 3);
      assert.equal((await verifyChain(log)).ok, true);
    } finally {
      await log.close();
    }
  });

  test(`${name}: read filters by type prefix, subject, position and limit`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const log = await harness.open();
    try {
      await log.append([
        ev('alarm.signal.received', 1, { subject: 'account:1' }),
        ev('alarm.signal.received', 2, { subject: 'account:2' }),
        ev('alarms.thing.done', 3, { subject: 'account:1' }),
        ev('alert.cap.issued', 4, { subject: 'account:1' }),
        ev('alarm.path.failed', 5, { subject: 'account:1' }),
      ]);
      const types = async (o: Parameters<EventLog['read']>[0]) => (await log.read(o)).map((e) => e.data as { n: number }).map((d) => d.n);
      assert.deepEqual(await types({ typePrefixes: ['alarm.'] }), [1, 2, 5], "'alarm.' must not match 'alarms.'");
      assert.deepEqual(await types({ typePrefixes: ['alarm.', 'alert.'] }), [1, 2, 4, 5]);
      assert.deepEqual(await types({ typePrefixes: [] }), []);
      assert.deepEqual(await types({ subject: 'account:1' }), [1, 3, 4, 5]);
      assert.deepEqual(await types({ subject: 'account:1', typePrefixes: ['alarm.'] }), [1, 5]);
      assert.deepEqual(await types({ afterSeq: 2, limit: 2 }), [3, 4]);
      assert.deepEqual(await types({ afterSeq: 5 }), []);
    } finally {
      await log.close();
    }
  });

  test(`${name}: invalid events are refused and nothing of their append is stored`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const log = await harness.open();
    try {
      await log.append([ev('test.thing.happened', 1)]);
      for (const bad of [
        { ...ev('test.thing.happened', 2), type: 'NoDots' },
        { ...ev('test.thing.happened', 2), subject: '' },
        { ...ev('test.thing.happened', 2), actor: '' },
        { ...ev('test.thing.happened', 2), data: { big: 'x'.repeat(1024 * 1024 + 1) } },
        { ...ev('test.thing.happened', 2), at: Number.NaN },
      ]) {
        await assert.rejects(log.append([ev('test.thing.happened', 3), bad as NewEvent]), (e: unknown) => e instanceof VigilError);
      }
      assert.equal(await log.lastSeq(), 1);
      const [next] = await log.append([ev('test.thing.happened', 4)]);
      assert.equal(next!.seq, 2);
    } finally {
      await log.close();
    }
  });

  test(`${name}: odd but valid data round-trips byte for byte`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const log = await harness.open();
    try {
      const data = { nul: 'a\u0000b', emoji: '🚒', quote: '"\\', big: 2 ** 53 - 1, neg: -0.5, empty: {}, arr: [[], {}], k: { z: 1, a: 2 } };
      const [stored] = await log.append([ev('test.thing.happened', 1, { data, reason: 'why ✓' })]);
      const [read] = await log.read();
      assert.deepEqual(read, stored);
      assert.deepEqual(read!.data, data);
      assert.equal((await verifyChain(log)).ok, true);
    } finally {
      await log.close();
    }
  });

  test(`${name}: follow delivers the backlog, then live events, in order, without gaps or repeats`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const log = await harness.open();
    try {
      for (let i = 0; i < 10; i++) await log.append([ev('test.thing.happened', i)]);
      const following = collect(log, 4, 10 + 300);
      const writers = Array.from({ length: 30 }, (_, w) => log.append(Array.from({ length: 10 }, (_, i) => ev('test.thing.happened', w * 100 + i))));
      await Promise.all(writers);
      const { events, stop } = await following;
      stop();
      assert.deepEqual(
        events.map((e) => e.seq),
        Array.from({ length: 306 }, (_, i) => i + 5),
      );
    } finally {
      await log.close();
    }
  });

  test(`${name}: a reopened store holds every acknowledged event and continues the chain`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const log = await harness.open();
    const acked = await log.append(Array.from({ length: 100 }, (_, i) => ev('test.thing.happened', i)));
    await log.close();
    const again = await harness.reopen();
    try {
      assert.deepEqual(await again.read({ limit: 1000 }), acked);
      const [next] = await again.append([ev('test.thing.happened', 101)]);
      assert.equal(next!.seq, 101);
      assert.equal(next!.prevHash, acked[99]!.hash);
      assert.equal((await verifyChain(again)).ok, true);
    } finally {
      await again.close();
    }
  });
}
