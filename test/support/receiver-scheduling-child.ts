// A node in a child process for test/durability/receiver-priority.test.ts: started with whatever
// privileges the test gave the process (prlimit, setpriv), it prints one JSON line — the ACK path's
// threads' scheduling as /proc shows it, the receiver's part of /api/health, and whether a frame was
// ACKed — then stops.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { threadScheduling } from '../../src/platform/thread-priority.js';
import { sendUntilAcked } from './dc09-panel.js';
import { startReceiverNode } from './receiver-node.js';

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rx-scheduling-'));
const vigil = await startReceiverNode(dataDir, { mode: 'thread' });
try {
  const threads = vigil.capabilities.alarms.receiverThreads()!;
  const health = (await (await fetch(`${vigil.url}/api/health`)).json()) as { receiver?: unknown };
  const acked = await sendUntilAcked(
    vigil.capabilities.alarms.receiver.tcpPort!,
    signalFrame({ id: 'SIA-DCS', seq: 1, account: 'E100', data: 'NBA1', now: Date.now() }),
  );
  process.stdout.write(
    `${JSON.stringify({
      receiver: threadScheduling(threads.receiver!),
      journalWriter: threadScheduling(threads.journalWriter!),
      realtime: threads.realtime,
      health: health.receiver,
      acked,
    })}\n`,
  );
} finally {
  await vigil.close();
  rmSync(dataDir, { recursive: true, force: true });
}
