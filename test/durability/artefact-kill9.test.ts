import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startKillableWorker, type KillableWorker } from '../support/kill9-worker.js';

const worker = (args: string[]): KillableWorker => startKillableWorker(join(import.meta.dirname, 'artefact-worker.ts'), args);

/**
 * An artefact is recorded only once its file is whole and durable. The node is killed with
 * SIGKILL while a 16 MiB firmware image is half uploaded (part of it already in the store's
 * temporary file); the node started again on the same data records no artefact for it and
 * leaves neither the part nor a file under its hash.
 */
test('csirt artefacts: kill -9 mid-upload leaves no half artefact recorded, and the restarted node removes the part', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-artefactkill-'));
  const first = worker([dataDir, 'serve']);
  let second: KillableWorker | null = null;
  try {
    const [url, cookie, caseId] = (await first.line('ready')).split(' ');
    const image = randomBytes(16 * 1024 * 1024);
    const req = request(`${url}/api/csirt/cases/${caseId}/artefacts?name=siren-fw-2.4.1.bin`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/octet-stream', 'content-length': String(image.length) },
    });
    req.on('error', () => {});
    req.write(image.subarray(0, 6 * 1024 * 1024));
    // Half of it is on the node's disk, in a temporary file.
    const tmp = join(dataDir, 'csirt', 'artefacts', 'tmp');
    const partSize = (): number => {
      try {
        return readdirSync(tmp)
          .filter((n) => n.endsWith('.part'))
          .reduce((s, n) => s + statSync(join(tmp, n)).size, 0);
      } catch {
        return 0;
      }
    };
    while (partSize() < 1024 * 1024) await new Promise((r) => setTimeout(r, 20));
    await first.kill9();
    req.destroy();
    assert.ok(partSize() > 0, 'the kill came mid-upload: a part was on disk');

    second = worker([dataDir, 'check', caseId!]);
    const seen = JSON.parse(await second.line('checked')) as { case: string | null; artefacts: number | null; files: string[] };
    assert.ok(seen.case, 'the case is there after the restart');
    assert.equal(seen.artefacts, 0, 'no artefact recorded for the interrupted upload');
    assert.deepEqual(seen.files, [], 'neither the part nor a file under a hash is left');
  } finally {
    await first.kill9();
    await second?.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
