import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseKey } from '../../src/adapters/protocols/dc09/dc09-crypto.js';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import type { RunningVigil } from '../../src/app.js';
import { ManualClock } from '../../src/kernel/time.js';
import { dc09Panel as panel, sendUntilAcked } from '../support/dc09-panel.js';
import { startReceiverNode, storedAlarms } from '../support/receiver-node.js';
import { until } from '../support/until.js';

/**
 * Issue 13: the receiver thread's faults other than its death — a journal that cannot write,
 * a log that lags behind the ACKs — are visible (health, the technical alarm RCVR) and safe
 * (NAK rather than silence); and a restart keeps the replay window's memory of what it ACKed.
 */

interface Health {
  receiver?: { status: 'ok' | 'degraded'; reason: string | null; unrecorded: number; restarts: number };
}
const health = async (vigil: RunningVigil): Promise<NonNullable<Health['receiver']>> =>
  ((await (await fetch(`${vigil.url}/api/health`)).json()) as Health).receiver!;
const receiverAlarms = (vigil: RunningVigil) =>
  vigil.capabilities.alarms.state.queue().filter((a) => a.correlationKey === `device:dc09-receiver:${vigil.ctx.config.nodeId}`);
const hooksOf = (vigil: RunningVigil) => {
  const hooks = vigil.capabilities.alarms.receiverTestHooks();
  assert.ok(hooks, 'the receiver thread runs with its test hooks');
  return hooks;
};

test('receiver journal: a failing write is NAKed (never silence), shown degraded with its reason, raises RCVR, restored once writes succeed again', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rx-journal-fault-'));
  const vigil = await startReceiverNode(dataDir, { mode: 'thread', testHooks: true });
  try {
    const hooks = hooksOf(vigil);
    const port = vigil.capabilities.alarms.receiver.tcpPort!;
    const before = await vigil.ctx.log.lastSeq();
    assert.equal((await health(vigil)).status, 'ok');

    hooks.failWrites(true);
    // The hook reaches the thread before the frame (settled answers through the same port, after it).
    await vigil.capabilities.alarms.receiverSettled();
    const p = panel(port);
    await p.ready;
    const first = signalFrame({ id: 'SIA-DCS', seq: 1, account: 'D100', data: 'NFA1', now: Date.now() });
    assert.match(await p.reply(first), /"NAK"/, 'a frame that cannot be made durable is NAKed');
    const second = signalFrame({ id: 'SIA-DCS', seq: 2, account: 'D100', data: 'NFA2', now: Date.now() });
    assert.match(await p.reply(second), /"NAK"/, 'and so is the next, while the journal is broken');

    await until(async () => (await health(vigil)).status === 'degraded', 'the receiver shown degraded');
    assert.match((await health(vigil)).reason!, /journal cannot make frames durable: ENOSPC/);
    await until(() => receiverAlarms(vigil).length === 1, 'the receiver fault alarm raised');
    assert.equal(receiverAlarms(vigil)[0]!.restored, false);

    hooks.failWrites(false);
    await until(async () => (await health(vigil)).status === 'ok', 'the journal repaired');
    // The panel sends again (its retry) and is ACKed now.
    assert.equal(await sendUntilAcked(port, first), 1);
    p.close();
    await vigil.capabilities.alarms.receiverSettled();

    const { perAlarm } = await storedAlarms(vigil.ctx.log, { afterSeq: before, accounts: new Set(['D100']) });
    assert.deepEqual([...perAlarm], [['D100:1', 1]], 'only the ACKed frame is recorded, once');
    await until(() => receiverAlarms(vigil)[0]?.restored === true, 'the receiver fault alarm restored');
    const [alarm] = receiverAlarms(vigil);
    assert.equal(alarm!.kind, 'path-fault');
    assert.equal(alarm!.signalIds.length, 2, 'the fault and its restoration');
    const faults = await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['alarms.receiver.'] });
    assert.deepEqual(
      faults.map((e) => e.type),
      ['alarms.receiver.failed', 'alarms.receiver.restored'],
    );
    assert.match((faults[0]!.data as { reason: string }).reason, /ENOSPC/);
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('receiver backlog: frames ACKed but not recorded above the bound for over 5 s raise RCVR (saying why), restored once it drains', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rx-backlog-'));
  const clock = new ManualClock(Date.UTC(2026, 11, 5, 4, 0, 0));
  const boundBefore = process.env.VIGIL_DC09_BACKLOG_ALARM_FRAMES;
  process.env.VIGIL_DC09_BACKLOG_ALARM_FRAMES = '3';
  const vigil = await startReceiverNode(dataDir, { mode: 'thread', testHooks: true, clock });
  try {
    const hooks = hooksOf(vigil);
    const port = vigil.capabilities.alarms.receiver.tcpPort!;
    hooks.pauseRecording(true);
    for (let zone = 1; zone <= 5; zone++)
      await sendUntilAcked(port, signalFrame({ id: 'SIA-DCS', seq: zone, account: 'D200', data: `NBA${zone}`, now: clock.now() }));
    await until(async () => (await health(vigil)).unrecorded === 5, 'the backlog seen by the main thread');
    hooks.superviseBacklog();
    assert.equal((await health(vigil)).status, 'ok', 'a backlog above the bound for a moment is no fault');
    clock.advance(2_000);
    hooks.superviseBacklog();
    assert.equal((await health(vigil)).status, 'ok');
    clock.advance(4_000);
    hooks.superviseBacklog();
    const h = await health(vigil);
    assert.equal(h.status, 'degraded');
    assert.match(h.reason!, /5 DC-09 frames acknowledged but not yet recorded in the log \(above 3/);
    await until(() => receiverAlarms(vigil).length === 1, 'the receiver fault alarm raised');
    assert.equal(receiverAlarms(vigil)[0]!.restored, false);

    hooks.pauseRecording(false);
    await vigil.capabilities.alarms.receiverSettled();
    hooks.superviseBacklog();
    assert.equal((await health(vigil)).status, 'ok');
    await until(() => receiverAlarms(vigil)[0]?.restored === true, 'the receiver fault alarm restored');
    const faults = await vigil.ctx.log.read({ typePrefixes: ['alarms.receiver.'] });
    assert.deepEqual(
      faults.map((e) => e.type),
      ['alarms.receiver.failed', 'alarms.receiver.restored'],
    );
    assert.match((faults[0]!.data as { reason: string }).reason, /not yet recorded/);
    const { perAlarm } = await storedAlarms(vigil.ctx.log, { accounts: new Set(['D200']) });
    assert.equal(perAlarm.size, 5);
  } finally {
    await vigil.close();
    if (boundBefore === undefined) delete process.env.VIGIL_DC09_BACKLOG_ALARM_FRAMES;
    else process.env.VIGIL_DC09_BACKLOG_ALARM_FRAMES = boundBefore;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const KEY = '00112233445566778899AABBCCDDEEFF';

test('replay window after a restart: a frame ACKed before the thread (then the node) restarted, sent again byte for byte, is ACKed as a duplicate and recorded once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rx-replay-restart-'));
  const clock = new ManualClock(Date.UTC(2026, 11, 5, 4, 0, 0));
  let vigil = await startReceiverNode(dataDir, { mode: 'thread', testHooks: true, clock });
  try {
    const account = 'D300';
    await vigil.capabilities.alarms.plans.configureAccount({ account, key: KEY }, 'system');
    await vigil.capabilities.alarms.receiverSettled();
    const key = parseKey(KEY)!;
    const frame = signalFrame({ id: 'SIA-DCS', seq: 7, account, data: 'NFA1', key, now: clock.now() });
    // The same account, sequence and timestamp with other bytes: a replay, never a duplicate.
    const forged = signalFrame({ id: 'SIA-DCS', seq: 7, account, data: 'NFA2', key, now: clock.now() });
    const reply = async (bytes: Buffer): Promise<string> => {
      const p = panel(vigil.capabilities.alarms.receiver.tcpPort!);
      await p.ready;
      try {
        return await p.reply(bytes);
      } finally {
        p.close();
      }
    };
    assert.match(await reply(frame), /"\*ACK"0007/);
    await vigil.capabilities.alarms.receiverSettled();

    // The thread restarts two seconds later: the frame's timestamp is before its start.
    clock.advance(2_000);
    vigil.capabilities.alarms.crashReceiverForTests();
    await until(async () => {
      const h = await health(vigil);
      return h.status === 'ok' && h.restarts === 1;
    }, 'the receiver thread started again');
    assert.match(await reply(frame), /"\*ACK"0007/, 'its ACK was lost: the resend is ACKed again');
    assert.match(await reply(forged), /"NAK"/, 'other bytes under the same key are a replay');

    // And across a restart of the node.
    await vigil.close();
    clock.advance(2_000);
    vigil = await startReceiverNode(dataDir, { mode: 'thread', testHooks: true, clock });
    assert.match(await reply(frame), /"\*ACK"0007/, 'ACKed again after the node restarted');
    assert.match(await reply(forged), /"NAK"/);
    await vigil.capabilities.alarms.receiverSettled();
    const { perAlarm } = await storedAlarms(vigil.ctx.log, { accounts: new Set([account]) });
    assert.deepEqual([...perAlarm], [[`${account}:1`, 1]], 'recorded once');

    // Once its timestamp leaves the window (40 s), it is forgotten: a copy is refused as before-start.
    clock.advance(40_000);
    assert.match(await reply(frame), /"NAK"/);
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
