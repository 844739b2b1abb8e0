import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { currentThreadId, threadNice, threadsNice } from '../../src/platform/thread-priority.js';
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
