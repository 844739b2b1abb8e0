import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SlidingWindowLimiter, clientKey } from './rate-limiter.js';

test('limiter: never more than `limit` per key in any window, and refuses only when the window is full; keys are bounded', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 400 })), { maxLength: 300 }),
      (limit, windowMs, maxKeys, steps) => {
        const limiter = new SlidingWindowLimiter(limit, windowMs, maxKeys);
        const accepted = new Map<string, number[]>();
        let now = 0;
        for (const [k, dt] of steps) {
          now += dt;
          const key = `k${k}`;
          const mine = accepted.get(key) ?? [];
          const inWindow = mine.filter((t) => t > now - windowMs).length;
          const live = [...accepted.values()].filter((ts) => ts.some((t) => t > now - windowMs)).length;
          const r = limiter.take(key, now);
          if (r.ok) {
            assert.ok(inWindow < limit, 'accepted beyond the limit');
            accepted.set(key, [...mine, now]);
          } else {
            // Refused: the key's window is full, or the table of live keys is full and this key is not in it.
            assert.ok(inWindow >= limit || (live >= maxKeys && inWindow === 0), `refused with ${inWindow}/${limit} in window, ${live}/${maxKeys} live keys`);
            assert.ok(r.retryAfterMs > 0 && r.retryAfterMs <= windowMs);
          }
          assert.ok(limiter.size <= maxKeys);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('limiter: a refused caller may come back after retryAfterMs', () => {
  const l = new SlidingWindowLimiter(2, 1000);
  assert.equal(l.take('a', 0).ok, true);
  assert.equal(l.take('a', 400).ok, true);
  const r = l.take('a', 500);
  assert.deepEqual(r, { ok: false, retryAfterMs: 500 });
  assert.equal(l.take('a', 999).ok, false);
  assert.equal(l.take('a', 1000).ok, true, 'the first acceptance left the window');
  assert.equal(l.take('b', 500).ok, true, 'keys are independent');
});

test('client key: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64 prefix whatever its spelling', () => {
  assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
  assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(clientKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
  assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
  fc.assert(fc.property(fc.ipV6(), (ip) => assert.match(clientKey(ip), /^([0-9a-f]{1,4}:){4}:\/64$|^\d+\.\d+\.\d+\.\d+$/)));
});
