import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { POSTGRES_URL, requirePostgres } from '../../../../test/support/services.js';
import { verifyChain } from '../../../platform/chain-verifier.js';
import { eventLogContract } from '../../../platform/event-log.conformance.js';
import type { StoredEvent } from '../../../platform/event-log.js';
import { PostgresEventLog } from './postgres-event-log.js';

const run = `t${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
let n = 0;
let current = '';
const open = (schema: string): Promise<PostgresEventLog> => PostgresEventLog.open({ connectionString: POSTGRES_URL, schema, pollIntervalMs: 200 });

after(async () => {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect().catch(() => null);
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => {});
  await client.end().catch(() => {});
});

eventLogContract('postgres', {
  ready: requirePostgres,
  async open() {
    current = `vigil_${run}_${++n}`;
    schemas.push(current);
    return open(current);
  },
  async reopen() {
    return open(current);
  },
});

test('postgres: two nodes appending to one store keep one contiguous chain and see each other', async (t) => {
  if (!(await requirePostgres(t))) return;
  const schema = `vigil_${run}_nodes`;
  schemas.push(schema);
  const [a, b] = await Promise.all([open(schema), open(schema)]);
  try {
    const seenByA: StoredEvent[] = [];
    const done = new Promise<void>((resolve) => {
      a.follow(0, (events) => {
        seenByA.push(...events);
        if (seenByA.length >= 400) resolve();
      });
    });
    const write = (log: PostgresEventLog, node: string) =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          log.append(
            Array.from({ length: 10 }, (_, j) => ({ type: 'test.node.wrote', subject: `node:${node}`, orgId: null, actor: 'system', data: { i, j } })),
          ),
        ),
      );
    await Promise.all([write(a, 'a'), write(b, 'b')]);
    await done;
    assert.deepEqual(
      seenByA.map((e) => e.seq),
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
    assert.ok(
      seenByA.some((e) => e.subject === 'node:b'),
      "node A's follower saw node B's events",
    );
    const chain = await verifyChain(b);
    assert.equal(chain.ok, true, chain.problem ?? '');
    assert.equal(chain.checked, 400);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
