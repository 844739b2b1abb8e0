import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnitsState } from '../../src/units/units-state.js';
import { UnitsService } from '../../src/units/units-service.js';
import type { CityReadPort } from '../../src/city/contract.js';
import { MemoryEventLog } from '../support/memory-event-log.js';
import { fakePrincipal, testContext } from '../support/test-context.js';

test("a unit's long track comes in pages that yield to the event loop, and the pages add up to the whole track", async () => {
  const log = new MemoryEventLog();
  const ctx = testContext(log);
  const service = new UnitsService(ctx, new UnitsState(), {} as CityReadPort, 10);
  // The unit's existence and visibility are the policy's business, not this test's.
  (service as unknown as { unitFor: () => unknown }).unitFor = () => ({});
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  for (let i = 0; i < 2500; i++) {
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
  let turns = 0;
  let turning = true;
  const spin = (): void => {
    turns++;
    if (turning) setImmediate(spin);
  };
  setImmediate(spin);
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
  turning = false;
  assert.equal(pages, 3);
  assert.equal(fixes.length, 2500);
  assert.equal(new Set(fixes).size, 2500);
  assert.ok(turns > 0, 'the event loop turned while the track was read');
});

test("a unit's track behind a gate: the same page asked three times at once by one reader is one read; a third different page of that reader is refused (429)", async () => {
  const log = new MemoryEventLog();
  const ctx = testContext(log);
  const service = new UnitsService(ctx, new UnitsState(), {} as CityReadPort, 10);
  (service as unknown as { unitFor: () => unknown }).unitFor = () => ({});
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  for (let i = 0; i < 3000; i++)
    await log.append([
      {
        type: 'units.positions.recorded',
        subject: 'unit:u1',
        orgId: 'org_A',
        actor: 'device:u1',
        data: { unitId: 'u1', fixes: [[t0 + i * 1000, 7.42, 43.73, 10, 90]] },
      },
    ]);
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
