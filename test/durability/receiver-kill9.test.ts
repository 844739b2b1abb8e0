import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectPanels, mixKind } from '../../bench/marc-load-worker.js';
import { SqliteEventLog } from '../../src/adapters/stores/sqlite/sqlite-event-log.js';
import { verifyChain } from '../../src/platform/chain-verifier.js';
import { startReceiverNode, storedAlarms } from '../support/receiver-node.js';

/**
 * The node started again on the killed node's data, its receiver on its own thread: the
 * journal's records not yet in the log are recorded at start-up. Started twice, so the
 * second start finds them all in the log already (the watermark) and records none again.
 */
async function restartAndSettle(dataDir: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const vigil = await startReceiverNode(dataDir, { mode: 'thread' });
    await vigil.capabilities.alarms.receiverSettled();
    await vigil.close();
  }
}

/** Connections of the load (bench:marc's mix has as many). */
const PANELS = 1000;

/**
 * Nothing acknowledged is lost, end to end: panels send alarms to a receiver node
 * over TCP; the node is killed with SIGKILL mid-load; every signal that got an ACK
 * must be in the store when it is reopened. 1 000 panels at full rate, 9 polls to 1
 * alarm (bench:marc's mix), so commits are group commits of many frames
 * (several queued groups in one transaction) when the kill comes. On its own thread the
 * receiver ACKs once the frame is in its journal; the node started again records the
 * journal's rest, and no alarm is in the log twice.
 */
for (const mode of ['thread', 'main'] as const)
  test(`[${mode}] receiver: kill -9 mid-load loses no ACKed signal, and records each once`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rxkill-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'receiver-worker.ts'), dataDir, mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`receiver exited early (${code})`)));
        child.stdout.on('data', (d: Buffer) => {
          const m = /port (\d+)/.exec(d.toString());
          if (m) resolve(Number(m[1]));
        });
      });
      // The load of bench:marc's mix (its panels, bench/marc-load.ts: frames from a template, each
      // connection waiting for its reply): 1 000 connections, 9 polls to 1 alarm, as fast as the
      // node answers — the rate the node sustains is the rate it is killed at.
      const acked = new Set<string>();
      let polls = 0;
      let stop = false;
      const panels = await connectPanels(port, 0, PANELS);
      const started = performance.now();
      const load = panels.map(async (panel, i) => {
        for (let n = 0, zone = 1; !stop; n++) {
          const kind = mixKind(i, n);
          const reply = await panel.send(kind, zone);
          if (!reply.ack) break; // the receiver died: this panel's last frame was not acknowledged
          if (kind === 'poll') polls++;
          else acked.add(`${panel.account}:${zone++}`);
        }
        panel.close();
      });
      while (acked.size < 6000) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGKILL');
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `killed after ${acked.size} ACKed alarms and ${polls} polls in ${seconds.toFixed(1)} s (${Math.round((acked.size + polls) / seconds)} frames/s over ${PANELS} connections)`,
      );
      await new Promise((r) => child.once('exit', r));
      stop = true;
      await Promise.all(load);

      // On its own thread, the receiver ACKs once the frame is in its journal: the next start records it in the log.
      if (mode === 'thread') {
        const before = new SqliteEventLog(join(dataDir, 'vigil.sqlite'));
        const inLog = (await storedAlarms(before).finally(() => before.close())).perAlarm;
        console.log(`${[...acked].filter((k) => !inLog.has(k)).length} ACKed alarms were in the journal only when the node was killed`);
        await restartAndSettle(dataDir);
      }
      const log = new SqliteEventLog(join(dataDir, 'vigil.sqlite'));
      try {
        const stored = (await storedAlarms(log)).perAlarm;
        const lost = [...acked].filter((k) => !stored.has(k));
        assert.equal(lost.length, 0, `ACKed but lost: ${lost.slice(0, 5).join(', ')} (of ${acked.size} ACKed)`);
        const twice = [...stored].filter(([, n]) => n > 1);
        assert.equal(twice.length, 0, `recorded more than once: ${twice.slice(0, 5).join(', ')}`);
        assert.equal((await verifyChain(log)).ok, true);
      } finally {
        await log.close();
      }
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
