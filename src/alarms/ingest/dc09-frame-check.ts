import { crc32 } from 'node:zlib';
import type { RawFrame } from '../../adapters/protocols/dc09/dc09-framer.js';
import { parseFrame, type Dc09Failure, type Dc09Message, type ParseOptions } from '../../adapters/protocols/dc09/dc09-message.js';
import { ackFrame, duhFrame, nakFrame } from '../../adapters/protocols/dc09/dc09-reply.js';
import type { SecurityRefusal } from '../contract.js';
import { keysOf, type Dc09AccountKeys } from './dc09-keys.js';
import { ReplayGuard } from './replay-guard.js';

/** A refused frame, as the main thread logs it, counts it and tells the security desk (and, for a substitution attempt, the monitoring centre). */
export interface Dc09RefusalNote {
  /** The counter's outcome label (`nak-crc`, `duh-plaintext`, `nak-replay`, …). */
  outcome: string;
  kind: SecurityRefusal['kind'];
  remote: string;
  account: string | null;
  problem: string;
  /** What the warning log line carries. */
  log: Record<string, unknown>;
  /** A substitution attempt (EN 50136): plaintext for a keyed account, or another account in the data block. */
  substitution: { account: string; problem: 'plaintext' | 'account-mismatch' } | null;
  at: number;
}

/**
 * The one note a quarantined source address gets (the security desk's event; the refused connections
 * and datagrams after it are counted, not noted one by one).
 */
export function quarantineNote(address: string, until: number, now: number): Dc09RefusalNote {
  return {
    outcome: 'quarantine',
    kind: 'dc09-refused',
    remote: address,
    account: null,
    problem: `source quarantined for ${Math.round((until - now) / 1000)} s: refused frames and junk beyond VIGIL_DC09_QUARANTINE_STRIKES; its connections are closed at accept and its datagrams dropped unread`,
    log: { remote: address, problem: 'quarantine', until },
    substitution: null,
    at: now,
  };
}

export type Dc09CheckResult =
  | { ok: true; message: Dc09Message; reserved: string | null; duplicate?: undefined }
  /**
   * The very frame already accepted (or being made durable) inside the window, sent again
   * because its ACK was lost: ACKed again (`ackDuplicate`) once the first copy is durable
   * (`settled`: null when it is already; false when it never was — then no reply), never
   * recorded twice.
   */
  | { ok: true; message: Dc09Message; reserved: null; duplicate: { settled: Promise<boolean> | null } }
  | { ok: false; reply: Buffer; note: Dc09RefusalNote; reserved?: undefined };

/**
 * What every DC-09 frame goes through before its events matter, wherever the receiver
 * runs (the main thread, or the receiver thread): parsing with the account's key and
 * settings (plaintext refused for a keyed account, the inner account equal to the
 * header's), the replay window of encrypted frames, and the replies — NAK or DUH for a
 * refusal, the ACK echoing the header once the frame is accepted.
 */
export class Dc09FrameCheck {
  readonly replays: ReplayGuard;
  /** parseFrame's options, one object for every frame (parseFrame reads them only while it runs). */
  private readonly parseOptions: ParseOptions;

  constructor(
    startedAt: number,
    private readonly accountOf: (account: string) => Dc09AccountKeys | undefined,
  ) {
    this.replays = new ReplayGuard(startedAt);
    this.parseOptions = {
      now: 0,
      settingsFor: (account) => {
        const a = account ? this.accountOf(account) : undefined;
        return a ? keysOf(a).settings : null;
      },
    };
  }

  /** Parses a frame and, when it is encrypted, reserves it in the replay window (`accepted` or `release` it after). */
  check(frame: RawFrame, remote: string, now: number): Dc09CheckResult {
    this.parseOptions.now = now;
    const result = parseFrame(frame, this.parseOptions);
    if (!result.ok) return refusal(result.failure, remote, now);
    const m = result.message;
    // Encrypted frames are authenticated and time-windowed: the same one twice is a replay.
    const reservation = m.encrypted && m.account && m.timestamp ? this.replays.check(m.account, m.seq, m.timestamp.getTime(), now, crc32(frame.body)) : null;
    if (reservation?.verdict === 'duplicate') return { ok: true, message: m, reserved: null, duplicate: { settled: reservation.settled ?? null } };
    if (reservation && reservation.verdict !== 'fresh') {
      const problem = `frame ${m.seq} refused: ${reservation.verdict}`;
      return {
        ok: false,
        reply: nakFrame(now),
        note: {
          outcome: `nak-${reservation.verdict}`,
          kind: 'dc09-replay',
          remote,
          account: m.account,
          problem,
          log: { remote, account: m.account, seq: m.seq, verdict: reservation.verdict },
          substitution: null,
          at: now,
        },
      };
    }
    return { ok: true, message: m, reserved: reservation?.key ?? null };
  }

  /** The ACK of an accepted frame: echoes the header (never the data block's account), encrypted with the key that decrypted it. */
  ack(m: Dc09Message, reserved: string | null, now: number): Buffer {
    if (reserved !== null) this.replays.accepted(reserved, m.timestamp!.getTime());
    const config = m.encrypted && m.headerAccount ? this.accountOf(m.headerAccount) : undefined;
    const keys = config?.key ? keysOf(config) : null;
    const key = keys ? (m.quirks.includes('ascii-key') ? keys.ascii : keys.key) : null;
    return ackFrame({ seq: m.seq, receiver: m.receiver, prefix: m.prefix, account: m.headerAccount }, now, key);
  }

  /** The ACK of a duplicate (its first copy is durable): the same ACK, nothing recorded. */
  ackDuplicate(m: Dc09Message, now: number): Buffer {
    return this.ack(m, null, now);
  }

  /** The frame was not made durable: the panel's retry of it must not be taken for a replay. */
  release(reserved: string | null): void {
    if (reserved !== null) this.replays.release(reserved);
  }
}

/** The ACK's outcome label. */
export const ackOutcome = (m: Dc09Message): string => (m.id === 'NULL' ? 'ack-poll' : 'ack');

function refusal(failure: Dc09Failure, remote: string, now: number): Dc09CheckResult {
  const note: Dc09RefusalNote = {
    outcome: `${failure.reply.toLowerCase()}-${failure.problem}`,
    kind: failure.problem === 'key' ? 'dc09-wrong-key' : 'dc09-refused',
    remote,
    account: failure.reply === 'DUH' ? (failure.partial.account ?? null) : null,
    problem: failure.message,
    log: { remote, problem: failure.problem, message: failure.message },
    substitution: null,
    at: now,
  };
  if (failure.reply !== 'DUH') return { ok: false, reply: nakFrame(now), note };
  const p = failure.partial;
  if ((failure.problem === 'plaintext' || failure.problem === 'account-mismatch') && p.account)
    note.substitution = { account: p.account, problem: failure.problem };
  return {
    ok: false,
    reply: duhFrame({ seq: p.seq ?? '0000', receiver: p.receiver ?? null, prefix: p.prefix ?? '0', account: p.headerAccount ?? null }),
    note,
  };
}
