import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { BusMessage, EventBus } from './event-bus.js';

/** The behaviour every event-bus backend must have; each backend's test calls this. */
export interface EventBusHarness {
  /** A fresh bus; two calls with the same `shared` key are two nodes on one stream. */
  open(shared: string): Promise<EventBus>;
  ready?(t: TestContext): Promise<boolean>;
}

const until = async (check: () => boolean, what: string, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

let counter = 0;
const key = (): string => `k${process.pid}x${++counter}x${Date.now().toString(36)}`;

export function eventBusContract(name: string, harness: EventBusHarness): void {
  test(`${name}: every plain subscriber receives matching messages with their payload`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const bus = await harness.open(key());
    try {
      const a: BusMessage[] = [];
      const b: BusMessage[] = [];
      await bus.subscribe('events.alarm.>', (m) => void a.push(m));
      await bus.subscribe('events.*.signal.received', (m) => void b.push(m));
      await bus.publish('events.alarm.signal.received', { account: '1234', zones: [1, 2] });
      await bus.publish('events.alert.cap.issued', { id: 'x' });
      await bus.publish('events.alarm.path.failed', { account: '9' });
      await until(() => a.length === 2 && b.length === 1, 'deliveries');
      assert.deepEqual(
        a.map((m) => m.subject),
        ['events.alarm.signal.received', 'events.alarm.path.failed'],
      );
      assert.deepEqual(b[0]!.payload, { account: '1234', zones: [1, 2] });
      assert.equal(b[0]!.deliveryCount, 1);
    } finally {
      await bus.close();
    }
  });

  test(`${name}: an announcement reaches every plain subscriber of every node, and no consumer group`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const shared = key();
    const [one, two] = [await harness.open(shared), await harness.open(shared)];
    try {
      const heard: string[] = [];
      const grouped: BusMessage[] = [];
      await one.subscribe('notices.>', (m) => void heard.push(`one:${(m.payload as { n: number }).n}`));
      await two.subscribe('notices.>', (m) => void heard.push(`two:${(m.payload as { n: number }).n}`));
      await two.subscribe('notices.>', (m) => void grouped.push(m), { group: `g${shared}` });
      await one.announce('notices.paths.heard', { n: 1 });
      await until(() => heard.length === 2, 'announcements');
      assert.deepEqual(heard.sort(), ['one:1', 'two:1']);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(grouped.length, 0, 'announcements are not work for consumer groups');
    } finally {
      await one.close();
      await two.close();
    }
  });

  test(`${name}: a consumer group shares messages, each handled by exactly one member`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const shared = key();
    const [node1, node2] = [await harness.open(shared), await harness.open(shared)];
    try {
      const handled = new Map<number, string[]>();
      const member = (who: string) => async (m: BusMessage<{ n: number }>) => {
        handled.set(m.payload.n, [...(handled.get(m.payload.n) ?? []), who]);
      };
      await node1.subscribe('work.>', member('a'), { group: `g${shared}` });
      await node2.subscribe('work.>', member('b'), { group: `g${shared}` });
      for (let n = 0; n < 200; n++) await (n % 2 ? node1 : node2).publish(`work.item.${n % 5}`, { n });
      await until(() => handled.size === 200, 'every message handled');
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(
        [...handled.values()].every((w) => w.length === 1),
        'no message handled twice',
      );
      const byA = [...handled.values()].filter((w) => w[0] === 'a').length;
      assert.ok(byA > 0 && byA < 200, `both members got work (a: ${byA}, b: ${200 - byA})`);
    } finally {
      await Promise.all([node1.close(), node2.close()]);
    }
  });

  test(`${name}: a message whose handler throws is redelivered with a higher delivery count`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const shared = key();
    const bus = await harness.open(shared);
    try {
      const counts: number[] = [];
      let done = false;
      await bus.subscribe<{ n: number }>(
        'jobs.>',
        async (m) => {
          counts.push(m.deliveryCount);
          if (m.deliveryCount < 3) throw new Error('transient failure');
          done = true;
        },
        { group: `retry${shared}` },
      );
      await bus.publish('jobs.one', { n: 1 });
      await until(() => done, 'third delivery');
      assert.deepEqual(counts, [1, 2, 3]);
    } finally {
      await bus.close();
    }
  });

  test(`${name}: after unsubscribe a subscriber receives nothing`, async (t) => {
    if (harness.ready && !(await harness.ready(t))) return;
    const bus = await harness.open(key());
    try {
      const got: unknown[] = [];
      const sub = await bus.subscribe('x.>', (m) => void got.push(m.payload));
      await bus.publish('x.1', 1);
      await until(() => got.length === 1, 'first');
      await sub.unsubscribe();
      await bus.publish('x.2', 2);
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(got, [1]);
    } finally {
      await bus.close();
    }
  });
}
