import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from './group-commit.js';

test('group commit: one write per tick, what arrives during a write goes in the next, each caller answered only once its write is durable', async () => {
  const writes: number[][] = [];
  let release: (() => void) | null = null;
  const commit = new GroupCommit<number>(async (items) => {
    writes.push([...items]);
    // The first write stays open until released: what arrives meanwhile queues.
    if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
  }, 100);
  const answered: string[] = [];
  const a = commit.add([1, 2]).then(() => answered.push('a'));
  const b = commit.add([3]).then(() => answered.push('b'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(writes, [[1, 2, 3]], 'one write for the tick');
  const c = commit.add([4]).then(() => answered.push('c'));
  const d = commit.add([5, 6]).then(() => answered.push('d'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(answered, [], 'nothing answered before its write is durable');
  assert.equal(commit.waiting, 3);
  release!();
  await Promise.all([a, b, c, d]);
  assert.deepEqual(writes, [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(answered, ['a', 'b', 'c', 'd']);
});

test('group commit: a burst beyond the limit is written in pieces, and a failed piece refuses every caller of the burst', async () => {
  const writes: number[][] = [];
  let fail = false;
  const commit = new GroupCommit<number>(async (items) => {
    writes.push([...items]);
    if (fail && items.includes(3)) throw new Error('disk full');
  }, 2);
  await commit.add([1, 2, 3, 4, 5]);
  assert.deepEqual(writes, [[1, 2], [3, 4], [5]]);
  fail = true;
  const refused = commit.add([1, 2, 3]);
  await assert.rejects(refused, /disk full/);
  // Later writes are unaffected.
  fail = false;
  await commit.add([9]);
  await commit.flush();
  assert.deepEqual(writes.at(-1), [9]);
});
