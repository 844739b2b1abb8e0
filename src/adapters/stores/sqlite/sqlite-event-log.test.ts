import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { eventLogContract } from '../../../platform/event-log.conformance.js';
import { SqliteEventLog } from './sqlite-event-log.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let current = '';

eventLogContract('sqlite', {
  async open() {
    current = join(dir, `log-${++n}.sqlite`);
    return new SqliteEventLog(current);
  },
  async reopen() {
    return new SqliteEventLog(current);
  },
});
