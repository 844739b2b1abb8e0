import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc16, crcHex } from '../../src/adapters/protocols/dc09/crc.js';
import { encryptBody, parseKey } from '../../src/adapters/protocols/dc09/dc09-crypto.js';
import { dc09Timestamp } from '../../src/adapters/protocols/dc09/dc09-reply.js';

/** The DC-09 frame corpus (test/dc09-corpus/*.json, described in its README). */

export interface CorpusAccount {
  key?: string;
  keyFormat?: 'hex' | 'ascii' | 'auto';
  clockOffsetMinutes?: number;
  relayFor?: string[];
}

export interface ExpectedSignal {
  account?: string | null;
  code?: string;
  zone?: string | null;
  user?: string | null;
  area?: string | null;
  text?: string | null;
  kind?: string;
}

export interface CorpusCase {
  name: string;
  source: string;
  file: string;
  body: string;
  tsOffsetSeconds?: number;
  encrypt?: { key: string; as: 'hex' | 'ascii'; bar?: boolean; lowercase?: boolean };
  bytes?: 'utf8' | 'latin1';
  framing?: { lengthDelta?: number; crc?: 'bad' | 'binary'; length?: 'decimal' };
  expect: { reply: 'ACK' | '*ACK' | 'NAK' | 'DUH'; replyHead?: string; events?: ExpectedSignal[]; flags?: string[] };
}

export const CORPUS_DIR = join(import.meta.dirname, '..', 'dc09-corpus');

export function loadCorpus(): { accounts: Map<string, CorpusAccount>; cases: CorpusCase[] } {
  const accounts = new Map<string, CorpusAccount>();
  const cases: CorpusCase[] = [];
  for (const file of readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const data = JSON.parse(readFileSync(join(CORPUS_DIR, file), 'utf8')) as { accounts?: Record<string, CorpusAccount>; cases: Omit<CorpusCase, 'file'>[] };
    for (const [account, settings] of Object.entries(data.accounts ?? {})) accounts.set(account, settings);
    for (const c of data.cases) cases.push({ ...c, file });
  }
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`corpus case name ${c.name} is used twice`);
    names.add(c.name);
  }
  // The local-time case's account sends UTC+1.
  accounts.set('C004', { ...accounts.get('C004'), clockOffsetMinutes: 60 });
  return { accounts, cases };
}

/** The frame's bytes at receiver time `now`: timestamp filled in, encrypted and framed as the case says. */
export function corpusFrame(c: CorpusCase, now: number): Buffer {
  let text = c.body.replace('{ts}', dc09Timestamp(now + (c.tsOffsetSeconds ?? 0) * 1000));
  if (c.bytes === 'utf8') text = Buffer.from(text, 'utf8').toString('latin1');
  if (c.encrypt) {
    const open = text.indexOf('[');
    const key = parseKey(c.encrypt.key, c.encrypt.as)!;
    let hex = encryptBody(text.slice(open + 1), key, { bar: c.encrypt.bar ?? true });
    if (c.encrypt.lowercase) hex = hex.toLowerCase();
    text = `${text.slice(0, open + 1)}${hex}`;
  }
  const body = Buffer.from(text, 'latin1');
  const length = body.length + (c.framing?.lengthDelta ?? 0);
  const lengthText = c.framing?.length === 'decimal' ? String(length).padStart(3, '0') : length.toString(16).toUpperCase().padStart(3, '0');
  const crc = c.framing?.crc === 'bad' ? (crc16(body) ^ 0x0101).toString(16).toUpperCase().padStart(4, '0') : crcHex(text);
  if (c.framing?.crc === 'binary') {
    const value = crc16(body);
    return Buffer.concat([Buffer.from([0x0a, value >> 8, value & 0xff]), Buffer.from(`0${lengthText}`, 'latin1'), body, Buffer.from('\r')]);
  }
  return Buffer.concat([Buffer.from(`\n${crc}0${lengthText}`, 'latin1'), body, Buffer.from('\r')]);
}

/** Accounts named by any case (the signals a replay looks at). */
export function corpusAccounts(cases: CorpusCase[]): Set<string | null> {
  const out = new Set<string | null>([null]);
  for (const c of cases) {
    for (const m of c.body.matchAll(/#([0-9A-F]{3,16})/g)) out.add(m[1]!);
    for (const e of c.expect.events ?? []) if (e.account !== undefined) out.add(e.account);
  }
  out.add('C001');
  return out;
}

/** What a reply frame's body says: kind (with * when encrypted) and the text from the opening quote. */
export function readReplyText(reply: string): { kind: string; body: string } {
  const body = reply.replace(/^\n/, '').slice(8).replace(/\r$/, '');
  const m = /^"(\*?[A-Z]+)"/.exec(body);
  return { kind: m?.[1] ?? 'invalid', body };
}
