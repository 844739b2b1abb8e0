import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { conflict, VigilError } from '../kernel/errors.js';
import { installErrorHandling, validationReason } from './error-handler.js';

/** A Fastify app with the API's error handling and validator options, and one route with a schema. */
async function app() {
  const a = Fastify({ ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true } } });
  installErrorHandling(a);
  a.post(
    '/things',
    {
      schema: {
        body: {
          type: 'object',
          required: ['title'],
          additionalProperties: false,
          properties: {
            title: { type: 'string', minLength: 3 },
            priority: { type: 'integer', maximum: 5 },
            tags: { type: 'array', items: { type: 'string', maxLength: 4 } },
          },
        },
      },
    },
    async () => ({ ok: true }),
  );
  a.post('/closed', async () => {
    throw conflict('the alarm is closed').because('alarm.closed');
  });
  a.post('/plain', async () => {
    throw conflict('already claimed by user:u1');
  });
  await a.ready();
  return a;
}

test('a schema refusal carries a stable reason and the field by its name in the request, the English message for API users', async () => {
  const a = await app();
  const cases: [unknown, string, Record<string, string | number>][] = [
    [{}, 'validation.required', { field: 'title' }],
    [{ title: 'ab' }, 'validation.minLength', { field: 'title', limit: 3 }],
    [{ title: 'abc', priority: 9 }, 'validation.maximum', { field: 'priority', limit: 5 }],
    // An array's entry names the array's field, never its index.
    [{ title: 'abc', tags: ['ok', 'too long'] }, 'validation.maxLength', { field: 'tags', limit: 4 }],
    [{ title: 'abc', colour: 'red' }, 'validation.additionalProperties', { field: 'colour' }],
  ];
  for (const [payload, reason, params] of cases) {
    const r = await a.inject({ method: 'POST', url: '/things', payload: payload as object });
    assert.equal(r.statusCode, 400);
    const { error } = r.json() as { error: { code: string; message: string; reason: string; params: Record<string, unknown> } };
    assert.equal(error.code, 'validation_failed');
    assert.equal(error.reason, reason, JSON.stringify(payload));
    assert.deepEqual(error.params, params, JSON.stringify(payload));
    assert.match(error.message, /^body is not valid: /, 'the English message stays');
  }
  await a.close();
});

test('a domain refusal carries its reason and params; one without a reason has neither (its code says it)', async () => {
  const a = await app();
  const closed = (await a.inject({ method: 'POST', url: '/closed' })).json() as { error: Record<string, unknown> };
  assert.deepEqual(closed.error, { code: 'conflict', message: 'the alarm is closed', details: null, reason: 'alarm.closed', params: {} });
  const plain = (await a.inject({ method: 'POST', url: '/plain' })).json() as { error: Record<string, unknown> };
  assert.deepEqual(Object.keys(plain.error).sort(), ['code', 'details', 'message']);
  const e = new VigilError('bad_request', 'priority is 1 (most urgent) to 5').because('incident.priority-range');
  assert.deepEqual(e.toBody().error, {
    code: 'bad_request',
    message: 'priority is 1 (most urgent) to 5',
    details: null,
    reason: 'incident.priority-range',
    params: {},
  });
  // A keyword without a sentence of its own reads as invalid; a problem without a path names no field.
  assert.deepEqual(validationReason([{ instancePath: '/when', keyword: 'if', params: {} }]), { reason: 'validation.invalid', params: { field: 'when' } });
  assert.deepEqual(validationReason([]), { reason: 'validation.invalid', params: {} });
  await a.close();
});
