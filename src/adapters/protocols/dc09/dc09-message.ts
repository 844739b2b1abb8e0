import { crc16 } from './crc.js';
import { decryptBodyDetailed } from './dc09-crypto.js';
import type { RawFrame } from './dc09-framer.js';

/** One event inside a DC-09 data block, before normalisation by the code tables. */
export type Dc09Event =
  | {
      protocol: 'sia';
      code: string;
      number: string | null;
      area: string | null;
      user: string | null;
      /** `ti` modifier as sent: hh:mm or hh:mm:ss. */
      time: string | null;
      /** `^text^` after the code and number (zone name, user name…). */
      text: string | null;
      /** `^text^` after the `ri` group (area name, e.g. Jablotron). */
      areaText: string | null;
      newEvent: boolean;
    }
  | { protocol: 'cid'; qualifier: 1 | 3 | 6; code: string; partition: string; zoneOrUser: string };

export interface Dc09Message {
  id: 'SIA-DCS' | 'ADM-CID' | 'NULL' | string;
  encrypted: boolean;
  seq: string;
  receiver: string | null;
  prefix: string;
  /** Whose events these are: the header's account, else (no header account) the data block's. */
  account: string | null;
  /** The header's account (`#acct` before `[`): what replies echo and whose key decrypts. */
  headerAccount: string | null;
  /** The data block's account (`#acct|` inside `[`), null when it names none. */
  dataAccount?: string | null;
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
  /** Transport problems only (CRC, length, timestamp): the panel sends again. */
  | { reply: 'NAK'; problem: 'crc' | 'length' | 'time'; message: string }
  /** Well framed but unusable (key, id, content format): "received, will not be processed". */
  | { reply: 'DUH'; problem: 'key' | 'unknown-id' | 'format'; message: string; partial: Partial<Dc09Message> }
  /**
   * A substitution attempt (EN 50136): plaintext for an account that has a key, or a
   * data block naming another account than the header. DUH, "received, will not be
   * processed": a NAK would invite the same frame again with a fresh timestamp.
   */
  | { reply: 'DUH'; problem: 'plaintext' | 'account-mismatch'; message: string; partial: Partial<Dc09Message> };

export interface AccountSettings {
  key: Buffer | null;
  /**
   * A second reading of the key, tried when the first does not decrypt: the ASCII bytes of
   * a 32-character key that also reads as hex (set only for keys whose format is "auto").
   */
  asciiKey?: Buffer | null;
  /** Accounts this account's encrypted frames may name in their data block ('*' any): a dialler in front of panels. */
  relayFor?: readonly string[];
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

/** `"ID"seq[Rrcvr][Lpref][#acct][`: L is required by the standard, absent in some diallers' frames; `L0A0` is the prefix "0A0". */
const HEADER = /^"(\*?)([A-Z0-9-]+)"(\d{1,4})(?:R([0-9A-Fa-f]{1,6}))?(L([0-9A-Fa-f]{0,6}))?(?:#([0-9A-Fa-f]{0,16}))?\[/;
const TIMESTAMP = /_(\d\d):(\d\d):(\d\d),(\d\d)-(\d\d)-(\d{4})$/;
const KNOWN_IDS = new Set(['SIA-DCS', 'ADM-CID', 'NULL']);

// Module-level helpers, not closures: parseFrame runs per frame and tsx names every closure it creates.
function fail(problem: 'crc' | 'length' | 'time', message: string): { ok: false; failure: Dc09Failure } {
  return { ok: false, failure: { reply: 'NAK', problem, message } };
}

function unusable(message: string, partial: Partial<Dc09Message>): { ok: false; failure: Dc09Failure } {
  return { ok: false, failure: { reply: 'DUH', problem: 'format', message, partial } };
}

/**
 * Text as sent: UTF-8 when the bytes are valid UTF-8 with some non-ASCII in them (how
 * current panels send names), else Windows-1252 (DC-09:2013 §5.5.1.8 allows it in x-data;
 * older panels), ASCII untouched.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Windows-1252 at 0x80–0x9F (elsewhere it is ISO 8859-1); unassigned bytes stay as they are. */
const CP1252_80 = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ';
export function textOf(latin1: string): string {
  if (!/[\x80-\xff]/.test(latin1)) return latin1;
  try {
    return UTF8.decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_80[c.charCodeAt(0) - 0x80]!);
  }
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
  if (!h) return unusable('not a DC-09 header ("ID"seq[Rrcvr]Lpref[#acct][…)', {});
  const [, star, id, seq, receiver, lField, prefixDigits, account] = h;
  const encrypted = star === '*';
  const prefix = prefixDigits ?? '';
  if (lField === undefined) quirks.push('no-prefix-field');
  else if (prefix === '') quirks.push('empty-prefix');
  const acct = account ? account.toUpperCase() : null;
  if (!acct) quirks.push('no-account');
  const settings = options.settingsFor(acct);
  let rest = text.slice(h[0].length - 1); // from '['
  const partial = { id: id!, encrypted, seq: seq!.padStart(4, '0'), receiver: receiver ?? null, prefix, account: acct, headerAccount: acct };
  if (!encrypted && settings?.key) return plaintextRefused(acct, partial);
  if (encrypted) {
    const hex = rest.slice(1);
    if (/[a-f]/.test(hex)) quirks.push('lowercase-hex');
    if (!settings?.key) return { ok: false, failure: { reply: 'DUH', problem: 'key', message: `no key for account ${acct ?? '(none)'}`, partial } };
    let plain = decryptBodyDetailed(hex, settings.key);
    if (plain === null && settings.asciiKey) {
      plain = decryptBodyDetailed(hex, settings.asciiKey);
      if (plain) quirks.push('ascii-key');
    }
    if (plain === null)
      return { ok: false, failure: { reply: 'DUH', problem: 'key', message: `cannot decrypt: wrong key for account ${acct ?? '(none)'}`, partial } };
    if (plain.padWithoutBar) quirks.push('pad-without-bar');
    rest = `[${plain.content}`;
  }
  // Timestamp at the very end (inside the encrypted part when encrypted).
  let timestamp: Date | null = null;
  const ts = TIMESTAMP.exec(rest);
  if (ts) {
    // Fields read one by one (destructuring the match would go through its iterator, per frame).
    const hh = Number(ts[1]);
    const mi = Number(ts[2]);
    const ss = Number(ts[3]);
    const mo = Number(ts[4]);
    const dd = Number(ts[5]);
    const t = Date.UTC(Number(ts[6]), mo - 1, dd, hh, mi, ss);
    if (Number.isFinite(t) && mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31 && hh < 24 && mi < 60 && ss < 61) {
      timestamp = new Date(t - (settings?.clockOffsetMinutes ?? 0) * 60_000);
      if (settings?.clockOffsetMinutes) quirks.push('local-time');
    } else {
      return fail('time', `impossible timestamp ${ts[0]}`);
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
    if (rest[i] !== '[') return unusable(`unexpected "${rest.slice(i, i + 10)}" after the data block`, partial);
    const close = rest.indexOf(']', i);
    if (close < 0) return unusable('unterminated [ block', partial);
    blocks.push(rest.slice(i + 1, close));
    i = close + 1;
  }
  if (blocks.length === 0) return unusable('no data block', partial);
  const data = blocks[0]!;
  const xdata: Dc09Message['xdata'] = [];
  for (let b = 1; b < blocks.length; b++) if (blocks[b]!.length > 0) xdata.push({ type: blocks[b]![0]!, value: textOf(blocks[b]!.slice(1)) });
  if (!KNOWN_IDS.has(id!)) {
    return { ok: false, failure: { reply: 'DUH', problem: 'unknown-id', message: `unsupported message id "${id}"`, partial } };
  }
  const parsed = parseData(id!, data, acct);
  if ('error' in parsed) return unusable(parsed.error, partial);
  for (const q of parsed.quirks) quirks.push(q);
  if (acct !== null && parsed.account !== null && parsed.account !== acct) {
    // An encrypted frame speaks for the account whose key decrypted it, and for no other
    // (EN 50136 substitution) unless that account is set to relay for the one named (a dialler
    // in front of panels). A plaintext frame proves nothing either way: it may carry another
    // account's events unless that account has a key.
    if (encrypted && (settings?.relayFor?.includes(parsed.account) || settings?.relayFor?.includes('*'))) quirks.push('relayed');
    else if (encrypted) {
      const message = `data block names account ${parsed.account}, header ${acct}`;
      return { ok: false, failure: { reply: 'DUH', problem: 'account-mismatch', message, partial } };
    }
    quirks.push('other-account-in-data');
  }
  // The data block's account names whose events these are, and its key rules.
  if (parsed.account !== null && parsed.account !== acct && !encrypted && options.settingsFor(parsed.account)?.key) {
    return plaintextRefused(parsed.account, { ...partial, account: parsed.account });
  }
  // Written out, not `{ ...partial, … }`: V8 (Node 20) makes new hidden classes for a spread
  // object that then gains more properties, on every call — about 3 KB and 25 µs per frame.
  const message: Dc09Message = {
    id: partial.id,
    encrypted,
    seq: partial.seq,
    receiver: partial.receiver,
    prefix,
    account: acct ?? parsed.account,
    headerAccount: acct,
    dataAccount: parsed.named,
    data,
    events: parsed.events,
    xdata,
    timestamp,
    quirks,
  };
  return { ok: true, message };
}

function plaintextRefused(account: string | null, partial: Partial<Dc09Message>): { ok: false; failure: Dc09Failure } {
  return {
    ok: false,
    failure: { reply: 'DUH', problem: 'plaintext', message: `plaintext frame for account ${account ?? '(none)'}, which has a key`, partial },
  };
}

/** `[ri<area>[^name^]][ti<hh:mm[:ss]>][id<user>][pi<peripheral>][<code><number>[^text^]]`, modifiers carrying over to later events. */
const SIA_TOKEN = /^(?:ri(\d{1,4})(?:\^([^^]*)\^)?)?(?:ti(\d\d:\d\d(?::\d\d)?))?(?:id(\d{1,6}))?(?:pi(\d{1,4}))?(?:([A-Z]{2})(.*))?$/;
const CID = /^([136])\s?(\d{3})\s?([0-9A-Fa-f]{2})\s?([0-9A-Fa-f]{3})$/;
/** `5004|` at the start of a data block: an account without its '#'. */
const BARE_ACCOUNT = /^([0-9A-Fa-f]{3,16})\|/;

function parseData(
  id: string,
  data: string,
  headerAccount: string | null,
): { events: Dc09Event[]; account: string | null; named: string | null; quirks: string[] } | { error: string } {
  let body = data;
  let account = headerAccount;
  let named: string | null = null;
  const quirks: string[] = [];
  const bare = BARE_ACCOUNT.exec(body);
  if (body.startsWith('#')) {
    const bar = body.indexOf('|');
    if (bar < 0) return { error: 'data block account without "|"' };
    named = body.slice(1, bar).toUpperCase() || null;
    account = named ?? headerAccount;
    body = body.slice(bar + 1);
  } else if (bare) {
    // "[5004|Nri1/HA1]": the account without its '#' (seen from PHP and other home-made senders).
    quirks.push('data-account-without-hash');
    named = bare[1]!.toUpperCase();
    account = named;
    body = body.slice(bare[0].length);
  } else if (body.startsWith('|')) {
    // "[|Nri1/BA001]": the bar without the account before it (the header's account applies).
    quirks.push('bar-without-account');
    body = body.slice(1);
  }
  if (id === 'NULL') return { events: [], account, named, quirks };
  if (body.trim() === '') {
    // "[]": nothing to report (some panels poll with an empty SIA-DCS or ADM-CID frame).
    quirks.push('empty-data');
    return { events: [], account, named, quirks };
  }
  if (id === 'ADM-CID') {
    const m = CID.exec(body.trim());
    if (!m) return { error: `Contact ID data must be "QEEE GG ZZZ", got "${body.slice(0, 30)}"` };
    return {
      events: [{ protocol: 'cid', qualifier: Number(m[1]) as 1 | 3 | 6, code: m[2]!, partition: m[3]!.toUpperCase(), zoneOrUser: m[4]!.toUpperCase() }],
      account,
      named,
      quirks,
    };
  }
  // SIA-DCS: N (new) or O (old) then tokens separated by '/', modifiers carrying over.
  const newEvent = body[0] !== 'O';
  if (body[0] === 'N' || body[0] === 'O') body = body.slice(1);
  const events: Dc09Event[] = [];
  let area: string | null = null;
  let areaText: string | null = null;
  let user: string | null = null;
  let time: string | null = null;
  for (const token of splitTokens(body)) {
    if (token === '') continue;
    const m = SIA_TOKEN.exec(token);
    if (!m) return { error: `cannot read SIA event "${token.slice(0, 30)}"` };
    if (m[1] !== undefined) {
      area = m[1];
      areaText = m[2] !== undefined ? textOf(m[2]) || null : null;
    }
    if (m[3] !== undefined) time = m[3];
    if (m[4] !== undefined) user = m[4];
    if (m[6] !== undefined) {
      const rest = m[7] ?? '';
      const num = /^(\d{1,6})(.*)$/.exec(rest);
      const text = (num ? num[2]! : rest).replace(/^\^|\^$/g, '');
      events.push({ protocol: 'sia', code: m[6], number: num ? num[1]! : null, area, user, time, text: textOf(text) || null, areaText, newEvent });
    }
  }
  if (events.length === 0) return { error: 'SIA data block without an event code' };
  return { events, account, named, quirks };
}

/** Splits on '/' outside ^text^ (a name may hold a slash). */
function splitTokens(body: string): string[] {
  if (!body.includes('^')) return body.split('/');
  const tokens: string[] = [];
  let current = '';
  let inText = false;
  for (const c of body) {
    if (c === '^') inText = !inText;
    if (c === '/' && !inText) {
      tokens.push(current);
      current = '';
    } else current += c;
  }
  tokens.push(current);
  return tokens;
}
