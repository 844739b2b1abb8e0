import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { sendUntilAcked } from '../support/dc09-panel.js';
import { startReceiverNode, storedAlarms } from '../support/receiver-node.js';

const PANELS = 8;
const ALARMS_PER_PANEL = 60;

interface Health {
  status: string;
  receiver?: { status: 'ok' | 'degraded'; reason: string | null; unrecorded: number; restarts: number };
}

/**
 * The receiver thread dies mid-stream (an uncaught error, through the test hook): the host
 * reports it degraded on /api/health, records the fault, starts it again on the same port
 * and records the restoration; the panels' retries are ACKed by the new thread, and every
 * ACKed alarm is in the log — each journal record once.
 */
test('receiver thread: a crash mid-stream is supervised — degraded, restarted on the same port, nothing ACKed lost or recorded twice', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rx-restart-'));
  const vigil = await startReceiverNode(dataDir, { mode: 'thread', testHooks: true });
  try {
    const { alarms } = vigil.capabilities;
    assert.equal(alarms.receiver.dc09Mode, 'thread');
    const port = alarms.receiver.tcpPort!;
    const health = async (): Promise<Health> => (await (await fetch(`${vigil.url}/api/health`)).json()) as Health;
    assert.equal((await health()).receiver?.status, 'ok');
    const before = await vigil.ctx.log.lastSeq();

    const accounts = new Set<string>();
    const acked = new Set<string>();
    /** Alarms ACKed on their first attempt: never sent twice, so in the log exactly once. */
    const firstTry = new Set<string>();
    let sent = 0;
    let crash: () => void = () => {};
    const crashed = new Promise<void>((r) => (crash = r));
    const panels = Array.from({ length: PANELS }, async (_, p) => {
      const account = (0xc000 + p).toString(16).toUpperCase();
      accounts.add(account);
      for (let zone = 1; zone <= ALARMS_PER_PANEL; zone++) {
        const frame = signalFrame({ id: 'SIA-DCS', seq: zone, account, data: `NBA${zone}`, now: Date.now() });
        const attempts = await sendUntilAcked(port, frame);
        acked.add(`${account}:${zone}`);
        if (attempts === 1) firstTry.add(`${account}:${zone}`);
        if (++sent === (PANELS * ALARMS_PER_PANEL) / 3) crash();
      }
    });

    // Mid-stream: the thread throws an uncaught error.
    await crashed;
    alarms.crashReceiverForTests();
    let degraded: Health | null = null;
    while (!degraded) {
      const h = await health();
      if (h.receiver?.status === 'degraded') degraded = h;
      else await new Promise((r) => setImmediate(r));
    }
    assert.match(degraded.receiver!.reason!, /crashed on purpose/);
    await Promise.all(panels);
    for (;;) {
      const h = await health();
      if (h.receiver?.status === 'ok') {
        assert.equal(h.receiver.restarts, 1);
        assert.equal(h.receiver.reason, null);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await alarms.receiverSettled();
    assert.equal((await health()).receiver!.unrecorded, 0);

    console.log(`${acked.size} alarms ACKed, ${acked.size - firstTry.size} of them after a retry`);
    const { perAlarm, journal } = await storedAlarms(vigil.ctx.log, { afterSeq: before, accounts });
    const lost = [...acked].filter((k) => !perAlarm.has(k));
    assert.equal(lost.length, 0, `ACKed but not recorded: ${lost.slice(0, 5).join(', ')}`);
    const twice = [...firstTry].filter((k) => perAlarm.get(k) !== 1);
    assert.equal(twice.length, 0, `ACKed at once but recorded more than once: ${twice.slice(0, 5).join(', ')}`);
    // A frame the dead thread journalled without ACKing is sent again by its panel (DC-09's retry) and
    // journalled again; but no journal record is recorded twice.
    assert.equal(new Set(journal).size, journal.length, 'a journal record was recorded twice');

    const faults = await vigil.ctx.log.read({ afterSeq: before, typePrefixes: ['alarms.receiver.'] });
    assert.deepEqual(
      faults.map((e) => e.type),
      ['alarms.receiver.failed', 'alarms.receiver.restored'],
    );
    assert.match((faults[0]!.data as { reason: string }).reason, /crashed on purpose/);
    assert.equal((faults[1]!.data as { downMs: number }).downMs >= 0, true);
    // And in the operators' queue: one technical alarm (a path fault of the receiver itself), city-wide, restored.
    const receiverAlarms = alarms.state.queue().filter((a) => a.correlationKey === `device:dc09-receiver:${vigil.ctx.config.nodeId}`);
    assert.equal(receiverAlarms.length, 1);
    const [alarm] = receiverAlarms;
    assert.equal(alarm!.kind, 'path-fault');
    assert.equal(alarm!.orgId, null, 'city-wide: every operator sees it');
    assert.match(alarm!.title, /Alarm receiver fault/);
    assert.equal(alarm!.restored, true);
    assert.equal(alarm!.signalIds.length, 2, 'the fault and its restoration');
  } finally {
    await vigil.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
