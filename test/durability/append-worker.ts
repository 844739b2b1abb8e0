// Child process of kill9.test.ts: appends under load and prints the id of every
// event whose append was acknowledged (resolved), one per line, until killed.
import { PostgresEventLog } from '../../src/adapters/stores/postgres/postgres-event-log.js';
import { SqliteEventLog } from '../../src/adapters/stores/sqlite/sqlite-event-log.js';
import type { EventLog } from '../../src/platform/event-log.js';

const [backend, target] = process.argv.slice(2);
const log: EventLog =
  backend === 'postgres'
    ? await PostgresEventLog.open({ connectionString: process.env.VIGIL_TEST_DATABASE_URL!, schema: target! })
    : new SqliteEventLog(target!);

let n = 0;
const writer = async (w: number): Promise<void> => {
  for (;;) {
    const batch = Array.from({ length: 1 + (n % 3) }, () => ({
      id: `evt_w${w}_${++n}`,
      type: 'test.signal.received',
      subject: `account:${n % 100}`,
      orgId: null,
      actor: 'device:load',
      data: { n, payload: 'x'.repeat(64) },
    }));
    const stored = await log.append(batch);
    process.stdout.write(stored.map((e) => e.id).join('\n') + '\n');
  }
};
process.stdout.write('ready\n');
await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
