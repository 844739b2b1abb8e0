import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROLES, type Role } from '../platform/access.js';

// Which principal may call which route, on whose data, is walked by the expected-policy table
// (test/security/policy-table.test.ts), written independently of the access layer. This file
// keeps what the table cannot see: a route without a declared rule stops the server from starting.

test('every route declares its access; undeclared routes refuse to register', async () => {
  const { buildApiServer } = await import('./server.js');
  const { Metrics } = await import('./metrics.js');
  const { MemoryEventLog } = await import('../../test/support/memory-event-log.js');
  const { testContext } = await import('../../test/support/test-context.js');
  const ctx = testContext(new MemoryEventLog(), { webDistDir: '/nonexistent' });
  await assert.rejects(
    buildApiServer({
      ctx,
      metrics: new Metrics('t'),
      version: 't',
      resolvePrincipal: () => {
        throw new Error('unused');
      },
      capabilities: [
        {
          name: 'careless',
          routes: async (app) => {
            app.get('/api/careless', async () => ({}));
          },
        },
      ],
    }),
    /declares no config.access/,
  );
  const roles: readonly Role[] = ROLES;
  assert.equal(roles.length, 8);
});
