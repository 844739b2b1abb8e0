import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { isSharedClock } from '../../kernel/time.js';
import { tuning } from '../../kernel/tuning.js';
import { nodeBaseNice, raiseToRealtime } from '../../platform/thread-priority.js';
import type { AppContext } from '../../platform/app-context.js';
import type { AlarmsState } from '../alarms-state.js';
import type { AccountConfig } from '../model.js';
import type { Dc09Ingest, JournalledFrame } from './dc09-ingest.js';
import type { Dc09AccountKeys } from './dc09-keys.js';
import type { ReceiverCounters } from './receiver-counters.js';
import type { FromReceiverThread, ReceiverThreadInput, ReceiverTick, ToReceiverThread } from './receiver-thread.js';

const ENTRY = new URL('./receiver-thread-entry.mjs', import.meta.url);
const MODULE = new URL('./receiver-thread.ts', import.meta.url);
/** Frames recorded in one commit at most (a backlog after a restart goes in several). */
const BATCH = 2_000;
const RETRY_MS = 1_000;
/** A dead receiver thread is started again after 100 ms, doubling to 5 s while it keeps failing. */
const RESTART_FIRST_MS = 100;
const RESTART_MAX_MS = 5_000;
/** A backlog above VIGIL_DC09_BACKLOG_ALARM_FRAMES for longer than this raises the receiver's technical alarm. */
export const BACKLOG_ALARM_MS = 5_000;
const SUPERVISE_MS = 250;

/** What keeps the receiver from doing its job: its thread is down, its journal cannot write, or the log lags behind the ACKs. */
type FaultKind = 'thread' | 'journal' | 'backlog';

/** The receiver thread's state for /api/health and the metrics. */
export interface ReceiverThreadHealth {
  status: 'ok' | 'degraded';
  /** Why it is degraded (the thread's error or exit, the journal's failure, the backlog), null when ok. */
  reason: string | null;
  /** Frames journalled (so ACKed) that the main thread has yet to record in the log. */
  unrecorded: number;
  /** How many times the thread was started again since the node started. */
  restarts: number;
  /** How the ACK path (the receiver thread and its journal writer) is scheduled. */
  scheduling: AckPathScheduling;
}

/** The receiver's threads (Linux; null without /proc), their niceness when they started, and the ACK path's real-time priority. */
export interface ReceiverThreadIds {
  receiver: number | null;
  journalWriter: number | null;
  nice: number;
  udpListener: number | null;
  udpNice: number | null;
  /** SCHED_FIFO priority of the receiver thread and its journal writer, null: they run at `nice`. */
  realtime: number | null;
}

/** The ACK path's scheduling (VIGIL_DC09_RECEIVER_RT_PRIORITY), for /api/health and the administration screen. */
export interface AckPathScheduling {
  /** The SCHED_FIFO priority it runs at; null: the normal scheduler, at `nice`. */
  realtime: number | null;
  /** The real-time priority asked for (0: none). */
  asked: number;
  nice: number;
  /** Why it is not real-time: not asked for, refused (the privilege is missing), not possible here (no /proc, not Linux), being set; null when it is. */
  notRealtime: 'off' | 'refused' | 'unsupported' | 'starting' | null;
  /** The system's words for a refusal (chrt's error), else null. */
  detail: string | null;
}

const keysOnly = (a: AccountConfig): Dc09AccountKeys => ({
  account: a.account,
  key: a.key,
  keyFormat: a.keyFormat,
  clockOffsetMinutes: a.clockOffsetMinutes,
  ...(a.relayFor ? { relayFor: a.relayFor } : {}),
});

export interface ReceiverThreadDeps {
  ctx: AppContext;
  state: AlarmsState;
  dc09: Dc09Ingest;
  counters: ReceiverCounters;
  discarded: (bytes: number) => void;
  dropped: (reason: string, n?: number) => void;
  /** The thread died (reason) or is receiving again (null): recorded in the log for the operators. */
  fault?: (reason: string | null, downMs: number) => Promise<void>;
}

/**
 * The main thread's side of the DC-09 receiver thread (receiver-thread.ts): starts it
 * with the accounts' keys and the log's watermark of its journal, keeps its copy of the
 * accounts current, and records what it sends — journalled frames in journal order,
 * then heard paths, counts and refusals — one at a time, so the log sees one account's
 * frames in the order they were acknowledged. A commit that fails is tried again:
 * the frames are acknowledged already, and the journal keeps them until they are in.
 */
export class Dc09ReceiverThread {
  private worker: Worker | null = null;
  private inbox: (JournalledFrame[] | ReceiverTick)[] = [];
  private pumping = false;
  private idle: (() => void)[] = [];
  /** The highest journal record queued here: a restarted thread's backlog is not queued twice. */
  private queuedUpTo = 0;
  private flushes = 0;
  private readonly flushed = new Map<number, () => void>();
  private stopping = false;
  // Supervision: the listeners to bind again, whether the thread is down and since when, the next back-off and restarts so far.
  private server: ReceiverThreadInput['server'] | null = null;
  private readonly faultsNow = new Map<FaultKind, { reason: string; since: number }>();
  /** Since when the backlog is above its bound (null: it is not). */
  private backlogSince: number | null = null;
  private superviseTimer: NodeJS.Timeout | null = null;
  /** Tests only: the main thread records nothing while set (a log that lags behind). */
  private recordingPaused: (() => void)[] | null = null;
  /** VIGIL_DC09_TEST_HOOKS=1 when the node started. */
  readonly testHooks = process.env.VIGIL_DC09_TEST_HOOKS === '1';
  private restartMs = RESTART_FIRST_MS;
  private restartTimer: NodeJS.Timeout | null = null;
  private restarts = 0;
  /** The receiver thread's and its journal writer's ids and niceness when it started listening. */
  private threads: (FromReceiverThread & { type: 'listening' })['threads'] | null = null;
  /** Whether the running thread's ACK path got its real-time priority (VIGIL_DC09_RECEIVER_RT_PRIORITY). */
  private scheduling: Omit<AckPathScheduling, 'nice'> = { realtime: null, asked: 0, notRealtime: 'starting', detail: null };

  constructor(private readonly deps: ReceiverThreadDeps) {}

  async start(server: ReceiverThreadInput['server']): Promise<{ tcpPort: number | null; udpPort: number | null }> {
    this.queuedUpTo = this.deps.state.journalApplied;
    this.deps.state.onAccountConfigured = (a) => this.send({ type: 'accounts', accounts: [keysOnly(a)] });
    const ports = await this.spawn(server);
    this.superviseTimer = setInterval(() => this.superviseBacklog(), SUPERVISE_MS);
    this.superviseTimer.unref();
    // A restarted thread binds the ports this one got (an ephemeral port stays the panels' port).
    this.server = { ...server, tcpPort: ports.tcpPort ?? server.tcpPort, udpPort: ports.udpPort ?? server.udpPort };
    return ports;
  }

  /**
   * Starts the thread with the accounts' keys and the log's watermark: the journal's records
   * above it come back first (those queued here already are not queued twice, and the
   * watermark keeps any from being recorded twice).
   */
  private spawn(server: ReceiverThreadInput['server']): Promise<{ tcpPort: number | null; udpPort: number | null }> {
    const { ctx, state } = this.deps;
    const input: ReceiverThreadInput = {
      server,
      journalDir: join(ctx.config.dataDir, 'dc09-journal'),
      appliedSeq: state.journalApplied,
      accounts: [...state.accounts.values()].map(keysOnly),
      clock: isSharedClock(ctx.clock) ? ctx.clock.shared() : null,
      tickMs: 50,
      nice: tuning('VIGIL_DC09_RECEIVER_NICE') ?? 0,
      udpNice: tuning('VIGIL_DC09_UDP_NICE') ?? 5,
      // A restart comes from the main thread, lowered by VIGIL_MAIN_NICE since: the thread asks for the node's niceness back.
      baseNice: nodeBaseNice(),
      testHooks: this.testHooks,
    };
    const worker = new Worker(ENTRY, { workerData: { role: 'vigil-dc09-receiver', module: MODULE.href, input } });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let listening = false;
      let failure: string | null = null;
      worker.on('message', (message: FromReceiverThread) => {
        switch (message.type) {
          case 'listening':
            listening = true;
            this.threads = message.threads;
            this.scheduling = { realtime: null, asked: 0, notRealtime: 'starting', detail: null };
            // Listening already: panels are answered while the priority is being set (a few ms).
            void this.raiseAckPath(message.threads).then(() => {
              resolve({ tcpPort: message.tcpPort, udpPort: message.udpPort });
              // Flushes asked of a thread that died are asked again of this one.
              for (const n of this.flushed.keys()) this.send({ type: 'flush', n });
            });
            break;
          case 'frames':
            this.receiveFrames(message.frames);
            break;
          case 'journalled': {
            const frames = JSON.parse(message.json) as JournalledFrame[];
            for (let i = 0; i < frames.length; i++) frames[i]!.journal = message.journal[i]!;
            this.receiveFrames(frames);
            break;
          }
          case 'tick':
            this.receiveTick(message);
            break;
          case 'flushed':
            this.flushed.get(message.n)?.();
            this.flushed.delete(message.n);
            break;
          case 'error':
            if (message.fatal) failure = message.message.split('\n')[0]!;
            if (message.fatal && !listening) reject(new Error(`the DC-09 receiver thread could not start: ${message.message}`));
            else ctx.logger.error({ problem: message.message }, 'DC-09 receiver thread error');
            break;
          case 'journal':
            if (message.failure !== null) {
              ctx.logger.error({ problem: message.failure }, 'the DC-09 receiver journal cannot make frames durable: alarm frames are NAKed until it can');
              this.raise('journal', message.failure);
            } else {
              ctx.logger.warn('the DC-09 receiver journal makes frames durable again');
              this.clear('journal');
            }
            break;
          case 'stopped':
            break;
        }
      });
      worker.on('error', (error) => {
        failure = error.message;
        if (!listening) reject(error);
        ctx.logger.error({ err: error }, 'DC-09 receiver thread failed');
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        if (!listening) reject(new Error(`the DC-09 receiver thread stopped (exit code ${code})${failure ? `: ${failure}` : ''}`));
        if (this.stopping) return;
        this.died(failure ?? `the receiver thread stopped (exit code ${code})`);
      });
    });
  }

  /** The receiver thread and its journal writer under SCHED_FIFO (VIGIL_DC09_RECEIVER_RT_PRIORITY), each time one starts. */
  private async raiseAckPath(threads: (FromReceiverThread & { type: 'listening' })['threads']): Promise<void> {
    const asked = tuning('VIGIL_DC09_RECEIVER_RT_PRIORITY') ?? 0;
    const not = (notRealtime: AckPathScheduling['notRealtime'], detail: string | null = null) =>
      (this.scheduling = { realtime: null, asked, notRealtime, detail });
    if (asked === 0) return void not('off');
    if (threads.receiver === null || threads.journalWriter === null || process.platform !== 'linux') return void not('unsupported');
    const outcome = await raiseToRealtime([threads.receiver, threads.journalWriter], asked);
    if (outcome.realtime !== null) {
      this.scheduling = { realtime: outcome.realtime, asked, notRealtime: null, detail: null };
      return;
    }
    not('refused', outcome.refused);
    this.deps.ctx.logger.warn(
      { problem: outcome.refused },
      `the DC-09 receiver thread and its journal writer could not take real-time priority ${asked} (VIGIL_DC09_RECEIVER_RT_PRIORITY): they run at niceness ${threads.nice}, and a busy node delays ACKs more; it needs CAP_SYS_NICE or LimitRTPRIO=${asked} (systemd), --ulimit rtprio=${asked} (Docker)`,
    );
  }

  /** The thread died: degraded, the fault logged, and a restart after the back-off. */
  private died(reason: string): void {
    const { ctx } = this.deps;
    if (!this.faultsNow.has('thread')) {
      ctx.logger.error({ problem: reason }, 'the DC-09 receiver thread died: no DC-09 frame is received until it is started again');
      this.raise('thread', reason);
    }
    const wait = this.restartMs;
    this.restartMs = Math.min(this.restartMs * 2, RESTART_MAX_MS);
    this.restartTimer = setTimeout(() => void this.restart(), wait);
  }

  private async restart(): Promise<void> {
    this.restartTimer = null;
    if (this.stopping || !this.server) return;
    const { ctx } = this.deps;
    this.restarts++;
    try {
      await this.spawn(this.server);
    } catch (error) {
      // Its exit handler schedules the next try (longer each time, up to RESTART_MAX_MS).
      ctx.logger.error({ err: error }, 'the DC-09 receiver thread could not be started again');
      return;
    }
    this.restartMs = RESTART_FIRST_MS;
    ctx.logger.warn({ restarts: this.restarts }, 'the DC-09 receiver thread is receiving again');
    // The new thread opened its journal afresh: a failure of the dead one's is over too.
    this.faultsNow.delete('journal');
    await this.clear('thread');
  }

  /**
   * A fault begins: the technical alarm (RCVR) is raised when it is the first one, its reason
   * in the text; further faults while it is raised join the reason shown on /api/health.
   */
  private raise(kind: FaultKind, reason: string): void {
    if (this.faultsNow.has(kind)) return;
    const first = this.faultsNow.size === 0;
    this.faultsNow.set(kind, { reason, since: this.deps.ctx.clock.now() });
    if (first)
      void this.recordFault(reason, 0).catch((error: unknown) => this.deps.ctx.logger.error({ err: error }, 'could not record the DC-09 receiver fault'));
  }

  /** A fault is over: once none is left, the alarm is restored (downMs: since the first began). */
  private async clear(kind: FaultKind): Promise<void> {
    if (!this.faultsNow.has(kind)) return;
    const since = Math.min(...[...this.faultsNow.values()].map((f) => f.since));
    this.faultsNow.delete(kind);
    if (this.faultsNow.size > 0) return;
    const downMs = this.deps.ctx.clock.now() - since;
    await this.recordFault(null, downMs).catch((error: unknown) =>
      this.deps.ctx.logger.error({ err: error }, 'could not record the DC-09 receiver restoration'),
    );
  }

  /**
   * The log lagging behind the ACKs: a backlog of journalled frames above its bound for longer
   * than BACKLOG_ALARM_MS raises the alarm (the operators' screens are behind what panels were
   * told was received); it is restored once the backlog is back under the bound.
   */
  superviseBacklog(): void {
    const bound = tuning('VIGIL_DC09_BACKLOG_ALARM_FRAMES') ?? 10_000;
    const now = this.deps.ctx.clock.now();
    const unrecorded = this.health().unrecorded;
    if (unrecorded <= bound) {
      this.backlogSince = null;
      void this.clear('backlog');
      return;
    }
    this.backlogSince ??= now;
    if (now - this.backlogSince > BACKLOG_ALARM_MS)
      this.raise(
        'backlog',
        `${unrecorded} DC-09 frames acknowledged but not yet recorded in the log (above ${bound} for over ${BACKLOG_ALARM_MS / 1000} s): the log and the operators' screens lag behind the panels`,
      );
  }

  /** Fault and restoration recorded one after the other: the restoration is decided once the fault's alarm is in. */
  private faults: Promise<void> = Promise.resolve();
  private recordFault(reason: string | null, downMs: number): Promise<void> {
    const fault = this.deps.fault;
    if (!fault) return Promise.resolve();
    const recorded = this.faults.then(() => fault(reason, downMs));
    this.faults = recorded.catch(() => undefined);
    return recorded;
  }

  /** Degraded while the thread is down; the frames ACKed but not yet in the log either way. */
  health(): ReceiverThreadHealth {
    return {
      status: this.faultsNow.size > 0 ? 'degraded' : 'ok',
      reason: this.faultsNow.size > 0 ? [...this.faultsNow.values()].map((f) => f.reason).join('; ') : null,
      unrecorded: Math.max(0, this.queuedUpTo - this.deps.state.journalApplied),
      restarts: this.restarts,
      scheduling: { ...this.scheduling, nice: this.threads?.nice ?? nodeBaseNice() },
    };
  }

  /** The receiver thread's, its journal writer's and its UDP listener's thread ids (Linux; null without /proc) and their niceness when they started. */
  threadIds(): ReceiverThreadIds | null {
    return this.worker && this.threads ? { ...this.threads, realtime: this.scheduling.realtime } : null;
  }

  /** Test hook (VIGIL_DC09_TEST_HOOKS=1 only, never from the network): the thread throws an uncaught error. */
  crashForTests(): void {
    this.send({ type: 'crash' });
  }

  /** Test hook (VIGIL_DC09_TEST_HOOKS=1 only): the thread's journal commits fail (`on`) or work again. */
  failJournalWritesForTests(on: boolean): void {
    this.send({ type: 'fail-writes', on });
  }

  /** Test hook: the main thread records nothing (on) or catches up (off). */
  pauseRecordingForTests(on: boolean): void {
    if (!this.testHooks) return;
    if (on) this.recordingPaused ??= [];
    else {
      const waiting = this.recordingPaused ?? [];
      this.recordingPaused = null;
      for (const go of waiting) go();
    }
  }

  private send(message: ToReceiverThread): void {
    this.worker?.postMessage(message);
  }

  private receiveFrames(frames: JournalledFrame[]): void {
    const fresh = frames.filter((f) => f.journal > this.queuedUpTo);
    if (fresh.length === 0) return;
    this.queuedUpTo = fresh.at(-1)!.journal;
    this.inbox.push(fresh);
    this.pump();
  }

  private receiveTick(tick: ReceiverTick): void {
    const { counters } = this.deps;
    for (const [outcome, n] of tick.frames) counters.frames(outcome, n);
    for (const [quirk, n] of tick.quirks) counters.quirk(quirk, n);
    if (tick.ackMs.length > 0) counters.acked(tick.ackMs);
    if (tick.discarded > 0) this.deps.discarded(tick.discarded);
    for (const [reason, n] of tick.dropped) this.deps.dropped(reason, n);
    if (tick.refusalsNotNoted > 0) this.deps.ctx.logger.warn({ refused: tick.refusalsNotNoted }, 'DC-09 frames refused (not logged one by one)');
    if (tick.heard.length > 0 || tick.refusals.length > 0) {
      this.inbox.push(tick);
      this.pump();
    }
  }

  /** Records the inbox in order, one commit at a time (consecutive frames messages in one). */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.drain().finally(() => {
      this.pumping = false;
      if (this.inbox.length > 0) return this.pump();
      for (const r of this.idle.splice(0)) r();
    });
  }

  private async drain(): Promise<void> {
    const { dc09, ctx, state } = this.deps;
    while (this.inbox.length > 0) {
      const paused = this.recordingPaused;
      if (paused) await new Promise<void>((go) => paused.push(go));
      const head = this.inbox[0]!;
      if (!Array.isArray(head)) {
        this.inbox.shift();
        await dc09.heardInThread(head.heard).catch((error: unknown) => ctx.logger.error({ err: error }, 'could not record a restored path'));
        for (const note of head.refusals) await dc09.noteRefusal(note, false);
        continue;
      }
      const batch: JournalledFrame[] = [];
      let taken = 0;
      while (taken < this.inbox.length && Array.isArray(this.inbox[taken]) && batch.length < BATCH) batch.push(...(this.inbox[taken++] as JournalledFrame[]));
      // Exactly once: a record the log has already (its watermark) is not recorded again.
      const todo = batch.filter((f) => f.journal > state.journalApplied);
      try {
        if (todo.length > 0) await dc09.recordJournalled(todo);
      } catch (error) {
        if (this.stopping) return; // the journal keeps them: the next start records them
        ctx.logger.error({ err: error, frames: todo.length }, 'could not record journalled DC-09 frames; trying again');
        await new Promise((r) => setTimeout(r, RETRY_MS));
        continue;
      }
      this.inbox.splice(0, taken);
      this.send({ type: 'applied', seq: batch.at(-1)!.journal });
    }
  }

  /** Resolves once every frame the thread answered so far is recorded, counted and its paths heard (tests). */
  async settled(): Promise<void> {
    if (!this.worker) return;
    const n = ++this.flushes;
    await new Promise<void>((resolve) => {
      this.flushed.set(n, resolve);
      this.send({ type: 'flush', n });
    });
    if (this.pumping || this.inbox.length > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.superviseTimer) clearInterval(this.superviseTimer);
    this.pauseRecordingForTests(false);
    const worker = this.worker;
    if (!worker) return;
    this.deps.state.onAccountConfigured = null;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    const stopped = new Promise<void>((r) =>
      worker.on('message', (m: FromReceiverThread) => {
        if (m.type === 'stopped') r();
      }),
    );
    this.send({ type: 'stop' });
    await Promise.race([stopped, exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
    // What the thread made durable is recorded before the node's log closes (else the next start does it).
    if (this.pumping || this.inbox.length > 0)
      await Promise.race([new Promise<void>((r) => this.idle.push(r)), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await worker.terminate();
    this.worker = null;
  }
}
