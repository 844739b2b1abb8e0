import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reactions } from './reactions.js';

declare module './reactions.js' {
  interface ReactionTypes {
    'test.reading': { input: { value: number }; output: string };
  }
}

test('reactions: every handler runs in order, its results returned; removal takes effect', async () => {
  const reactions = new Reactions();
  assert.equal(reactions.has('test.reading'), false);
  assert.deepEqual(await reactions.emit('test.reading', { value: 1 }), []);
  const seen: number[] = [];
  const off = reactions.on('test.reading', (r) => {
    seen.push(r.value);
    return 'first';
  });
  reactions.on('test.reading', async (r) => `second ${r.value}`);
  assert.equal(reactions.has('test.reading'), true);
  assert.deepEqual(await reactions.emit('test.reading', { value: 7 }), ['first', 'second 7']);
  off();
  assert.deepEqual(await reactions.emit('test.reading', { value: 8 }), ['second 8']);
  assert.deepEqual(seen, [7]);
});

test('reactions: a failing handler rejects the emit, so the producer sees it', async () => {
  const reactions = new Reactions();
  reactions.on('test.reading', () => {
    throw new Error('broken');
  });
  await assert.rejects(reactions.emit('test.reading', { value: 1 }), /broken/);
});
