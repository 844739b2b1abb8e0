/**
 * Syslog messages as devices and firewalls send them: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP
 * PROCID MSGID [SD] MSG`), and the older BSD form of RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST
 * TAG[pid]: MSG`) that many appliances still emit. The parser never throws: what it cannot
 * read is a refusal with a reason; what it can, but loosely (no PRI, no timestamp), is read
 * with the defaults RFC 3164 § 4.3 gives (user.notice, the time of reception).
 *
 * Framing on TCP (RFC 6587): octet counting (`LEN SP MSG`) or one message per line (LF);
 * the framer tells the two apart per message by the first byte, as rsyslog does.
 */

export const SYSLOG_MAX_BYTES_DEFAULT = 8192;

export interface SyslogMessage {
  /** 0 (emergency) … 7 (debug). */
  severity: number;
  /** 0 … 23 (4 auth, 10 authpriv, 16–23 local0–7). */
  facility: number;
  /** 5424: 1; 3164: 0. */
  version: 0 | 1;
  /** ISO 8601 UTC of the message's own timestamp, null when it had none (or none readable). */
  timestamp: string | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  /** Structured data: SD-ID → parameters (the last of a repeated name wins). */
  structured: Record<string, Record<string, string>>;
  message: string;
}

export type SyslogParse = { ok: true; message: SyslogMessage } | { ok: false; problem: string };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const NIL = '-';
/** RFC 5424 § 6.2.7 SD-NAME: printable US-ASCII except '=', ' ', ']', '"'; 1–32 characters (checked by code, not a regular expression: twice per parameter). */
function isSdName(s: string): boolean {
  if (s.length === 0 || s.length > 32) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x3d || c === 0x22 || c === 0x5d) return false;
  }
  return true;
}
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function fail(problem: string): SyslogParse {
  return { ok: false, problem };
}

/** `<PRI>` at the start: [value, length consumed], or null when absent or malformed. */
function readPri(s: string): [number, number] | null {
  if (s[0] !== '<') return null;
  const end = s.indexOf('>', 1);
  if (end < 2 || end > 4) return null;
  const digits = s.slice(1, end);
  if (!/^\d{1,3}$/.test(digits) || (digits.length > 1 && digits[0] === '0')) return null;
  const pri = Number(digits);
  return pri > 191 ? null : [pri, end + 1];
}

function rfc3339(s: string): string | null {
  const m = RFC3339.exec(s);
  if (!m) return null;
  const mo = +m[2]!,
    d = +m[3]!,
    h = +m[4]!,
    mi = +m[5]!,
    sec = +m[6]!;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return null;
  // Already UTC with milliseconds: as it is (the common case, no Date round trip).
  if (m[8] === 'Z' && m[7]?.length === 4 && sec < 60 && d <= 28) return s;
  const t = Date.parse(m[7] && m[7].length > 4 ? s.replace(/(\.\d{3})\d+/, '$1') : s);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** Reads RFC 5424 STRUCTURED-DATA from `s` at `i`: the elements and where they end, or a problem. */
function readStructured(s: string, i: number): { sd: Record<string, Record<string, string>>; end: number } | string {
  // No prototype: an SD-ID such as "__proto__" is data like any other.
  const sd: Record<string, Record<string, string>> = Object.create(null) as Record<string, Record<string, string>>;
  if (s[i] === NIL) return { sd, end: i + 1 };
  if (s[i] !== '[') return 'structured data must be "-" or start with "["';
  while (s[i] === '[') {
    i++;
    let j = i;
    while (j < s.length && s[j] !== ' ' && s[j] !== ']') j++;
    const id = s.slice(i, j);
    if (!isSdName(id)) return `bad SD-ID "${id.slice(0, 40)}"`;
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    i = j;
    while (s[i] === ' ') {
      i++;
      const eq = s.indexOf('=', i);
      if (eq < 0) return 'an SD-PARAM without "="';
      const name = s.slice(i, eq);
      if (!isSdName(name)) return `bad SD-PARAM name "${name.slice(0, 40)}"`;
      if (s[eq + 1] !== '"') return `SD-PARAM ${name} is not quoted`;
      let value = '';
      let k = eq + 2;
      const quote = s.indexOf('"', k);
      const slash = s.indexOf('\\', k);
      if (quote >= 0 && (slash < 0 || slash > quote)) {
        // No escape before the closing quote: one slice.
        value = s.slice(k, quote);
        k = quote;
      } else {
        for (; k < s.length && s[k] !== '"'; k++) {
          if (s[k] === '\\' && k + 1 < s.length && (s[k + 1] === '"' || s[k + 1] === '\\' || s[k + 1] === ']')) k++;
          value += s[k];
        }
      }
      if (k >= s.length) return `SD-PARAM ${name} is not closed`;
      params[name] = value;
      i = k + 1;
    }
    if (s[i] !== ']') return `SD element ${id} is not closed`;
    i++;
    // A repeated SD-ID adds to the first (the last of a repeated name wins).
    const seen = sd[id];
    if (seen) Object.assign(seen, params);
    else sd[id] = params;
  }
  return { sd, end: i };
}

function field(s: string): string | null {
  return s === NIL ? null : s;
}

/** One RFC 5424 message after `<PRI>` (the text starts with the version "1 "). */
function parse5424(pri: number, s: string): SyslogParse {
  const parts: string[] = [];
  let i = 2;
  for (let n = 0; n < 5; n++) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) return fail('RFC 5424 header is incomplete');
    parts.push(s.slice(i, sp));
    i = sp + 1;
  }
  const [ts, host, app, proc, msgId] = parts as [string, string, string, string, string];
  if (host.length > 255 || app.length > 48 || proc.length > 128 || msgId.length > 32) return fail('an RFC 5424 header field is too long');
  const timestamp = ts === NIL ? null : rfc3339(ts);
  if (ts !== NIL && timestamp === null) return fail(`bad RFC 5424 timestamp "${ts.slice(0, 40)}"`);
  const structured = readStructured(s, i);
  if (typeof structured === 'string') return fail(structured);
  let message = s.slice(structured.end);
  if (message.length > 0) {
    if (message[0] !== ' ') return fail('text after the structured data must follow a space');
    message = message.slice(1);
  }
  if (message.startsWith('\uFEFF')) message = message.slice(1);
  return {
    ok: true,
    message: {
      severity: pri & 7,
      facility: pri >> 3,
      version: 1,
      timestamp,
      hostname: field(host),
      appName: field(app),
      procId: field(proc),
      msgId: field(msgId),
      structured: structured.sd,
      message,
    },
  };
}

/** RFC 3164 `Mmm dd hh:mm:ss` (day space-padded), in the year of `now` (or the one before, for a December line read in January). */
function bsdTime(s: string, now: number): string | null {
  const m = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]!);
  const day = Number(m[2]!.trim());
  const [h, mi, sec] = [Number(m[3]), Number(m[4]), Number(m[5])];
  if (month < 0 || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 59) return null;
  const year = new Date(now).getUTCFullYear();
  let t = Date.UTC(year, month, day, h, mi, sec);
  if (t - now > 7 * 86_400_000) t = Date.UTC(year - 1, month, day, h, mi, sec);
  return new Date(t).toISOString();
}

/** RFC 3164 (BSD) after `<PRI>`: tolerant, as § 4.3 asks of a relay. */
function parse3164(pri: number, s: string, now: number): SyslogParse {
  let timestamp: string | null = null;
  let rest = s;
  const bsd = bsdTime(s.slice(0, 15), now);
  if (bsd) {
    timestamp = bsd;
    rest = s.slice(s[15] === ' ' ? 16 : 15);
  } else {
    // Some senders put an RFC 3339 time in the BSD form.
    const sp = s.indexOf(' ');
    const iso = sp > 0 ? rfc3339(s.slice(0, sp)) : null;
    if (iso) {
      timestamp = iso;
      rest = s.slice(sp + 1);
    }
  }
  let hostname: string | null = null;
  let appName: string | null = null;
  let procId: string | null = null;
  if (timestamp) {
    // HOSTNAME then TAG: a word without ':' or '[' before the tag, only when a time was there.
    const sp = rest.indexOf(' ');
    const word = sp > 0 ? rest.slice(0, sp) : '';
    if (word && !/[:[\]]/.test(word) && word.length <= 255) {
      hostname = word;
      rest = rest.slice(sp + 1);
    }
  }
  const tag = /^([\w./-]{1,48})(?:\[([^\]\s]{1,128})\])?: ?/.exec(rest);
  if (tag) {
    appName = tag[1]!;
    procId = tag[2] ?? null;
    rest = rest.slice(tag[0].length);
  }
  return {
    ok: true,
    message: { severity: pri & 7, facility: pri >> 3, version: 0, timestamp, hostname, appName, procId, msgId: null, structured: {}, message: rest },
  };
}

/** Without trailing CR, LF and NUL (a loop: a regular expression anchored at the end scans the whole message). */
function trimEnd(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 0x0d && c !== 0x0a && c !== 0) break;
    end--;
  }
  return end === s.length ? s : s.slice(0, end);
}

/**
 * Parses one syslog message (one UDP datagram or one framed TCP message). `now` dates a BSD
 * timestamp, which has no year. Control characters other than tab end nothing: they are kept
 * (trailing CR/LF/NUL are trimmed).
 */
export function parseSyslog(input: string | Buffer, now: number, maxBytes = SYSLOG_MAX_BYTES_DEFAULT): SyslogParse {
  if ((typeof input === 'string' ? Buffer.byteLength(input) : input.length) > maxBytes) return fail(`message over ${maxBytes} bytes`);
  const s = trimEnd(typeof input === 'string' ? input : input.toString('utf8'));
  if (s.length === 0) return fail('empty message');
  const pri = readPri(s);
  if (!pri) {
    if (s[0] === '<') return fail('bad PRI');
    // No PRI at all: RFC 3164 § 4.3.3, user.notice and the whole text as the message.
    return parse3164(13, s, now);
  }
  const body = s.slice(pri[1]);
  if (body.startsWith('1 ')) return parse5424(pri[0], body);
  return parse3164(pri[0], body, now);
}

function sdEscape(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** Writes an RFC 5424 message (the bench's and the tests' sender; the parser reads it back). */
export function formatSyslog5424(m: Omit<SyslogMessage, 'version'>): string {
  const sd = Object.entries(m.structured);
  const sdText =
    sd.length === 0
      ? NIL
      : sd
          .map(
            ([id, params]) =>
              `[${id}${Object.entries(params)
                .map(([k, v]) => ` ${k}="${sdEscape(v)}"`)
                .join('')}]`,
          )
          .join('');
  const head = `<${m.facility * 8 + m.severity}>1 ${m.timestamp ?? NIL} ${m.hostname ?? NIL} ${m.appName ?? NIL} ${m.procId ?? NIL} ${m.msgId ?? NIL} ${sdText}`;
  return m.message ? `${head} ${m.message}` : head;
}

/**
 * RFC 6587 framing of a TCP stream: octet-counted (`123 <PRI>…`) or LF-terminated messages,
 * chosen per message by its first byte (a digit: counted). A message over `maxBytes` is
 * refused and the stream is given up (`push` returns an error): the sender lost framing.
 */
export class SyslogFramer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBytes = SYSLOG_MAX_BYTES_DEFAULT) {}

  /** Appends bytes; returns the complete messages, or a problem that should close the connection. */
  push(chunk: Buffer): { messages: Buffer[]; problem: string | null } {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    let at = 0;
    const b = this.buffer;
    while (at < b.length) {
      const first = b[at]!;
      if (first === 0x0a || first === 0x0d || first === 0x00) {
        at++;
        continue;
      }
      if (first >= 0x30 && first <= 0x39) {
        let i = at;
        while (i < b.length && i - at < 7 && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
        if (i >= b.length) break;
        if (b[i] !== 0x20) return this.lost(messages, 'octet count not followed by a space');
        const len = Number(b.subarray(at, i).toString('latin1'));
        if (len === 0 || len > this.maxBytes) return this.lost(messages, `octet count ${len} over the limit of ${this.maxBytes}`);
        if (i + 1 + len > b.length) break;
        messages.push(b.subarray(i + 1, i + 1 + len));
        at = i + 1 + len;
        continue;
      }
      const lf = b.indexOf(0x0a, at);
      if (lf < 0) {
        if (b.length - at > this.maxBytes) return this.lost(messages, `line over ${this.maxBytes} bytes`);
        break;
      }
      if (lf - at > this.maxBytes) return this.lost(messages, `line over ${this.maxBytes} bytes`);
      messages.push(b.subarray(at, lf));
      at = lf + 1;
    }
    this.buffer = at >= b.length ? Buffer.alloc(0) : Buffer.from(b.subarray(at));
    return { messages, problem: null };
  }

  private lost(messages: Buffer[], problem: string): { messages: Buffer[]; problem: string } {
    this.buffer = Buffer.alloc(0);
    return { messages, problem };
  }
}
