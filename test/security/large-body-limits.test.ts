import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { boundLargeBodies, largeBodyLimits } from '../../src/api/large-bodies.js';
import { loadConfig } from '../../src/kernel/config.js';
import { tuning } from '../../src/kernel/tuning.js';

/**
 * The large-body limits are the kernel's tuning variables: a node sets them by
 * environment (documented in docs/security.md), checked at start like the others.
 */

test('large-body limits come from the environment, with the documented defaults', () => {
  assert.deepEqual(largeBodyLimits({}), { largeBytes: 256 * 1024, perCaller: 2, atOnce: 4 });
  assert.deepEqual(largeBodyLimits({ VIGIL_LARGE_BODY_BYTES: '4096', VIGIL_LARGE_BODIES_PER_CALLER: '1', VIGIL_LARGE_BODIES_AT_ONCE: '3' }), {
    largeBytes: 4096,
    perCaller: 1,
    atOnce: 3,
  });
  assert.equal(tuning('VIGIL_COVERAGE_BODY_BYTES', {}), 16 * 1024 * 1024);
  assert.equal(tuning('VIGIL_EVACUATION_BODY_BYTES', {}), 8 * 1024 * 1024);
  assert.equal(tuning('VIGIL_COVERAGE_BODY_BYTES', { VIGIL_COVERAGE_BODY_BYTES: '32000000' }), 32_000_000);
  assert.throws(() => loadConfig({ VIGIL_LARGE_BODIES_AT_ONCE: '0' }), /VIGIL_LARGE_BODIES_AT_ONCE must be an integer between 1 and/);
});

test('a node configured for one large body at once refuses a second one before reading it', async () => {
  const app = Fastify();
  const stats = boundLargeBodies(app, largeBodyLimits({ VIGIL_LARGE_BODY_BYTES: '1024', VIGIL_LARGE_BODIES_AT_ONCE: '1' }));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  app.post('/big', async () => {
    await held;
    return { ok: true };
  });
  app.post('/small', async () => ({ ok: true }));
  try {
    const body = JSON.stringify({ x: 'y'.repeat(2000) });
    const first = app.inject({ method: 'POST', url: '/big', headers: { 'content-type': 'application/json' }, payload: body });
    while (stats.inFlight < 1) await new Promise((r) => setTimeout(r, 5));
    const second = await app.inject({ method: 'POST', url: '/big', headers: { 'content-type': 'application/json' }, payload: body });
    assert.equal(second.statusCode, 429, second.body);
    const small = await app.inject({ method: 'POST', url: '/small', headers: { 'content-type': 'application/json' }, payload: '{"x":1}' });
    assert.equal(small.statusCode, 200, 'a body under VIGIL_LARGE_BODY_BYTES never waits for a slot');
    release();
    assert.equal((await first).statusCode, 200);
    assert.equal(stats.refused, 1);
  } finally {
    release();
    await app.close();
  }
});
