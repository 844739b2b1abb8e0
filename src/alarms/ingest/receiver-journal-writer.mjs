// The receiver journal's writer thread (receiver-journal.ts): each message is one group
// commit — a writev of the group's records to the segment's file descriptor, then an
// fdatasync — answered once both returned. It does nothing else, so a commit never queues
// behind other work: not behind libuv's process-wide thread pool (zlib, crypto, the HTTP
// side's file I/O), nor behind the receiver thread's parsing, which goes on meanwhile.
import { fdatasyncSync, readlinkSync, writevSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

// First this thread's id (Linux: /proc/thread-self; null elsewhere), so the node can tell its priority.
let tid = null;
try {
  tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
} catch {
  // No /proc: nothing to tell.
}
parentPort.postMessage({ tid });

parentPort.on('message', ({ id, fd, buffers, position }) => {
  try {
    // At the segment's durable length: after a failed commit was cut off (repair), the next one writes where it began.
    const written = writevSync(fd, buffers, position);
    fdatasyncSync(fd);
    parentPort.postMessage({ id, written });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
