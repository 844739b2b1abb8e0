import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, eventHash } from './event-hash.js';

/** The first definition, kept as the reference: logs written with it must still verify. */
function referenceCanonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(referenceCanonical).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${referenceCanonical(obj[k])}`).join(',')}}`;
}

test('canonical JSON is the reference form of what JSON.stringify keeps, and stable under re-parsing', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const stored = canonicalJson(value);
      assert.equal(stored, referenceCanonical(JSON.parse(JSON.stringify(value))));
      assert.equal(canonicalJson(JSON.parse(stored)), stored);
    }),
    { numRuns: 2000 },
  );
});

test('canonical JSON follows JSON.stringify for dates, undefined, functions and non-finite numbers', () => {
  const value = { b: new Date(0), a: [undefined, () => 1, NaN, -0], c: undefined, d: { z: 1, y: Infinity } };
  assert.equal(canonicalJson(value), '{"a":[null,null,null,0],"b":"1970-01-01T00:00:00.000Z","d":{"y":null,"z":1}}');
  assert.equal(canonicalJson(undefined), 'null');
});

test('the event hash is the same whether the data text is passed or recomputed', () => {
  const e = {
    seq: 7,
    id: 'evt1',
    type: 'alarms.signal.received',
    subject: 'account:1234',
    orgId: null,
    actor: 'device:1234',
    reason: null,
    at: '2026-01-01T00:00:00.000Z',
    data: { signal: { zone: '012', flags: ['x'] } },
  };
  const hash = eventHash('0'.repeat(64), e, canonicalJson(e.data));
  assert.equal(hash, eventHash('0'.repeat(64), e));
  // Pinned: a change to the hashed form would break every stored chain.
  const content = referenceCanonical({
    seq: e.seq,
    id: e.id,
    type: e.type,
    subject: e.subject,
    orgId: e.orgId,
    actor: e.actor,
    reason: e.reason,
    at: e.at,
    data: e.data,
  });
  const expected = createHash('sha256')
    .update(`${'0'.repeat(64)}\n${content}`)
    .digest('hex');
  assert.equal(hash, expected);
});

test('canonical JSON of data already in sorted order is the same text as of the same data unsorted or with class instances', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      // Parsed back from canonical text: sorted at every depth, so the fast path writes it.
      const sorted = JSON.parse(canonicalJson(value)) as unknown;
      assert.equal(canonicalJson(sorted), referenceCanonical(sorted));
    }),
    { numRuns: 2000 },
  );
  // Sorted keys, but a Date, a boxed number, a Map and a null-prototype object inside.
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: [2] });
  const value = { a: new Date(0), b: Object(5) as unknown, c: new Map([[1, 2]]), d: nullProto, e: [undefined, () => 1, -0, NaN] };
  assert.equal(canonicalJson(value), '{"a":"1970-01-01T00:00:00.000Z","b":{},"c":{},"d":{"a":1,"b":[2]},"e":[null,null,0,null]}');
  assert.throws(() => canonicalJson({ a: 1n }), TypeError);
});
