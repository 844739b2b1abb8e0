import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openVigil } from '../app.js';
import { Dc09Framer } from '../adapters/protocols/dc09/dc09-framer.js';
import { frameOf } from '../adapters/protocols/dc09/dc09-reply.js';
import { loadConfig } from '../kernel/config.js';
import { ManualClock } from '../kernel/time.js';
import { decodeHeardSnapshot, encodeHeardSnapshot } from '../platform/heard-checkpoint.js';
import type { Vigil } from '../vigil.js';
import { RESTORE_DEFAULTS } from './supervision/path-supervisor.js';

const open = (dir: string, clock: ManualClock): Promise<Vigil> =>
  openVigil({ ...loadConfig({ VIGIL_DC09_PORT: 'off', VIGIL_MQTT_EMBEDDED_PORT: 'off', VIGIL_LOG_LEVEL: 'silent' }), dataDir: dir }, { clock });

/** A NULL poll of `account` through the DC-09 ingest (no event, the poll fast path). */
async function poll(vigil: Vigil, account: string, seq: number): Promise<void> {
  const frame = new Dc09Framer().push(frameOf(`"NULL"${String(seq).padStart(4, '0')}L0#${account}[]`)).frames[0]!;
  const reply = await vigil.capabilities.alarms.ingest.dc09.handleDc09(frame, 'test');
  assert.match(reply!.toString('latin1'), /"ACK"/);
}

const faultsOf = async (vigil: Vigil): Promise<string[]> =>
  (await vigil.ctx.log.read({ typePrefixes: ['alarms.path.failed'] })).map((e) => (e.data as { account: string }).account);

test('heard-state snapshot: encodes and decodes every path, time and flag; a damaged record reads as none', () => {
  const s = { savedAt: 1_700_000_000_123, clean: true, paths: ['A1', 'B2', 'ÄÖ"\n'], heard: new Float64Array([1, 2.5, 3]), faulted: new Uint8Array([0, 1, 0]) };
  const back = decodeHeardSnapshot(encodeHeardSnapshot(s))!;
  assert.deepEqual({ ...back, heard: [...back.heard], faulted: [...back.faulted] }, { ...s, heard: [1, 2.5, 3], faulted: [0, 1, 0] });
  assert.equal(decodeHeardSnapshot(Buffer.from('nonsense')), null);
  assert.equal(decodeHeardSnapshot(encodeHeardSnapshot(s).subarray(0, 30)), null);
});

test('supervision restart: polls write no event; after a restart a polled path raises no false fault and a silent one faults when it was due', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-heard-'));
  const clock = new ManualClock(Date.now());
  try {
    let vigil = await open(dir, clock);
    const alarms = () => vigil.capabilities.alarms;
    for (const account of ['A10', 'B20', 'C30']) await alarms().plans.configureAccount({ account, supervisionSeconds: 600 }, 'system');
    const t0 = clock.now();
    clock.advance(300_000);
    const before = await vigil.ctx.log.lastSeq();
    await poll(vigil, 'A10', 1);
    await poll(vigil, 'A10', 2);
    await poll(vigil, 'C30', 3);
    // Only alarm events count: the node's own background work (citizen-report notices) may write meanwhile.
    assert.deepEqual(await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['alarms.'] }), [], 'polls are not events');
    clock.advance(300_100); // B20 was due at 600 s
    assert.equal(await alarms().supervision.superviseTick(), 1);
    assert.deepEqual(await faultsOf(vigil), ['B20']);
    clock.advance(100_000);
    await poll(vigil, 'C30', 4); // C30 heard at 700 s; A10 last at 300 s
    await vigil.close(); // orderly: the heard state is saved as the node stops

    clock.advance(120_000); // down for two minutes (now 820 s)
    vigil = await open(dir, clock);
    assert.equal(await alarms().supervision.superviseTick(), 0, 'no false fault at restart');
    assert.equal(alarms().supervision.monitor.isFaulted('B20'), true, 'a raised fault stays raised');
    // A10 was silent since 300 s: due at 900 s, not an interval after the restart.
    assert.equal(alarms().supervision.monitor.deadlineOf('A10'), t0 + 900_000);
    clock.advance(80_100);
    assert.equal(await alarms().supervision.superviseTick(), 1);
    assert.deepEqual(await faultsOf(vigil), ['B20', 'A10'], 'A10 faulted on time, B20 not twice');
    // C30, polled at 700.1 s, is due at 1 300.1 s.
    clock.advance(t0 + 1_300_000 - clock.now());
    assert.equal(await alarms().supervision.superviseTick(), 0);
    // B20's next frame restores its path across the restart.
    await poll(vigil, 'B20', 5);
    assert.equal(alarms().supervision.monitor.isFaulted('B20'), false);
    assert.equal((await vigil.ctx.log.read({ typePrefixes: ['alarms.path.restored'] })).length, 1);
    await vigil.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('supervision restart after a crash: the timer snapshot is taken one period stale, so no false fault; a path silent long enough still faults', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-heard-'));
  const clock = new ManualClock(Date.now());
  try {
    let vigil = await open(dir, clock);
    const alarms = () => vigil.capabilities.alarms;
    for (const account of ['D40', 'E50']) await alarms().plans.configureAccount({ account, supervisionSeconds: 600 }, 'system');
    const t0 = clock.now();
    clock.advance(100_000);
    assert.equal(await alarms().supervision.checkpointHeard(false), true); // the periodic checkpoint, at 100 s
    clock.advance(2_000);
    await poll(vigil, 'D40', 1); // heard after the last checkpoint, then the node dies
    // A crash takes no shutdown snapshot: overwrite the clean one the close below writes with the timer's.
    const stale = (await vigil.ctx.heardCheckpoints!.load())!;
    await vigil.close();
    const { FileHeardCheckpoint } = await import('../adapters/stores/file-heard-checkpoint.js');
    const store = new FileHeardCheckpoint(join(dir, 'supervision-heard.bin'));
    await store.save(stale);
    await store.close();

    clock.advance(10_000);
    vigil = await open(dir, clock);
    // Both were last known heard at 0 s (configuration); D40 may have been heard up to one period after the snapshot.
    const due = t0 + 100_000 + RESTORE_DEFAULTS.checkpointPeriodMs + 600_000;
    assert.equal(alarms().supervision.monitor.deadlineOf('D40'), due);
    assert.equal(alarms().supervision.monitor.deadlineOf('E50'), due);
    clock.advance(due - clock.now() - 1);
    assert.equal(await alarms().supervision.superviseTick(), 0, 'D40 polled at 102 s: no fault before 705 s');
    await poll(vigil, 'D40', 2);
    clock.advance(300);
    assert.equal(await alarms().supervision.superviseTick(), 1);
    assert.deepEqual(await faultsOf(vigil), ['E50'], 'silent through the crash: faulted, within one period of when it was due');
    await vigil.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('supervision restart without a snapshot: a path whose fault the log holds stays faulted (no second fault) until it is heard', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-heard-'));
  const clock = new ManualClock(Date.now());
  try {
    let vigil = await open(dir, clock);
    await vigil.capabilities.alarms.plans.configureAccount({ account: 'F10', supervisionSeconds: 10 }, 'system');
    clock.advance(10_300);
    assert.equal(await vigil.capabilities.alarms.supervision.superviseTick(), 1);
    await vigil.close();
    rmSync(join(dir, 'supervision-heard.bin')); // an older node, or a lost file: only the log remains

    vigil = await open(dir, clock);
    clock.advance(30_000);
    assert.equal(await vigil.capabilities.alarms.supervision.superviseTick(), 0, 'not raised a second time');
    assert.equal(vigil.capabilities.alarms.supervision.monitor.isFaulted('F10'), true);
    await poll(vigil, 'F10', 1);
    assert.equal(vigil.capabilities.alarms.state.faultedPaths.has('F10'), false, 'its next frame restores it');
    assert.deepEqual(await faultsOf(vigil), ['F10']);
    await vigil.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
