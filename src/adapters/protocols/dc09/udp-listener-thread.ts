// The DC-09 UDP listener's own thread (started by dc09-server.ts when `udpThread` is set): it reads
// every datagram, drops those of a quarantined source address, over the per-source rate or beyond the
// queue — counted, never parsed — and hands only the admitted ones to the thread that frames, checks
// and answers them (the receiver thread, which answers TCP panels too). It runs at a lower priority
// than that thread, so a flood of datagrams costs this thread's CPU, not the TCP panels' ACKs: when it
// falls behind, the kernel drops datagrams from its socket's buffer, as it would for any UDP listener.
import { createSocket } from 'node:dgram';
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { SourceLimits, type SourceLimitOptions } from './source-limits.js';

/** Why a datagram was dropped here (the server's reasons for UDP). */
export type UdpDropReason = 'rate' | 'udp-queue' | 'quarantine';

export interface UdpListenerInput {
  host: string;
  port: number;
  limits: SourceLimitOptions | null;
  /** The niceness this thread takes (only ever lower than its parent's: no privilege needed). */
  nice: number;
  /** Datagrams handed on and not yet answered above which more are dropped. */
  queueLimit: number;
  /** A test's clock in shared memory (epoch ms in a Float64Array), or null: the system clock. */
  clock: SharedArrayBuffer | null;
  /** How often drop counts go to the parent. */
  tickMs: number;
}

/** What the parent sends: a reply to send, a handed-on datagram done with (and tokens its junk or refusal cost), a quarantine, stop. */
export type ToUdpListener =
  | { type: 'send'; reply: Uint8Array; address: string; port: number }
  | { type: 'done'; address: string; charge: number }
  | { type: 'quarantine'; address: string; until: number }
  | { type: 'stop' };

export type FromUdpListener =
  | { type: 'listening'; port: number; tid: number | null; nice: number }
  | { type: 'datagram'; msg: Uint8Array; address: string; port: number }
  | { type: 'dropped'; counts: [UdpDropReason, number][] }
  | { type: 'error'; message: string; fatal: boolean }
  | { type: 'stopped' };

function threadId(): number | null {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').at(-1));
  } catch {
    return null;
  }
}

async function main(port: MessagePort, input: UdpListenerInput): Promise<void> {
  if (input.nice > getPriority()) {
    try {
      // Linux: niceness is per thread; lowering one's own needs no privilege.
      setPriority(Math.min(19, input.nice));
    } catch {
      // Refused (not Linux, or a sandbox): it runs at its parent's priority.
    }
  }
  const cell = input.clock ? new Float64Array(input.clock) : null;
  const now = cell ? () => cell[0]! : Date.now;
  const limits = input.limits ? new SourceLimits(input.limits, now) : null;
  const counts = new Map<UdpDropReason, number>();
  const drop = (reason: UdpDropReason): void => void counts.set(reason, (counts.get(reason) ?? 0) + 1);
  let handedOn = 0;
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(input.port, input.host, () => resolve());
  });
  socket.on('error', (e) => port.postMessage({ type: 'error', message: e.message, fatal: false } satisfies FromUdpListener));
  socket.on('message', (msg, rinfo) => {
    const address = rinfo.address;
    if (limits?.quarantined(address)) return drop('quarantine');
    if (handedOn >= input.queueLimit) return drop('udp-queue');
    if (limits && !limits.allowFrame(address)) return drop('rate');
    handedOn++;
    port.postMessage({ type: 'datagram', msg, address, port: rinfo.port } satisfies FromUdpListener);
  });
  const timer = setInterval(() => {
    if (counts.size === 0) return;
    port.postMessage({ type: 'dropped', counts: [...counts] } satisfies FromUdpListener);
    counts.clear();
  }, input.tickMs);
  port.on('message', (m: ToUdpListener) => {
    switch (m.type) {
      case 'send':
        socket.send(m.reply, m.port, m.address);
        break;
      case 'done':
        handedOn--;
        if (limits && m.charge > 0) limits.charge(m.address, m.charge);
        break;
      case 'quarantine':
        limits?.quarantine(m.address, m.until);
        break;
      case 'stop':
        clearInterval(timer);
        socket.close(() => {
          if (counts.size > 0) port.postMessage({ type: 'dropped', counts: [...counts] } satisfies FromUdpListener);
          port.postMessage({ type: 'stopped' } satisfies FromUdpListener);
          port.close();
        });
        break;
    }
  });
  port.postMessage({ type: 'listening', port: socket.address().port, tid: threadId(), nice: getPriority() } satisfies FromUdpListener);
}

if (parentPort && (workerData as { role?: string } | null)?.role === 'vigil-dc09-udp') {
  const port = parentPort as unknown as MessagePort;
  main(port, (workerData as { input: UdpListenerInput }).input).catch((error: unknown) => {
    port.postMessage({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      fatal: true,
    } satisfies FromUdpListener);
  });
}
