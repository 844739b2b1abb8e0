import { crc16 } from './crc.js';
import { encryptBody } from './dc09-crypto.js';

/** `_HH:MM:SS,MM-DD-YYYY` in UTC. */
export function dc09Timestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `_${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())},${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${d.getUTCFullYear()}`;
}

/** Wraps a body ("ID"…) into a frame: LF, CRC, 0LLL length, body, CR. */
export function frameOf(body: string): Buffer {
  const length = body.length; // latin1: one byte per character
  if (length > 0xfff) throw new Error(`DC-09 body of ${length} bytes exceeds the 0LLL length field`);
  // One buffer: the body written after the 9-byte head, its CRC computed in place (every ACK is one).
  const out = Buffer.allocUnsafe(length + 10);
  out.write(body, 9, 'latin1');
  const crc = crc16(out, 9, 9 + length);
  out[0] = 0x0a;
  for (let i = 0; i < 4; i++) out[1 + i] = HEX[(crc >>> (12 - 4 * i)) & 0xf]!;
  out[5] = 0x30;
  for (let i = 0; i < 3; i++) out[6 + i] = HEX[(length >>> (8 - 4 * i)) & 0xf]!;
  out[9 + length] = 0x0d;
  return out;
}
/** '0'–'9', 'A'–'F' as bytes. */
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');

export interface ReplyTo {
  seq: string;
  receiver: string | null;
  prefix: string;
  account: string | null;
}

const route = (r: ReplyTo): string => `${r.seq}${r.receiver !== null ? `R${r.receiver}` : ''}L${r.prefix || '0'}${r.account !== null ? `#${r.account}` : ''}`;

/** ACK echoing sequence, receiver, prefix and account; encrypted (*ACK) when the frame was. */
export function ackFrame(to: ReplyTo, now: number, key: Buffer | null): Buffer {
  if (key) return frameOf(`"*ACK"${route(to)}[${encryptBody(`]${dc09Timestamp(now)}`, key)}`);
  return frameOf(`"ACK"${route(to)}[]`);
}

/** NAK is never encrypted and carries the receiver's time so the panel can resynchronise. */
export function nakFrame(now: number): Buffer {
  return frameOf(`"NAK"0000R0L0A0[]${dc09Timestamp(now)}`);
}

/** DUH: received but cannot be processed (unknown id, wrong key). */
export function duhFrame(to: ReplyTo): Buffer {
  return frameOf(`"DUH"${route(to)}[]`);
}

/** A frame as a panel sends it (the dialler, tests, load generator), in the standard form or a variant. */
export function signalFrame(input: {
  id: 'SIA-DCS' | 'ADM-CID' | 'NULL';
  seq: number;
  receiver?: string;
  /** The L field's digits; null leaves the L field out (some diallers). */
  prefix?: string | null;
  /** The header's account; null leaves it out. */
  account: string | null;
  data: string;
  /**
   * What precedes the data in the data block: 'account' (`#acct|`, the default), 'bar'
   * (`|` alone), 'none' (the data alone), or another account's number (`#other|`).
   */
  dataAccount?: 'account' | 'bar' | 'none' | { other: string };
  xdata?: string[];
  key?: Buffer | null;
  /** Encrypted: the padding without the '|' after it (some wireless panels). */
  padWithoutBar?: boolean;
  /** Plaintext: leave the timestamp out (the standard makes it optional in clear). */
  timestamp?: boolean;
  now: number;
}): Buffer {
  const prefix = input.prefix === null ? '' : `L${input.prefix ?? '0'}`;
  const head = `${String(input.seq % 10000).padStart(4, '0')}${input.receiver ? `R${input.receiver}` : ''}${prefix}${input.account !== null ? `#${input.account}` : ''}`;
  const form = input.dataAccount ?? 'account';
  const lead = typeof form === 'object' ? `#${form.other}|` : form === 'bar' ? '|' : form === 'none' || input.account === null ? '' : `#${input.account}|`;
  const time = input.timestamp === false && !input.key ? '' : dc09Timestamp(input.now);
  const content = `${input.data ? `${lead}${input.data}` : ''}]${(input.xdata ?? []).map((x) => `[${x}]`).join('')}${time}`;
  if (input.key) return frameOf(`"*${input.id}"${head}[${encryptBody(content, input.key, { bar: !input.padWithoutBar })}`);
  return frameOf(`"${input.id}"${head}[${content}`);
}
