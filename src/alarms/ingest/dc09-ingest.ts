import { parseKey } from '../../adapters/protocols/dc09/dc09-crypto.js';
import type { RawFrame } from '../../adapters/protocols/dc09/dc09-framer.js';
import { parseFrame, type Dc09Event, type Dc09Message } from '../../adapters/protocols/dc09/dc09-message.js';
import { ackFrame, duhFrame, nakFrame } from '../../adapters/protocols/dc09/dc09-reply.js';
import type { CityReadPort } from '../../city/contract.js';
import { newId } from '../../kernel/ids.js';
import type { AppContext } from '../../platform/app-context.js';
import type { AlarmsState } from '../alarms-state.js';
import { cidMeaning, siaMeaning } from '../codes.js';
import { alarmEvent } from '../events.js';
import type { AccountConfig, Signal } from '../model.js';
import type { SecurityRefusal } from '../contract.js';
import type { SignalRecorder } from '../signal-recorder.js';
import type { PathSupervisor } from '../supervision/path-supervisor.js';
import type { ReceiverCounters } from './receiver-counters.js';
import { ReplayGuard } from './replay-guard.js';

/** One recorded substitution attempt per account per this long; the rest are only counted. */
const SUBSTITUTION_REPORT_MS = 60_000;
/** And at most this many a minute over all accounts, so a spray over every account costs counters, not writes. */
const SUBSTITUTION_REPORTS_PER_MINUTE = 30;

/**
 * A 32-character key of format "auto" reads as hex (AES-128); its ASCII bytes (AES-256) are
 * the second reading, tried when the first does not decrypt. Other keys have one reading.
 */
function asciiReading(key: string | null, format: 'hex' | 'ascii' | 'auto'): Buffer | null {
  return key !== null && format === 'auto' && key.length === 32 && /^[0-9A-Fa-f]+$/.test(key) ? parseKey(key, 'ascii') : null;
}

/** An account's key as bytes, parsed once per configuration (a reconfigured account is a new object). */
interface ParsedKeys {
  key: Buffer | null;
  asciiKey: Buffer | null;
  ascii: Buffer | null;
}
const parsedKeys = new WeakMap<AccountConfig, ParsedKeys>();
function keysOf(a: AccountConfig): ParsedKeys {
  let k = parsedKeys.get(a);
  if (!k) {
    k = { key: a.key ? parseKey(a.key, a.keyFormat) : null, asciiKey: asciiReading(a.key, a.keyFormat), ascii: a.key ? parseKey(a.key, 'ascii') : null };
    parsedKeys.set(a, k);
  }
  return k;
}

/** Frames' signals waiting for the next group commit, each frame with its own outcome. */
interface PendingFrame {
  signals: Signal[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * SIA DC-09: a frame in, its events as durable signals, the reply out. The signals of
 * every frame handled in one turn of the event loop (all the connections read in it)
 * go to the rules and the log together: one decision pass, one append, one commit;
 * each frame's ACK waits for that commit. Frames stay in arrival order, so the rules
 * and the log see one account's frames in the order its connection sent them.
 */
export class Dc09Ingest {
  private readonly replays: ReplayGuard;
  private readonly substitutionReported = new Map<string, number>();
  private recentSubstitutionReports: number[] = [];
  private pending: PendingFrame[] = [];
  private flushScheduled = false;
  /** Claims on the cluster's replay ledger waiting for this turn's one statement. */
  private claims: { key: string; expiresAt: number; resolve: (claimed: boolean) => void; reject: (error: unknown) => void }[] = [];
  private claimScheduled = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly state: AlarmsState,
    private readonly city: CityReadPort,
    private readonly supervision: PathSupervisor,
    private readonly signals: SignalRecorder,
    private readonly counters: ReceiverCounters,
  ) {
    this.replays = new ReplayGuard(ctx.clock.now());
  }

  /** One DC-09 frame in, the reply out — an ACK only after the signal is durable. */
  async handleDc09(frame: RawFrame, remote: string): Promise<Buffer | null> {
    const now = this.ctx.clock.now();
    const result = parseFrame(frame, {
      now,
      settingsFor: (account) => {
        const a = account ? this.state.accounts.get(account) : undefined;
        if (!a) return null;
        const k = keysOf(a);
        return {
          key: k.key,
          asciiKey: k.asciiKey,
          clockOffsetMinutes: a.clockOffsetMinutes,
          ...(a.relayFor ? { relayFor: a.relayFor } : {}),
        };
      },
    });
    if (!result.ok) {
      this.counters.frames(`${result.failure.reply.toLowerCase()}-${result.failure.problem}`);
      this.ctx.logger.warn({ remote, problem: result.failure.problem, message: result.failure.message }, 'DC-09 frame refused');
      this.refusal(
        result.failure.problem === 'key' ? 'dc09-wrong-key' : 'dc09-refused',
        remote,
        result.failure.reply === 'DUH' ? (result.failure.partial.account ?? null) : null,
        result.failure.message,
        now,
      );
      if (result.failure.reply === 'DUH') {
        const p = result.failure.partial;
        if ((result.failure.problem === 'plaintext' || result.failure.problem === 'account-mismatch') && p.account) {
          await this.substitutionAttempt(p.account, result.failure.problem, remote, result.failure.message, now).catch((error: unknown) =>
            this.ctx.logger.error({ err: error }, 'could not record a DC-09 substitution attempt'),
          );
        }
        return duhFrame({ seq: p.seq ?? '0000', receiver: p.receiver ?? null, prefix: p.prefix ?? '0', account: p.headerAccount ?? null });
      }
      return nakFrame(now);
    }
    const m = result.message;
    // Encrypted frames are authenticated and time-windowed: the same one twice is a replay.
    const reservation = m.encrypted && m.account && m.timestamp ? this.replays.check(m.account, m.seq, m.timestamp.getTime(), now) : null;
    if (reservation && reservation.verdict !== 'fresh') {
      this.counters.frames(`nak-${reservation.verdict}`);
      this.ctx.logger.warn({ remote, account: m.account, seq: m.seq, verdict: reservation.verdict }, 'DC-09 frame refused');
      this.refusal('dc09-replay', remote, m.account, `frame ${m.seq} refused: ${reservation.verdict}`, now);
      return nakFrame(now);
    }
    // On a cluster, the frame must also be new to every other node: one claim on the shared ledger (one statement a turn).
    const ledger = reservation ? this.ctx.replayLedger : undefined;
    if (reservation && ledger) {
      let claimed: boolean;
      try {
        claimed = await this.claimShared(reservation.key, m.timestamp!.getTime() + this.replays.windowPastMs, now);
      } catch (error) {
        this.replays.release(reservation.key);
        throw error; // no ACK: the panel sends again
      }
      if (!claimed) {
        // Accepted by another node inside the window: remembered here as used, refused as a replay.
        this.replays.accepted(reservation.key, m.timestamp!.getTime());
        this.counters.frames('nak-replay');
        this.ctx.logger.warn({ remote, account: m.account, seq: m.seq, verdict: 'replay', cluster: true }, 'DC-09 frame refused');
        this.refusal('dc09-replay', remote, m.account, `frame ${m.seq} refused: replay (accepted by another node)`, now);
        return nakFrame(now);
      }
    }
    try {
      for (const q of m.quirks) this.counters.quirk(q);
      if (m.account) await this.supervision.heardPath(m.account, now);
      if (m.events.length > 0) await this.recordBatched(m.events.map((e) => this.signalFromDc09(m, e, now)));
    } catch (error) {
      if (reservation) {
        this.replays.release(reservation.key);
        // Not durable: the panel's retry of this very frame must not be taken for a replay on any node.
        ledger?.release([reservation.key]).catch((e: unknown) => this.ctx.logger.warn({ err: e }, 'could not release a DC-09 replay claim'));
      }
      throw error;
    }
    if (reservation) this.replays.accepted(reservation.key, m.timestamp!.getTime());
    this.counters.frames(m.id === 'NULL' ? 'ack-poll' : 'ack');
    // The ACK echoes the header (never the data block's account), encrypted with the key that decrypted the frame.
    const config = m.headerAccount ? this.state.accounts.get(m.headerAccount) : undefined;
    const keys = m.encrypted && config?.key ? keysOf(config) : null;
    const key = keys ? (m.quirks.includes('ascii-key') ? keys.ascii : keys.key) : null;
    return ackFrame({ seq: m.seq, receiver: m.receiver, prefix: m.prefix, account: m.headerAccount }, now, key);
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

  private signalFromDc09(m: Dc09Message, e: Dc09Event, now: number): Signal {
    const device = m.account ? this.city.devicesByAccount.get(m.account) : undefined;
    const flags = [...m.quirks];
    if (m.dataAccount && m.dataAccount !== m.account) flags.push(`data-account:${m.dataAccount}`);
    if (m.account && !device && !this.state.accounts.has(m.account)) flags.push('unknown-account');
    const x = m.xdata.find((d) => d.type === 'X');
    const y = m.xdata.find((d) => d.type === 'Y');
    const position: [number, number] | null =
      x && y && Number.isFinite(Number(x.value)) && Number.isFinite(Number(y.value)) ? [Number(x.value), Number(y.value)] : (device?.position ?? null);
    let base: Pick<Signal, 'protocol' | 'code' | 'kind' | 'phase' | 'description' | 'zone' | 'user' | 'area' | 'text'>;
    if (e.protocol === 'sia') {
      const meaning = siaMeaning(e.code);
      if (!meaning.known) flags.push('unknown-code');
      base = {
        protocol: 'sia-dcs',
        code: e.code,
        kind: meaning.kind,
        phase: meaning.phase,
        description: meaning.description,
        zone: meaning.concerns === 'zone' ? e.number : null,
        user: meaning.concerns === 'user' ? (e.number ?? e.user) : e.user,
        area: meaning.concerns === 'area' ? e.number : e.area,
        text: e.text ?? m.xdata.find((d) => d.type === 'I')?.value ?? e.areaText ?? null,
      };
    } else {
      const meaning = cidMeaning(e.code, e.qualifier);
      if (!meaning.known) flags.push('unknown-code');
      if (e.qualifier === 6) flags.push('previously-reported');
      base = {
        protocol: 'contact-id',
        code: e.code,
        kind: meaning.kind,
        phase: meaning.phase,
        description: meaning.description,
        zone: meaning.concerns === 'zone' ? e.zoneOrUser : null,
        user: meaning.concerns === 'user' ? e.zoneOrUser : null,
        area: e.partition,
        text: m.xdata.find((d) => d.type === 'I')?.value ?? null,
      };
    }
    return {
      signalId: newId('sig'),
      account: m.account,
      ...base,
      occurredAt: m.timestamp ? m.timestamp.toISOString() : null,
      receivedAt: new Date(now).toISOString(),
      position,
      siteId: device?.siteId ?? null,
      deviceId: device?.id ?? null,
      flags,
    };
  }
}
