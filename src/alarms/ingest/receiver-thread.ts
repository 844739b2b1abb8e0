// The DC-09 receiver's own thread (started by receiver-thread-host.ts through
// receiver-thread-entry.mjs): the TCP and UDP listeners, framing, CRC, decryption,
// parsing, per-source limits, backpressure, the replay window, the account checks and
// every reply. An alarm frame is appended to the receiver journal and ACKed once its
// group commit is on disk; the main thread records it in the event log after. Nothing
// here waits for the main thread, so a panel's ACK never queues behind its work.
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Dc09Server, type Dc09DropReason, type Dc09ServerOptions } from '../../adapters/protocols/dc09/dc09-server.js';
import type { RawFrame } from '../../adapters/protocols/dc09/dc09-framer.js';
import { nakFrame } from '../../adapters/protocols/dc09/dc09-reply.js';
import { crc32 } from 'node:zlib';
import { clockFromShared, systemClock, type Clock } from '../../kernel/time.js';
import type { JournalledFrame } from './dc09-ingest.js';
import { Dc09FrameCheck, ackOutcome, quarantineNote, type Dc09RefusalNote } from './dc09-frame-check.js';
import type { Dc09AccountKeys } from './dc09-keys.js';
import { ReceiverJournal } from './receiver-journal.js';
import { currentThreadId } from '../../platform/thread-priority.js';

export interface ReceiverThreadInput {
  server: Omit<Dc09ServerOptions, 'onFrame' | 'onDiscarded' | 'onDropped' | 'onQuarantined' | 'onError' | 'now' | 'udpThread'>;
  /** Niceness of the UDP listener's own thread below this one (VIGIL_DC09_UDP_NICE). */
  udpNice?: number;
  journalDir: string;
  /** The log's watermark of the journal: records at or below it are recorded already. */
  appliedSeq: number;
  accounts: Dc09AccountKeys[];
  /** A test's clock in shared memory, or null: the system clock. */
  clock: SharedArrayBuffer | null;
  /** How often heard paths, counts and refusals go to the main thread. */
  tickMs: number;
  segmentBytes?: number;
  /** Niceness asked for this thread, relative to the node's (VIGIL_DC09_RECEIVER_NICE; 0: none). */
  nice?: number;
  /**
   * The node's niceness before its main thread lowered its own (VIGIL_MAIN_NICE): this thread runs at it
   * (plus `nice`). A thread restarted after the main thread was lowered starts at the lowered niceness and
   * asks for this one back, which needs CAP_SYS_NICE; refused, it is reported.
   */
  baseNice?: number;
  /** Tests only (VIGIL_DC09_TEST_HOOKS=1): a `crash` message makes this thread throw, `fail-writes` fails the journal's commits. */
  testHooks?: boolean;
}

/** What the main thread sends. */
export type ToReceiverThread =
  | { type: 'accounts'; accounts: Dc09AccountKeys[] }
  | { type: 'applied'; seq: number }
  | { type: 'flush'; n: number }
  | { type: 'stop' }
  | { type: 'crash' }
  | { type: 'fail-writes'; on: boolean };

/** Everything this thread reports besides journalled frames, sent every tick. */
export interface ReceiverTick {
  type: 'tick';
  /** path, time, path, time… */
  heard: (string | number)[];
  frames: [string, number][];
  quirks: [string, number][];
  discarded: number;
  dropped: [string, number][];
  refusals: Dc09RefusalNote[];
  /** Refusals beyond the per-tick bound: counted, not logged one by one. */
  refusalsNotNoted: number;
  /** Each ACK written since the last tick: ms from its frame's bytes read to the ACK written (the first ACK_TIMES_PER_TICK). */
  ackMs: number[];
}

export type FromReceiverThread =
  | {
      type: 'listening';
      tcpPort: number | null;
      udpPort: number | null;
      /** This thread's, its journal writer's and its UDP listener's ids (Linux; null without /proc), and their niceness then. */
      threads: { receiver: number | null; journalWriter: number | null; nice: number; udpListener: number | null; udpNice: number | null };
    }
  | { type: 'frames'; frames: JournalledFrame[] }
  /** Frames journalled in one turn: their sequences, and their records as one JSON array (the journal's own text, cloned as one string). */
  | { type: 'journalled'; journal: number[]; json: string }
  | ReceiverTick
  | { type: 'flushed'; n: number }
  /** The journal cannot make frames durable (`failure`: why; alarm frames are NAKed meanwhile), or can again (null). */
  | { type: 'journal'; failure: string | null }
  | { type: 'error'; message: string; fatal: boolean }
  | { type: 'stopped' };

/** Refusals sent one by one to the main thread per tick (a flood of junk costs counters, not log lines). */
const REFUSALS_PER_TICK = 100;
/** ACK times sent per tick at most (1 000 000 ACKs a second at 50 ms ticks); beyond, they are not timed. */
const ACK_TIMES_PER_TICK = 50_000;
/**
 * Journalled frames the main thread may have yet to record: above this, new alarm frames
 * wait (and with them their connections, through the server's backpressure) until it
 * catches up to half — so the log and the operators' screens are never far behind the ACKs.
 */
export const MAX_UNRECORDED = 20_000;

/** A journal that failed a commit is repaired after 100 ms, doubling to 5 s while it keeps failing. */
const REPAIR_FIRST_MS = 100;
const REPAIR_MAX_MS = 5_000;

const add = (m: Map<string, number>, key: string, n = 1): void => void m.set(key, (m.get(key) ?? 0) + n);

/** The frame handling of the receiver thread: check, journal, reply. */
export class ReceiverThreadIngest {
  readonly accounts = new Map<string, Dc09AccountKeys>();
  readonly check: Dc09FrameCheck;
  private heard: (string | number)[] = [];
  private frames = new Map<string, number>();
  private quirks = new Map<string, number>();
  private discarded = 0;
  private dropped = new Map<string, number>();
  private refusals: Dc09RefusalNote[] = [];
  private refusalsNotNoted = 0;
  private ackMs: number[] = [];
  /** Frames made durable in this turn (journal sequence, record's JSON), posted together. */
  private durable: [number, string][] = [];
  private postScheduled = false;
  /** The highest journal record the main thread recorded in the log. */
  private applied = 0;
  private waitingForMain: (() => void)[] = [];
  /** While the journal cannot make frames durable: the repair's timer (alarm frames are NAKed meanwhile). */
  private repairing: NodeJS.Timeout | null = null;
  private repairMs = REPAIR_FIRST_MS;

  constructor(
    private readonly clock: Clock,
    private readonly journal: ReceiverJournal<JournalledFrame>,
    private readonly port: MessagePort,
  ) {
    this.check = new Dc09FrameCheck(clock.now(), (account) => this.accounts.get(account));
  }

  /** The main thread recorded every record up to `seq`: frames held for it go on. */
  markApplied(seq: number): void {
    if (seq > this.applied) this.applied = seq;
    if (this.journal.nextSeq - 1 - this.applied <= MAX_UNRECORDED / 2) for (const go of this.waitingForMain.splice(0)) go();
  }

  setAccounts(accounts: readonly Dc09AccountKeys[]): void {
    for (const a of accounts) this.accounts.set(a.account, a);
  }

  /** One frame in, its reply out: an alarm's ACK once its journal record is durable, a poll's at once. */
  handle(frame: RawFrame, remote: string): Buffer | Promise<Buffer> {
    const now = this.clock.now();
    const checked = this.check.check(frame, remote, now);
    if (!checked.ok) {
      add(this.frames, checked.note.outcome);
      if (this.refusals.length < REFUSALS_PER_TICK || checked.note.substitution) this.refusals.push(checked.note);
      else this.refusalsNotNoted++;
      return checked.reply;
    }
    if (checked.duplicate) return this.duplicate(checked.message, checked.duplicate.settled, now);
    const { message: m, reserved } = checked;
    if (m.events.length === 0) {
      if (m.account) this.heard.push(m.account, now);
      return this.accepted(m, reserved, now);
    }
    // Nothing can be made durable: NAK at once (the panel sends again, or over its backup path) rather than silence.
    if (this.journal.failure) return this.notDurable(reserved, now);
    const record: JournalledFrame = {
      journal: 0,
      at: now,
      message: {
        account: m.account,
        dataAccount: m.dataAccount ?? null,
        events: m.events,
        xdata: m.xdata,
        quirks: m.quirks,
        timestamp: m.timestamp ? m.timestamp.getTime() : null,
      },
      // What the replay window remembers of it, rebuilt from the journal after a restart.
      ...(reserved !== null ? { replay: { seq: m.seq, crc: crc32(frame.body) } } : {}),
    };
    // One JSON text per record: the journal's bytes and, once durable, what the main thread gets.
    const json = JSON.stringify(record);
    const append = (): Promise<number> => this.journal.append(record, json);
    const appended = this.journal.nextSeq - 1 - this.applied < MAX_UNRECORDED ? append() : new Promise<void>((go) => this.waitingForMain.push(go)).then(append);
    return appended.then(
      (seq) => {
        this.post(seq, json);
        return this.accepted(m, reserved, now);
      },
      (error: unknown) => {
        this.journalFailed(error);
        return this.notDurable(reserved, now); // the panel sends again
      },
    );
  }

  /** An alarm frame that could not be made durable: released from the replay window and NAKed. */
  private notDurable(reserved: string | null, now: number): Buffer {
    this.check.release(reserved);
    add(this.frames, 'nak-not-durable');
    return nakFrame(now);
  }

  /** A commit failed: reported once, and the journal repaired with back-off until a repair succeeds. */
  private journalFailed(error: unknown): void {
    if (this.repairing) return;
    const reason = `the receiver journal cannot make frames durable: ${error instanceof Error ? error.message : String(error)}`;
    this.port.postMessage({ type: 'journal', failure: reason } satisfies FromReceiverThread);
    const attempt = (): void => {
      this.repairing = setTimeout(() => {
        this.journal.repair().then(
          () => {
            this.repairing = null;
            this.repairMs = REPAIR_FIRST_MS;
            this.port.postMessage({ type: 'journal', failure: null } satisfies FromReceiverThread);
          },
          () => {
            this.repairMs = Math.min(this.repairMs * 2, REPAIR_MAX_MS);
            attempt();
          },
        );
      }, this.repairMs);
    };
    attempt();
  }

  /** Stops repairing (the thread is stopping). */
  stopRepairs(): void {
    if (this.repairing) clearTimeout(this.repairing);
    this.repairing = null;
  }

  /** A frame sent again because its ACK was lost: ACKed again once its first copy is durable, journalled no second time. */
  private duplicate(m: Parameters<Dc09FrameCheck['ack']>[0], settled: Promise<boolean> | null, now: number): Buffer | Promise<Buffer> {
    const answer = (): Buffer => {
      if (m.account) this.heard.push(m.account, now);
      add(this.frames, 'ack-duplicate');
      return this.check.ackDuplicate(m, now);
    };
    if (!settled) return answer();
    // Its first copy not made durable: a NAK for this copy too (the panel sends it again).
    return settled.then((durable) => (durable ? answer() : this.notDurable(null, now)));
  }

  private accepted(m: Parameters<Dc09FrameCheck['ack']>[0], reserved: string | null, now: number): Buffer {
    for (const q of m.quirks) add(this.quirks, q);
    add(this.frames, ackOutcome(m));
    return this.check.ack(m, reserved, now);
  }

  /**
   * Durable frames go to the main thread in journal order, those of one turn in one message:
   * their records' JSON joined into one array text, which costs one string copy to post
   * (a structured clone of the records cost more than the JSON.parse the main thread does).
   */
  private post(seq: number, json: string): void {
    this.durable.push([seq, json]);
    if (this.postScheduled) return;
    this.postScheduled = true;
    setImmediate(() => {
      this.postScheduled = false;
      const frames = this.durable;
      this.durable = [];
      frames.sort((a, b) => a[0] - b[0]);
      const journal = frames.map((f) => f[0]);
      this.port.postMessage({ type: 'journalled', journal, json: `[${frames.map((f) => f[1]).join(',')}]` } satisfies FromReceiverThread);
    });
  }

  onDiscarded(bytes: number): void {
    this.discarded += bytes;
  }

  onDropped(reason: Dc09DropReason, n = 1): void {
    add(this.dropped, reason, n);
  }

  onAcked(ms: number): void {
    if (this.ackMs.length < ACK_TIMES_PER_TICK) this.ackMs.push(ms);
  }

  /** A source address quarantined: one note for the security desk (never dropped by the per-tick bound). */
  onQuarantined(address: string, until: number): void {
    this.refusals.push(quarantineNote(address, until, this.clock.now()));
  }

  /** Sends what gathered since the last tick (nothing when nothing did). */
  tick(): void {
    if (
      this.heard.length === 0 &&
      this.frames.size === 0 &&
      this.discarded === 0 &&
      this.dropped.size === 0 &&
      this.refusals.length === 0 &&
      this.ackMs.length === 0
    )
      return;
    const message: ReceiverTick = {
      type: 'tick',
      heard: this.heard,
      frames: [...this.frames],
      quirks: [...this.quirks],
      discarded: this.discarded,
      dropped: [...this.dropped],
      refusals: this.refusals,
      refusalsNotNoted: this.refusalsNotNoted,
      ackMs: this.ackMs,
    };
    this.heard = [];
    this.frames = new Map();
    this.quirks = new Map();
    this.discarded = 0;
    this.dropped = new Map();
    this.refusals = [];
    this.refusalsNotNoted = 0;
    this.ackMs = [];
    this.port.postMessage(message);
  }
}

async function main(port: MessagePort, input: ReceiverThreadInput): Promise<void> {
  const wanted = Math.max(-20, (input.baseNice ?? getPriority()) + (input.nice ?? 0));
  if (getPriority() !== wanted) {
    // On Linux niceness is per thread: only this one changes (and the journal writer it starts next inherits it).
    try {
      setPriority(wanted);
    } catch (error) {
      port.postMessage({
        type: 'error',
        message: `the receiver thread could not take niceness ${wanted} (VIGIL_DC09_RECEIVER_NICE=${input.nice ?? 0}; after a restart, the node's before VIGIL_MAIN_NICE), it runs at ${getPriority()}: raising it needs CAP_SYS_NICE or LimitNICE: ${error instanceof Error ? error.message : String(error)}`,
        fatal: false,
      } satisfies FromReceiverThread);
    }
  }
  const clock = input.clock ? clockFromShared(input.clock) : systemClock;
  const started = clock.now();
  const windowPastMs = new Dc09FrameCheck(started, () => undefined).replays.windowPastMs;
  // Records whose frame is still inside the replay window are kept (recorded or not) until it leaves:
  // the window's memory is rebuilt from them at every start inside it, not only the first.
  const keepUntil = (r: JournalledFrame): number => (r.replay !== undefined && r.message.timestamp !== null ? r.message.timestamp + windowPastMs + 1000 : 0);
  const inWindow = (r: JournalledFrame): boolean => r.replay !== undefined && r.message.timestamp !== null && r.message.timestamp + windowPastMs > started;
  const { journal, pending, recent } = await ReceiverJournal.open<JournalledFrame>(input.journalDir, input.appliedSeq, {
    segmentBytes: input.segmentBytes,
    keepUntil,
    now: () => clock.now(),
  });
  // Records durable before a crash and not yet in the log: recorded first, in order, before any new one.
  if (pending.length > 0) port.postMessage({ type: 'frames', frames: pending.map((r) => ({ ...r.body, journal: r.seq })) } satisfies FromReceiverThread);
  const ingest = new ReceiverThreadIngest(clock, journal, port);
  // A panel resending a frame journalled before the restart (its ACK lost) gets it ACKed as a duplicate, not refused as before-start.
  for (const r of [...recent, ...pending])
    if (inWindow(r.body)) ingest.check.replays.remember(r.body.message.account!, r.body.replay!.seq, r.body.message.timestamp!, r.body.replay!.crc, started);
  ingest.setAccounts(input.accounts);
  ingest.markApplied(input.appliedSeq);
  const fail = (error: unknown, fatal: boolean): void =>
    port.postMessage({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error), fatal } satisfies FromReceiverThread);
  const server = new Dc09Server({
    ...input.server,
    onFrame: (frame, remote) => ingest.handle(frame, remote),
    onDiscarded: (bytes) => ingest.onDiscarded(bytes),
    onDropped: (reason, _remote, n) => ingest.onDropped(reason, n),
    onQuarantined: (address, until) => ingest.onQuarantined(address, until),
    onAcked: (ms) => ingest.onAcked(ms),
    onError: (error) => fail(error, false),
    now: () => clock.now(),
    // UDP on a thread of its own below this one: a flood of datagrams is read and refused there.
    udpThread: { nice: input.udpNice ?? 5, clock: input.clock },
  });
  const timer = setInterval(() => ingest.tick(), input.tickMs);
  port.on('message', (message: ToReceiverThread) => {
    switch (message.type) {
      case 'accounts':
        ingest.setAccounts(message.accounts);
        break;
      case 'applied':
        ingest.markApplied(message.seq);
        journal.markApplied(message.seq).catch((error: unknown) => fail(error, false));
        break;
      case 'flush':
        ingest.tick();
        // After the frames of this turn are posted: the main thread then has everything answered so far.
        setImmediate(() => setImmediate(() => port.postMessage({ type: 'flushed', n: message.n } satisfies FromReceiverThread)));
        break;
      case 'crash':
        // Tests only: an uncaught error, as a bug would throw (the host starts the thread again).
        if (input.testHooks)
          setImmediate(() => {
            throw new Error('DC-09 receiver thread crashed on purpose (test hook)');
          });
        break;
      case 'fail-writes':
        // Tests only: the journal's commits fail (as a full or failing disk would) until turned off.
        if (input.testHooks) journal.injectFailureForTests(message.on ? new Error('ENOSPC: no space left on device (test hook)') : null);
        break;
      case 'stop':
        clearInterval(timer);
        ingest.stopRepairs();
        void server
          .stop()
          .then(() => journal.close())
          .then(() => {
            ingest.tick();
            port.postMessage({ type: 'stopped' } satisfies FromReceiverThread);
            port.close();
          });
        break;
    }
  });
  const ports = await server.start();
  // The journal writer says its id as it starts: it has by now, or does in a moment.
  for (let i = 0; i < 100 && journal.writerThreadId === null && currentThreadId() !== null; i++) await new Promise((r) => setTimeout(r, 10));
  const threads = {
    receiver: currentThreadId(),
    journalWriter: journal.writerThreadId,
    nice: getPriority(),
    udpListener: server.udpThreadInfo?.tid ?? null,
    udpNice: server.udpThreadInfo?.nice ?? null,
  };
  port.postMessage({ type: 'listening', ...ports, threads } satisfies FromReceiverThread);
}

if (parentPort && (workerData as { role?: string } | null)?.role === 'vigil-dc09-receiver') {
  const port = parentPort as unknown as MessagePort;
  main(port, (workerData as { input: ReceiverThreadInput }).input).catch((error: unknown) => {
    port.postMessage({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      fatal: true,
    } satisfies FromReceiverThread);
  });
}
