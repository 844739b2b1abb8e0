import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { currentThreadId, threadNice, threadScheduling, threadsNice } from '../../src/platform/thread-priority.js';
import { sendUntilAcked } from '../support/dc09-panel.js';
import { startReceiverNode } from '../support/receiver-node.js';
import { until } from '../support/until.js';

/**
 * Issue 13: the alarm path ahead of everything else without privileges. With VIGIL_MAIN_NICE the
 * node's main thread lowers its own priority once the DC-09 receiver thread listens (Linux: niceness
 * is per thread), so the receiver thread and its journal writer — the whole ACK path — run above it,
 * and every thread started after inherits the lower priority. Read from /proc/self/task/<tid>/stat.
 */

/** Whether a thread of this process may raise its priority again (CAP_SYS_NICE, RLIMIT_NICE): probed in a throwaway thread. */
async function canRaise(): Promise<boolean> {
  const probe = new Worker(
    `const { getPriority, setPriority } = require('node:os');
     const { parentPort } = require('node:worker_threads');
     const base = getPriority();
     let ok = false;
     try { setPriority(Math.min(19, base + 1)); setPriority(base); ok = true; } catch {}
     parentPort.postMessage(ok);`,
    { eval: true },
  );
  const [ok] = await Promise.all([new Promise<boolean>((r) => probe.once('message', r)), new Promise((r) => probe.once('exit', r))]);
  return ok;
}

test(
  'VIGIL_MAIN_NICE: the main thread and every other thread run below the receiver thread and its journal writer; threads started after inherit the lower priority; a restarted receiver asks for the node priority back',
  { skip: !existsSync('/proc/self/task') },
  async () => {
    const base = getPriority();
    const raisable = await canRaise();
    const before = process.env.VIGIL_MAIN_NICE;
    const udpBefore = process.env.VIGIL_DC09_UDP_NICE;
    process.env.VIGIL_MAIN_NICE = '5';
    process.env.VIGIL_DC09_UDP_NICE = '3';
    // A heavy-work thread started before the node lowered itself (as the pool's is when the demo city is seeded first): 10 below the node.
    const early = new Worker(
      `const { getPriority, setPriority } = require('node:os');
       const { parentPort } = require('node:worker_threads');
       const { readlinkSync } = require('node:fs');
       setPriority(Math.min(19, getPriority() + 10));
       parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').at(-1)));
       setTimeout(() => {}, 60_000);`,
      { eval: true },
    );
    const earlyTid = await new Promise<number>((r) => early.once('message', r));
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rx-priority-'));
    const vigil = await startReceiverNode(dataDir, { mode: 'thread', testHooks: true });
    try {
      const { alarms } = vigil.capabilities;
      const main = currentThreadId()!;
      const lowered = Math.min(19, base + 5);
      const threads = alarms.receiverThreads();
      assert.ok(threads?.receiver && threads.journalWriter, 'the receiver thread says its and its journal writer thread ids');
      assert.notEqual(threads.receiver, main);
      assert.equal(threadNice(main), lowered, 'the main thread lowered its own priority');
      assert.equal(threadNice(threads.receiver), base, 'the receiver thread kept the node priority');
      assert.equal(threadNice(threads.journalWriter), base, 'its journal writer (the group commit an ACK waits for) too');
      // The UDP listener's own thread: VIGIL_DC09_UDP_NICE below the receiver, left there by the main thread's lowering.
      assert.ok(threads.udpListener, 'the UDP listener thread says its id');
      assert.equal(threadNice(threads.udpListener), Math.min(19, base + 3), 'the UDP listener runs VIGIL_DC09_UDP_NICE below the receiver');
      // Every other thread already running (V8's platform threads, libuv's pool, the SQLite writer) went below them too.
      for (const t of threadsNice())
        if (t.tid !== threads.receiver && t.tid !== threads.journalWriter && t.tid !== threads.udpListener)
          assert.ok(t.nice >= lowered, `thread ${t.tid} runs at ${t.nice}, above the node's ${lowered}`);
      // The thread that was already below the node went as many steps further: still below the main thread, not level with it.
      assert.equal(threadNice(earlyTid), Math.min(19, base + 10 + 5), 'a thread already lower keeps its distance below the main thread');
      await early.terminate();

      // A thread started now (as the heavy-work pool's are) inherits the main thread's lowered priority.
      const known = new Set(threadsNice().map((t) => t.tid));
      const late = new Worker('setTimeout(() => {}, 60_000)', { eval: true });
      await new Promise((r) => late.once('online', r));
      const fresh = threadsNice().filter((t) => !known.has(t.tid));
      await late.terminate();
      assert.ok(fresh.length > 0, 'the new thread is listed');
      for (const t of fresh) assert.ok(t.nice >= lowered, `thread ${t.tid} started after runs at ${t.nice}, not above the main thread's ${lowered}`);

      // Alarms are still ACKed.
      assert.equal(await sendUntilAcked(alarms.receiver.tcpPort!, signalFrame({ id: 'SIA-DCS', seq: 1, account: 'E100', data: 'NBA1', now: Date.now() })), 1);

      // A restart: the new thread is started by the lowered main thread and asks for the node's priority back (allowed or not here).
      alarms.crashReceiverForTests();
      await until(() => {
        const now = alarms.receiverThreads();
        return now !== null && now.receiver !== threads.receiver;
      }, 'the receiver thread started again');
      const again = alarms.receiverThreads()!;
      assert.equal(
        threadNice(again.receiver!),
        raisable ? base : lowered,
        raisable ? 'restarted at the node priority' : 'refused: it keeps the main thread priority (reported)',
      );
      assert.equal(threadNice(again.journalWriter!), threadNice(again.receiver!), 'its journal writer follows it');
      assert.equal(threadNice(again.udpListener!), Math.min(19, threadNice(again.receiver!)! + 3), 'its UDP listener VIGIL_DC09_UDP_NICE below it');
      assert.equal(threadNice(main), lowered, 'the main thread is lowered once, not again');
      assert.equal(await sendUntilAcked(alarms.receiver.tcpPort!, signalFrame({ id: 'SIA-DCS', seq: 2, account: 'E100', data: 'NBA2', now: Date.now() })), 1);
    } finally {
      await vigil.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (before === undefined) delete process.env.VIGIL_MAIN_NICE;
      else process.env.VIGIL_MAIN_NICE = before;
      if (udpBefore === undefined) delete process.env.VIGIL_DC09_UDP_NICE;
      else process.env.VIGIL_DC09_UDP_NICE = udpBefore;
    }
  },
);

/** Whether this process may take real-time priority `priority`: CAP_SYS_NICE (bit 23 of CapEff) or an RLIMIT_RTPRIO that allows it. */
function mayRealtime(priority: number): boolean {
  const status = readFileSync('/proc/self/status', 'utf8');
  const capEff = BigInt(`0x${/CapEff:\s+([0-9a-f]+)/.exec(status)![1]}`);
  const rtprio = /Max realtime priority\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'))![1]!;
  return (capEff & (1n << 23n)) !== 0n || rtprio === 'unlimited' || Number(rtprio) >= priority;
}

test(
  'VIGIL_DC09_RECEIVER_RT_PRIORITY: the receiver thread and its journal writer run SCHED_FIFO when the node may, again after a restart; nothing else does',
  { skip: !existsSync('/proc/self/task') },
  async () => {
    const before = process.env.VIGIL_DC09_RECEIVER_RT_PRIORITY;
    process.env.VIGIL_DC09_RECEIVER_RT_PRIORITY = '12';
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rx-realtime-'));
    const vigil = await startReceiverNode(dataDir, { mode: 'thread', testHooks: true });
    try {
      const { alarms } = vigil.capabilities;
      const expectRealtime = (what: string) => {
        const threads = alarms.receiverThreads()!;
        if (!mayRealtime(12)) {
          assert.equal(threads.realtime, null, `${what}: without the privilege nothing is claimed`);
          assert.equal(threadScheduling(threads.receiver!)?.policy, 'other');
          return threads;
        }
        assert.equal(threads.realtime, 12, what);
        assert.deepEqual(threadScheduling(threads.receiver!), { policy: 'fifo', rtPriority: 12 }, `${what}: the receiver thread`);
        assert.deepEqual(threadScheduling(threads.journalWriter!), { policy: 'fifo', rtPriority: 12 }, `${what}: its journal writer`);
        // The UDP listener reads what anyone sends: it stays below the receiver, not real-time.
        assert.equal(threadScheduling(threads.udpListener!)?.policy, 'other', `${what}: the UDP listener is not real-time`);
        return threads;
      };
      const first = expectRealtime('at start');
      for (const t of threadsNice())
        if (t.tid !== first.receiver && t.tid !== first.journalWriter)
          assert.equal(threadScheduling(t.tid)?.policy, 'other', `thread ${t.tid} is not real-time: only the ACK path is`);
      if (mayRealtime(12))
        assert.deepEqual(
          alarms.receiverHealth()?.scheduling,
          { realtime: 12, asked: 12, nice: first.nice, notRealtime: null, detail: null },
          '/api/health says how the ACK path runs',
        );
      else assert.equal(alarms.receiverHealth()?.scheduling.notRealtime, 'refused');
      assert.equal(await sendUntilAcked(alarms.receiver.tcpPort!, signalFrame({ id: 'SIA-DCS', seq: 1, account: 'E100', data: 'NBA1', now: Date.now() })), 1);

      alarms.crashReceiverForTests();
      await until(() => {
        const now = alarms.receiverThreads();
        return now !== null && now.receiver !== first.receiver && now.realtime === first.realtime;
      }, 'the receiver thread started again');
      expectRealtime('after a restart');
      assert.equal(await sendUntilAcked(alarms.receiver.tcpPort!, signalFrame({ id: 'SIA-DCS', seq: 2, account: 'E100', data: 'NBA2', now: Date.now() })), 1);
    } finally {
      await vigil.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (before === undefined) delete process.env.VIGIL_DC09_RECEIVER_RT_PRIORITY;
      else process.env.VIGIL_DC09_RECEIVER_RT_PRIORITY = before;
    }
  },
);

test(
  'VIGIL_DC09_RECEIVER_RT_PRIORITY refused (no CAP_SYS_NICE, RLIMIT_RTPRIO 0): the ACK path keeps its niceness, /api/health says why, and alarms are ACKed',
  { skip: !existsSync('/proc/self/task') || !existsSync('/usr/bin/prlimit') },
  async () => {
    // As root the bounding set loses CAP_SYS_NICE (setpriv), so the child and the chrt it starts cannot take it.
    const drop = process.getuid?.() === 0 ? ['/usr/bin/setpriv', '--bounding-set=-sys_nice', '--inh-caps=-sys_nice'] : [];
    const { stdout } = await promisify(execFile)(
      '/usr/bin/prlimit',
      ['--rtprio=0', ...drop, process.execPath, '--import', 'tsx', join(import.meta.dirname, '../support/receiver-scheduling-child.ts')],
      { env: { ...process.env, VIGIL_DC09_RECEIVER_RT_PRIORITY: '10' }, timeout: 60_000 },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      receiver: { policy: string };
      journalWriter: { policy: string };
      realtime: number | null;
      health: { status: string; scheduling: { realtime: number | null; asked: number; notRealtime: string; detail: string } };
      acked: number;
    };
    assert.equal(out.receiver.policy, 'other');
    assert.equal(out.journalWriter.policy, 'other');
    assert.equal(out.realtime, null);
    assert.equal(out.health.status, 'ok', 'not having real-time priority is not a fault');
    assert.equal(out.health.scheduling.realtime, null);
    assert.equal(out.health.scheduling.asked, 10);
    assert.equal(out.health.scheduling.notRealtime, 'refused');
    assert.match(out.health.scheduling.detail, /not permitted/i, 'the system says why');
    assert.equal(out.acked, 1);
  },
);
