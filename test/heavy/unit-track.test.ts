import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { closeWorkerPool } from '../../src/platform/heavy/worker-pool.js';
import { SealedReader, personalSubject, type Sealed } from '../../src/platform/personal-data.js';
import type { StoredFix } from '../../src/units/events.js';
import type { Fix } from '../../src/units/model.js';
import { UnitsState } from '../../src/units/units-state.js';
import { UnitsService } from '../../src/units/units-service.js';
import type { CityReadPort } from '../../src/city/contract.js';
import { MemoryEventLog } from '../support/memory-event-log.js';
import { fakePrincipal, testContext } from '../support/test-context.js';
import { eventLoopTurns } from '../support/until.js';

after(() => closeWorkerPool());

/** A units service over a memory log holding `n` position events of unit u1 (one fix each, a second apart from t0). */
async function unitWithTrack(n: number): Promise<{ log: MemoryEventLog; service: UnitsService; t0: number }> {
  const log = new MemoryEventLog();
  const ctx = testContext(log);
  const service = new UnitsService(ctx, new UnitsState(), {} as CityReadPort, 10);
  // The unit's existence and visibility are the policy's business, not these tests'.
  (service as unknown as { unitFor: () => unknown }).unitFor = () => ({});
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  for (let i = 0; i < n; i++) {
    await log.append([
      {
        type: 'units.positions.recorded',
        subject: 'unit:u1',
        orgId: 'org_A',
        actor: 'device:u1',
        data: { unitId: 'u1', fixes: [[t0 + i * 1000, 7.42, 43.73, 10, 90]] },
      },
    ]);
  }
  return { log, service, t0 };
}

test("a unit's long track comes in pages that yield to the event loop, and the pages add up to the whole track", async () => {
  const { service, t0 } = await unitWithTrack(2500);
  const loop = eventLoopTurns();
  const fixes: number[] = [];
  let afterSeq: number | undefined;
  let pages = 0;
  const by = fakePrincipal(['commander'], 'org_A');
  for (;;) {
    const page = await service.track('u1', t0, t0 + 3_000_000, by, { afterSeq, maxEvents: 1000 });
    fixes.push(...page.fixes.map((f) => f.at));
    pages++;
    if (page.nextAfterSeq === null) break;
    afterSeq = page.nextAfterSeq;
  }
  loop.stop();
  assert.equal(pages, 3);
  assert.equal(fixes.length, 2500);
  assert.equal(new Set(fixes).size, 2500);
  assert.ok(loop.turns() > 0, 'the event loop turned while the track was read');
});

test("a unit's track behind a gate: the same page asked three times at once by one reader is one read; a third different page of that reader is refused (429)", async () => {
  const { log, service, t0 } = await unitWithTrack(3000);
  let reads = 0;
  const read = log.read.bind(log);
  log.read = async (options) => {
    if (options?.subject === 'unit:u1') reads++;
    return read(options);
  };
  const by = fakePrincipal(['commander'], 'org_A');
  const other = { ...fakePrincipal(['commander'], 'org_A'), actor: 'user:someone-else' };
  const same = [0, 1, 2].map(() => service.track('u1', t0, t0 + 4_000_000, by));
  const second = service.track('u1', t0, t0 + 1_000_000, by);
  await assert.rejects(
    service.track('u1', t0, t0 + 2_000_000, by),
    (e: Error & { code?: string }) => e.code === 'rate_limited',
    'a third page of the same reader',
  );
  const elsewhere = service.track('u1', t0, t0 + 4_000_000, other);
  const [a, b, c] = await Promise.all(same);
  assert.equal(a!.fixes.length, 3000);
  assert.ok(a === b && b === c, 'one result for the three');
  assert.equal((await second).fixes.length, 1001);
  assert.equal((await elsewhere).fixes.length, 3000, "another reader's request is its own read");
  assert.equal(service.trackGate.stats.joined, 2);
  assert.equal(service.trackGate.stats.runs, 3);
  assert.ok(reads > 0);
});

test("a unit's sealed track is opened, sorted and written as JSON in worker threads, with the answer the main thread used to make", async () => {
  const log = new MemoryEventLog();
  const ctx = testContext(log);
  const service = new UnitsService(ctx, new UnitsState(), {} as CityReadPort, 10);
  (service as unknown as { unitFor: () => unknown }).unitFor = () => ({ orgId: 'org_A', callSign: 'VSAV 1' });
  // The reads of personal data are recorded and waited for (read-your-writes): the projections run.
  await ctx.projections.start();
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  const days = ['2026-12-01', '2026-12-02', '2026-12-03'];
  for (let i = 0; i < 2400; i++) {
    const day = days[i % 3]!;
    // Two fixes an event, some without speed or heading, some out of order, some outside the asked window.
    const at = t0 + ((i * 7919) % 2400) * 1000;
    const fixes: StoredFix[] = [
      [at, 7.42 + i * 1e-6, 43.73, i % 4 === 0 ? null : 12.5, i % 5 === 0 ? null : 90],
      [at + 500, 7.421, 43.731 + i * 1e-6, 3, 180],
    ];
    const data =
      i % 10 === 9
        ? { unitId: 'u1', fixes } // an event from before fixes were sealed
        : { unitId: 'u1', sealed: await ctx.personal.seal(personalSubject('avl', `u1:${day}`), fixes) };
    await log.append([{ type: 'units.positions.recorded', subject: 'unit:u1', orgId: 'org_A', actor: 'device:u1', data }]);
  }
  // One day's key shredded (retention): its fixes are gone.
  await ctx.vault.shred(personalSubject('avl', `u1:${days[2]}`));
  const from = t0 + 100_000;
  const to = t0 + 2_000_000;

  // What the main thread did before: open each batch's sealed fixes here, sort, answer.
  const expected: Fix[] = [];
  const reader = new SealedReader(ctx.vault);
  const events = await log.read({ subject: 'unit:u1', typePrefixes: ['units.positions.recorded'], afterSeq: 0, limit: 10_000 });
  await reader.prepare(events.flatMap((e) => ('sealed' in (e.data as object) ? [(e.data as { sealed: Sealed }).sealed.key] : [])));
  for (const e of events) {
    const d = e.data as { fixes: StoredFix[] } | { sealed: Sealed };
    for (const [at, lon, lat, speed, heading] of 'sealed' in d ? (reader.open<StoredFix[]>(d.sealed) ?? []) : d.fixes) {
      if (at < from || at > to) continue;
      expected.push({ at, position: [lon, lat], speed, heading });
    }
  }
  expected.sort((a, b) => a.at - b.at);
  assert.ok(expected.length > 1000);
  assert.ok(expected.some((f) => f.speed === null) && expected.some((f) => f.heading === null));

  const by = fakePrincipal(['commander'], 'org_A');
  const page = await service.track('u1', from, to, by);
  assert.deepEqual(page.fixes, expected);
  assert.equal(page.nextAfterSeq, null);
  const json = await service.trackJson('u1', from, to, by);
  assert.equal(
    json,
    JSON.stringify({
      unitId: 'u1',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      fixes: expected.map((f) => ({ ...f, at: new Date(f.at).toISOString() })),
      nextAfterSeq: null,
    }),
  );
  assert.ok(service.trackThreads.size > 0);
  assert.ok(!service.trackThreads.has(threadId), 'no fix opened or written on the main thread');
});
