import { crc16 } from './crc.js';
import { decryptBody } from './dc09-crypto.js';
import type { RawFrame } from './dc09-framer.js';

/** One event inside a DC-09 data block, before normalisation by the code tables. */
export type Dc09Event =
  | {
      protocol: 'sia';
      code: string;
      number: string | null;
      area: string | null;
      user: string | null;
      time: string | null;
      text: string | null;
      newEvent: boolean;
    }
  | { protocol: 'cid'; qualifier: 1 | 3 | 6; code: string; partition: string; zoneOrUser: string };

export interface Dc09Message {
  id: 'SIA-DCS' | 'ADM-CID' | 'NULL' | string;
  encrypted: boolean;
  seq: string;
  receiver: string | null;
  prefix: string;
  account: string | null;
  /** The data block's text (decrypted), e.g. "#1234|Nri1/BA012". */
  data: string;
  events: Dc09Event[];
  /** Extended data blocks: A auth, H time, I text, K key, L location, M MAC, V verification, X/Y/Z position… */
  xdata: { type: string; value: string }[];
  /** Sender's timestamp (UTC unless the account says it sends local time). */
  timestamp: Date | null;
  /** Deviations from the standard that were accepted (counted per account). */
  quirks: string[];
}

export type Dc09Failure =
  | { reply: 'NAK'; problem: 'crc' | 'length' | 'format' | 'time'; message: string }
  | { reply: 'DUH'; problem: 'key' | 'unknown-id'; message: string; partial: Partial<Dc09Message> }
  /**
   * A substitution attempt (EN 50136): plaintext for an account that has a key, or a
   * data block naming another account than the header. DUH, "received, will not be
   * processed": a NAK would invite the same frame again with a fresh timestamp.
   */
  | { reply: 'DUH'; problem: 'plaintext' | 'account-mismatch'; message: string; partial: Partial<Dc09Message> };

export interface AccountSettings {
  key: Buffer | null;
  /** Minutes the panel's clock is ahead of UTC (panels sending local time). */
  clockOffsetMinutes: number;
}

export interface ParseOptions {
  now: number;
  settingsFor(account: string | null): AccountSettings | null;
  /** Encrypted frames outside [now - past, now + future] are refused (NAK with our time). */
  windowPastMs?: number;
  windowFutureMs?: number;
}

const HEADER = /^"(\*?)([A-Z0-9-]+)"(\d{1,4})(?:R([0-9A-Fa-f]{1,6}))?L([0-9A-Fa-f]{0,6})(?:#([0-9A-Fa-f]{0,16}))?\[/;
const TIMESTAMP = /_(\d\d):(\d\d):(\d\d),(\d\d)-(\d\d)-(\d{4})$/;
const KNOWN_IDS = new Set(['SIA-DCS', 'ADM-CID', 'NULL']);

// Module-level helpers, not closures: parseFrame runs per frame and tsx names every closure it creates.
function fail(problem: 'crc' | 'length' | 'format' | 'time', message: string): { ok: false; failure: Dc09Failure } {
  return { ok: false, failure: { reply: 'NAK', problem, message } };
}

/** Parses and checks one frame. Never throws: bad input is a failure with the reply to send. */
export function parseFrame(frame: RawFrame, options: ParseOptions): { ok: true; message: Dc09Message } | { ok: false; failure: Dc09Failure } {
  const quirks: string[] = [];
  if (crc16(frame.body) !== frame.crc) return fail('crc', `CRC ${frame.crc.toString(16).toUpperCase()} does not match the frame`);
  if (frame.crcForm === 'binary') quirks.push('binary-crc');
  if (frame.lengthForm === 'wrong' || frame.declaredLength !== frame.body.length)
    return fail('length', `declared length ${frame.declaredLength}, frame has ${frame.body.length}`);
  if (frame.lengthForm === 'decimal') quirks.push('decimal-length');
  const text = frame.body.toString('latin1');
  const h = HEADER.exec(text);
  if (!h) return fail('format', 'not a DC-09 header ("ID"seq[Rrcvr]Lpref[#acct][…)');
  const [, star, id, seq, receiver, prefix, account] = h;
  const encrypted = star === '*';
  if (prefix === '') quirks.push('empty-prefix');
  const acct = account ? account.toUpperCase() : null;
  if (!acct) quirks.push('no-account');
  const settings = options.settingsFor(acct);
  let rest = text.slice(h[0].length - 1); // from '['
  const partial = { id: id!, encrypted, seq: seq!.padStart(4, '0'), receiver: receiver ?? null, prefix: prefix!, account: acct };
  if (!encrypted && settings?.key) return plaintextRefused(acct, partial);
  if (encrypted) {
    const hex = rest.slice(1);
    if (/[a-f]/.test(hex)) quirks.push('lowercase-hex');
    if (!settings?.key) return { ok: false, failure: { reply: 'DUH', problem: 'key', message: `no key for account ${acct ?? '(none)'}`, partial } };
    const plain = decryptBody(hex, settings.key);
    if (plain === null)
      return { ok: false, failure: { reply: 'DUH', problem: 'key', message: `cannot decrypt: wrong key for account ${acct ?? '(none)'}`, partial } };
    rest = `[${plain}`;
  }
  // Timestamp at the very end (inside the encrypted part when encrypted).
  let timestamp: Date | null = null;
  const ts = TIMESTAMP.exec(rest);
  if (ts) {
    const [, hh, mi, ss, mo, dd, yyyy] = ts.map(Number) as number[];
    const t = Date.UTC(yyyy!, mo! - 1, dd!, hh!, mi!, ss!);
    if (Number.isFinite(t) && mo! >= 1 && mo! <= 12 && dd! >= 1 && dd! <= 31 && hh! < 24 && mi! < 60 && ss! < 61) {
      timestamp = new Date(t - (settings?.clockOffsetMinutes ?? 0) * 60_000);
      if (settings?.clockOffsetMinutes) quirks.push('local-time');
    } else {
      return fail('format', `impossible timestamp ${ts[0]}`);
    }
    rest = rest.slice(0, ts.index);
  } else if (encrypted) {
    return fail('time', 'an encrypted frame must carry a timestamp');
  }
  if (encrypted && timestamp) {
    const skew = timestamp.getTime() - options.now;
    if (skew < -(options.windowPastMs ?? 40_000) || skew > (options.windowFutureMs ?? 20_000)) {
      return fail('time', `timestamp ${timestamp.toISOString()} is ${Math.round(skew / 1000)} s from the receiver's clock`);
    }
  }
  // Blocks: [data][x-data]…
  const blocks: string[] = [];
  let i = 0;
  while (i < rest.length) {
    if (rest[i] !== '[') return fail('format', `unexpected "${rest.slice(i, i + 10)}" after the data block`);
    const close = rest.indexOf(']', i);
    if (close < 0) return fail('format', 'unterminated [ block');
    blocks.push(rest.slice(i + 1, close));
    i = close + 1;
  }
  if (blocks.length === 0) return fail('format', 'no data block');
  const data = blocks[0]!;
  const xdata: Dc09Message['xdata'] = [];
  for (let b = 1; b < blocks.length; b++) if (blocks[b]!.length > 0) xdata.push({ type: blocks[b]![0]!, value: blocks[b]!.slice(1) });
  if (!KNOWN_IDS.has(id!)) {
    return { ok: false, failure: { reply: 'DUH', problem: 'unknown-id', message: `unsupported message id "${id}"`, partial } };
  }
  const parsed = parseData(id!, data, acct);
  if ('error' in parsed) return fail('format', parsed.error);
  if (acct !== null && parsed.account !== null && parsed.account !== acct) {
    const message = `data block names account ${parsed.account}, header ${acct}`;
    return { ok: false, failure: { reply: 'DUH', problem: 'account-mismatch', message, partial } };
  }
  // No header account: the data block's account is the account, and its key rules.
  if (acct === null && parsed.account !== null && !encrypted && options.settingsFor(parsed.account)?.key) {
    return plaintextRefused(parsed.account, { ...partial, account: parsed.account });
  }
  return {
    ok: true,
    message: { ...partial, account: parsed.account ?? acct, data, events: parsed.events, xdata, timestamp, quirks },
  };
}

function plaintextRefused(account: string | null, partial: Partial<Dc09Message>): { ok: false; failure: Dc09Failure } {
  return {
    ok: false,
    failure: { reply: 'DUH', problem: 'plaintext', message: `plaintext frame for account ${account ?? '(none)'}, which has a key`, partial },
  };
}

const SIA_TOKEN = /^(?:ri(\d{1,4}))?(?:ti(\d\d:\d\d))?(?:id(\d{1,6}))?(?:pi(\d{1,4}))?(?:([A-Z]{2})(.*))?$/;
const CID = /^([136])\s?(\d{3})\s?([0-9A-Fa-f]{2})\s?([0-9A-Fa-f]{3})$/;

function parseData(id: string, data: string, headerAccount: string | null): { events: Dc09Event[]; account: string | null } | { error: string } {
  let body = data;
  let account = headerAccount;
  if (body.startsWith('#')) {
    const bar = body.indexOf('|');
    if (bar < 0) return { error: 'data block account without "|"' };
    account = body.slice(1, bar).toUpperCase() || headerAccount;
    body = body.slice(bar + 1);
  }
  if (id === 'NULL') return { events: [], account };
  if (id === 'ADM-CID') {
    const m = CID.exec(body.trim());
    if (!m) return { error: `Contact ID data must be "QEEE GG ZZZ", got "${body.slice(0, 30)}"` };
    return {
      events: [{ protocol: 'cid', qualifier: Number(m[1]) as 1 | 3 | 6, code: m[2]!, partition: m[3]!.toUpperCase(), zoneOrUser: m[4]!.toUpperCase() }],
      account,
    };
  }
  // SIA-DCS: N (new) or O (old) then tokens separated by '/', modifiers carrying over.
  const newEvent = body[0] !== 'O';
  if (body[0] === 'N' || body[0] === 'O') body = body.slice(1);
  const events: Dc09Event[] = [];
  let area: string | null = null;
  let user: string | null = null;
  let time: string | null = null;
  for (const token of body.split('/')) {
    if (token === '') continue;
    const m = SIA_TOKEN.exec(token);
    if (!m) return { error: `cannot read SIA event "${token.slice(0, 30)}"` };
    if (m[1] !== undefined) area = m[1];
    if (m[2] !== undefined) time = m[2];
    if (m[3] !== undefined) user = m[3];
    if (m[5] !== undefined) {
      const rest = m[6] ?? '';
      const num = /^(\d{1,6})(.*)$/.exec(rest);
      events.push({
        protocol: 'sia',
        code: m[5],
        number: num ? num[1]! : null,
        area,
        user,
        time,
        text: (num ? num[2]! : rest).replace(/^\^|\^$/g, '') || null,
        newEvent,
      });
    }
  }
  if (events.length === 0) return { error: 'SIA data block without an event code' };
  return { events, account };
}
