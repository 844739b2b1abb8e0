import type { RawFrame } from '../../adapters/protocols/dc09/dc09-framer.js';
import type { Dc09Event, Dc09Message } from '../../adapters/protocols/dc09/dc09-message.js';
import { nakFrame } from '../../adapters/protocols/dc09/dc09-reply.js';
import type { CityReadPort } from '../../city/contract.js';
import { newId } from '../../kernel/ids.js';
import type { AppContext } from '../../platform/app-context.js';
import type { AlarmsState } from '../alarms-state.js';
import { cidMeaning, siaMeaning } from '../codes.js';
import { alarmEvent } from '../events.js';
import type { SecurityRefusal } from '../contract.js';
import type { Signal } from '../model.js';
import type { SignalRecorder } from '../signal-recorder.js';
import type { PathSupervisor } from '../supervision/path-supervisor.js';
import { Dc09FrameCheck, ackOutcome, quarantineNote, type Dc09RefusalNote } from './dc09-frame-check.js';
import type { ReceiverCounters } from './receiver-counters.js';

/** One recorded substitution attempt per account per this long; the rest are only counted. */
const SUBSTITUTION_REPORT_MS = 60_000;
/** And at most this many a minute over all accounts, so a spray over every account costs counters, not writes. */
const SUBSTITUTION_REPORTS_PER_MINUTE = 30;

/** Frames' signals waiting for the next group commit, each frame with its own outcome. */
interface PendingFrame {
  signals: Signal[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * An alarm frame the receiver thread made durable in its journal (receiver-journal.ts),
 * for the main thread to record: what signalFromDc09 reads of the message, when it was
 * received, and its journal sequence.
 */
export interface JournalledFrame {
  journal: number;
  at: number;
  message: Pick<Dc09Message, 'account' | 'dataAccount' | 'events' | 'xdata' | 'quirks'> & { timestamp: number | null };
  /** An encrypted frame's DC-09 sequence and crc32 of its bytes: the replay window's memory, rebuilt from the journal at start. */
  replay?: { seq: string; crc: number };
}

/**
 * SIA DC-09: a frame in, its events as durable signals, the reply out. The signals of
 * every frame handled in one turn of the event loop (all the connections read in it)
 * go to the rules and the log together: one decision pass, one append, one commit;
 * each frame's ACK waits for that commit. Frames stay in arrival order, so the rules
 * and the log see one account's frames in the order its connection sent them.
 *
 * With the receiver on its own thread (receiver-thread.ts), the frames are checked and
 * answered there; this records what it journalled (`recordJournalled`) and what it refused
 * (`noteRefusal`).
 */
export class Dc09Ingest {
  readonly check: Dc09FrameCheck;
  private readonly substitutionReported = new Map<string, number>();
  private recentSubstitutionReports: number[] = [];
  private pending: PendingFrame[] = [];
  private flushScheduled = false;
  /** Claims on the cluster's replay ledger waiting for this turn's one statement. */
  private claims: { key: string; expiresAt: number; resolve: (claimed: boolean) => void; reject: (error: unknown) => void }[] = [];
  private claimScheduled = false;
  private isoAt = Number.NaN;
  private iso = '';

  constructor(
    private readonly ctx: AppContext,
    private readonly state: AlarmsState,
    private readonly city: CityReadPort,
    private readonly supervision: PathSupervisor,
    private readonly signals: SignalRecorder,
    private readonly counters: ReceiverCounters,
  ) {
    this.check = new Dc09FrameCheck(ctx.clock.now(), (account) => this.state.accounts.get(account));
  }

  /**
   * One DC-09 frame in, the reply out — an ACK only after the signal is durable. A frame
   * without events (a poll) on a path that was not faulted is answered at once, without
   * a promise: it only moves the path's deadline (polls are not events).
   */
  handleDc09(frame: RawFrame, remote: string): Buffer | null | Promise<Buffer | null> {
    const now = this.ctx.clock.now();
    const checked = this.check.check(frame, remote, now);
    if (!checked.ok) return this.refused(checked.note, checked.reply);
    if (checked.duplicate) return this.duplicate(checked.message, checked.duplicate.settled, now);
    const { message: m, reserved } = checked;
    // On a cluster, the frame must also be new to every other node: one claim on the shared ledger (one statement a turn).
    if (reserved !== null && this.ctx.replayLedger) return this.claimThenRecord(m, reserved, remote, now);
    if (m.events.length > 0 || !m.account) return this.recordFrame(m, reserved, now);
    let restored: Promise<void> | null;
    try {
      restored = this.supervision.heard(m.account, now);
    } catch (error) {
      this.check.release(reserved);
      throw error;
    }
    if (!restored) return this.accepted(m, reserved, now);
    return restored.then(
      () => this.accepted(m, reserved, now),
      (error: unknown) => {
        this.check.release(reserved);
        throw error;
      },
    );
  }

  /** A fresh encrypted frame on a cluster: claimed on the shared ledger, then recorded; a replay accepted by another node is refused. */
  private async claimThenRecord(m: Dc09Message, key: string, remote: string, now: number): Promise<Buffer | null> {
    let claimed: boolean;
    try {
      claimed = await this.claimShared(key, m.timestamp!.getTime() + this.check.replays.windowPastMs, now);
    } catch (error) {
      this.check.release(key);
      throw error; // no ACK: the panel sends again
    }
    if (!claimed) {
      // Accepted by another node inside the window: remembered here as used, refused as a replay.
      this.check.replays.accepted(key, m.timestamp!.getTime(), false);
      const problem = `frame ${m.seq} refused: replay (accepted by another node)`;
      await this.noteRefusal({
        outcome: 'nak-replay',
        kind: 'dc09-replay',
        remote,
        account: m.account,
        problem,
        log: { remote, account: m.account, seq: m.seq, verdict: 'replay', cluster: true },
        substitution: null,
        at: now,
      });
      return nakFrame(now);
    }
    try {
      return await this.recordFrame(m, key, now);
    } catch (error) {
      // Not durable: the panel's retry of this very frame must not be taken for a replay on any node.
      this.ctx.replayLedger!.release([key]).catch((e: unknown) => this.ctx.logger.warn({ err: e }, 'could not release a DC-09 replay claim'));
      throw error;
    }
  }

  /** Queues a claim for this turn's one statement on the cluster's ledger; resolves whether this node got the key. */
  private claimShared(key: string, expiresAt: number, now: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.claims.push({ key, expiresAt, resolve, reject });
      if (this.claimScheduled) return;
      this.claimScheduled = true;
      setImmediate(() => {
        this.claimScheduled = false;
        const batch = this.claims;
        this.claims = [];
        this.ctx.replayLedger!.claim(batch, now).then(
          (claimed) => batch.forEach((c) => c.resolve(claimed.has(c.key))),
          (error: unknown) => batch.forEach((c) => c.reject(error)),
        );
      });
    });
  }

  /** A frame's path heard and its signals durable, then its ACK. */
  private async recordFrame(m: Dc09Message, reserved: string | null, now: number): Promise<Buffer | null> {
    try {
      // heard() is null unless the path was faulted (then its restore is recorded first).
      const restored = m.account ? this.supervision.heard(m.account, now) : null;
      if (restored) await restored;
      if (m.events.length > 0) {
        const signals: Signal[] = [];
        for (const e of m.events) signals.push(this.signalFromDc09(m, e, now));
        await this.recordBatched(signals);
      }
    } catch (error) {
      this.check.release(reserved);
      throw error;
    }
    return this.accepted(m, reserved, now);
  }

  /** A frame sent again because its ACK was lost: its path heard, ACKed again once its first copy is durable, recorded no second time. */
  private async duplicate(m: Dc09Message, settled: Promise<boolean> | null, now: number): Promise<Buffer | null> {
    if (settled && !(await settled)) throw new Error(`DC-09 frame ${m.seq} of ${m.account} was not made durable: no ACK for its copy either`);
    const restored = m.account ? this.supervision.heard(m.account, now) : null;
    if (restored) await restored;
    this.counters.frames('ack-duplicate');
    return this.check.ackDuplicate(m, now);
  }

  /** Counts an accepted frame and makes its ACK. */
  private accepted(m: Dc09Message, reserved: string | null, now: number): Buffer {
    for (const q of m.quirks) this.counters.quirk(q);
    this.counters.frames(ackOutcome(m));
    return this.check.ack(m, reserved, now);
  }

  /** A frame refused: counted, logged, told to the security desk; its DUH or NAK once a substitution attempt is recorded. */
  private async refused(note: Dc09RefusalNote, reply: Buffer): Promise<Buffer> {
    await this.noteRefusal(note);
    return reply;
  }

  /** A source address quarantined by the listeners (main-thread mode): one note to the security desk. */
  async noteQuarantine(address: string, until: number): Promise<void> {
    await this.noteRefusal(quarantineNote(address, until, this.ctx.clock.now()), false);
  }

  /**
   * A refused frame (here or in the receiver thread): counted, logged, told to the security
   * desk, and a substitution attempt shown to the monitoring centre. Never throws.
   */
  async noteRefusal(note: Dc09RefusalNote, count = true): Promise<void> {
    if (count) this.counters.frames(note.outcome);
    this.ctx.logger.warn(note.log, 'DC-09 frame refused');
    this.refusal(note.kind, note.remote, note.account, note.problem, note.at);
    if (!note.substitution) return;
    await this.substitutionAttempt(note.substitution.account, note.substitution.problem, note.remote, note.problem, note.at).catch((error: unknown) =>
      this.ctx.logger.error({ err: error }, 'could not record a DC-09 substitution attempt'),
    );
  }

  /**
   * Records frames the receiver thread journalled, in journal order, in one commit: each
   * path heard, each event a signal carrying its record's sequence (the log's watermark of
   * the journal). Rejects when the commit failed: the caller tries the same frames again.
   */
  async recordJournalled(frames: readonly JournalledFrame[]): Promise<void> {
    const signals: Signal[] = [];
    for (const f of frames) {
      const m = f.message;
      const restored = m.account ? this.supervision.heard(m.account, f.at) : null;
      if (restored) await restored;
      // Written out rather than spread (a spread object V8 reshapes per call: dc09-message.ts).
      const message = {
        account: m.account,
        dataAccount: m.dataAccount,
        events: m.events,
        xdata: m.xdata,
        quirks: m.quirks,
        timestamp: m.timestamp === null ? null : new Date(m.timestamp),
      };
      for (const e of m.events) {
        const signal = this.signalFromDc09(message, e, f.at);
        signal.journal = f.journal;
        signals.push(signal);
      }
    }
    if (signals.length > 0) await this.signals.recordSignals(signals);
  }

  /** Paths the receiver thread heard polls on (path, time, path, time…): their deadlines move; a faulted one is restored. */
  async heardInThread(heard: readonly (string | number)[]): Promise<void> {
    for (let i = 0; i + 1 < heard.length; i += 2) {
      const restored = this.supervision.heard(heard[i] as string, heard[i + 1] as number);
      if (restored) await restored;
    }
  }

  /** Queues a frame's signals for this turn's group; resolves when they are durable (or rejects: no ACK). */
  private recordBatched(signals: Signal[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ signals, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => this.flushSignals());
    });
  }

  private flushSignals(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const signals = batch.length === 1 ? batch[0]!.signals : batch.flatMap((p) => p.signals);
    this.signals.recordSignals(signals).then(
      () => {
        for (const p of batch) p.resolve();
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  }

  /** Tells the security desk (reaction `alarms.security-refusal`); never holds up the reply. */
  private refusal(kind: SecurityRefusal['kind'], remote: string, account: string | null, problem: string, at: number): void {
    if (!this.ctx.reactions.has('alarms.security-refusal')) return;
    this.ctx.reactions
      .emit('alarms.security-refusal', { kind, remote, account, username: null, problem, at })
      .catch((error: unknown) => this.ctx.logger.warn({ err: error }, 'security desk did not take a refusal'));
  }

  /**
   * Shown to the monitoring centre: an event and a tamper alarm in the queue of the
   * account's organisation — at most one a minute per account and 30 a minute in all,
   * so a flood of forged frames costs a counter, not the log.
   */
  private async substitutionAttempt(account: string, problem: 'plaintext' | 'account-mismatch', remote: string, message: string, now: number): Promise<void> {
    const last = this.substitutionReported.get(account);
    if (last !== undefined && now - last < SUBSTITUTION_REPORT_MS) return;
    this.recentSubstitutionReports = this.recentSubstitutionReports.filter((t) => now - t < 60_000);
    if (this.recentSubstitutionReports.length >= SUBSTITUTION_REPORTS_PER_MINUTE) return;
    this.recentSubstitutionReports.push(now);
    if (this.substitutionReported.size > 10_000) this.substitutionReported.clear();
    this.substitutionReported.set(account, now);
    const device = this.city.devicesByAccount.get(account);
    const orgId = device?.orgId ?? null;
    const event = alarmEvent('alarms.substitution.attempted', `account:${account}`, orgId, 'system:receiver', { account, problem, remote, message });
    const signal: Signal = {
      signalId: newId('sig'),
      account,
      protocol: 'supervision',
      code: 'SUBST',
      kind: 'tamper',
      phase: 'alarm',
      description:
        problem === 'plaintext' ? 'Substitution attempt: plaintext frame for an encrypted account' : 'Substitution attempt: frame names another account',
      zone: null,
      user: null,
      area: null,
      occurredAt: null,
      receivedAt: new Date(now).toISOString(),
      text: `from ${remote}`,
      position: device?.position ?? null,
      siteId: device?.siteId ?? null,
      deviceId: device?.id ?? null,
      flags: ['substitution-attempt'],
    };
    await this.signals.recordSignals([signal], [event]);
  }

  /**
   * A frame's event as a signal. Built once per alarm frame, so it is built directly:
   * keys in sorted order (the log's canonical JSON then has nothing to sort), extra data
   * searched only when the frame has any, the received time written once per millisecond.
   */
  private signalFromDc09(m: Pick<Dc09Message, 'account' | 'dataAccount' | 'events' | 'xdata' | 'quirks' | 'timestamp'>, e: Dc09Event, now: number): Signal {
    const device = m.account ? this.city.devicesByAccount.get(m.account) : undefined;
    const flags = m.quirks.length > 0 ? m.quirks.slice() : [];
    if (m.dataAccount && m.dataAccount !== m.account) flags.push(`data-account:${m.dataAccount}`);
    if (m.account && !device && !this.state.accounts.has(m.account)) flags.push('unknown-account');
    let position: [number, number] | null = device?.position ?? null;
    let info: string | null = null;
    if (m.xdata.length > 0) {
      const x = m.xdata.find((d) => d.type === 'X');
      const y = m.xdata.find((d) => d.type === 'Y');
      if (x && y && Number.isFinite(Number(x.value)) && Number.isFinite(Number(y.value))) position = [Number(x.value), Number(y.value)];
      info = m.xdata.find((d) => d.type === 'I')?.value ?? null;
    }
    const occurredAt = m.timestamp ? m.timestamp.toISOString() : null;
    const receivedAt = this.isoOf(now);
    const siteId = device?.siteId ?? null;
    const deviceId = device?.id ?? null;
    if (e.protocol === 'sia') {
      const meaning = siaMeaning(e.code);
      if (!meaning.known) flags.push('unknown-code');
      return {
        account: m.account,
        area: meaning.concerns === 'area' ? e.number : e.area,
        code: e.code,
        description: meaning.description,
        deviceId,
        flags,
        kind: meaning.kind,
        occurredAt,
        phase: meaning.phase,
        position,
        protocol: 'sia-dcs',
        receivedAt,
        signalId: newId('sig'),
        siteId,
        text: e.text ?? info ?? e.areaText ?? null,
        user: meaning.concerns === 'user' ? (e.number ?? e.user) : e.user,
        zone: meaning.concerns === 'zone' ? e.number : null,
      };
    }
    const meaning = cidMeaning(e.code, e.qualifier);
    if (!meaning.known) flags.push('unknown-code');
    if (e.qualifier === 6) flags.push('previously-reported');
    return {
      account: m.account,
      area: e.partition,
      code: e.code,
      description: meaning.description,
      deviceId,
      flags,
      kind: meaning.kind,
      occurredAt,
      phase: meaning.phase,
      position,
      protocol: 'contact-id',
      receivedAt,
      signalId: newId('sig'),
      siteId,
      text: info,
      user: meaning.concerns === 'user' ? e.zoneOrUser : null,
      zone: meaning.concerns === 'zone' ? e.zoneOrUser : null,
    };
  }

  /** `new Date(now).toISOString()`, remembered for the last millisecond (frames of one turn share it). */
  private isoOf(now: number): string {
    if (now !== this.isoAt) {
      this.isoAt = now;
      this.iso = new Date(now).toISOString();
    }
    return this.iso;
  }
}
