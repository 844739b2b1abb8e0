import { createCipheriv, createDecipheriv, randomInt } from 'node:crypto';

const ZERO_IV = Buffer.alloc(16);
const HEX = /^[0-9A-Fa-f]+$/;

/**
 * An account key as products give it: 32/48/64 hex characters (16/24/32 bytes) or
 * 16/24/32 ASCII characters used as bytes. Returns null when it is neither.
 */
export function parseKey(key: string, format: 'hex' | 'ascii' | 'auto' = 'auto'): Buffer | null {
  if ((format === 'hex' || format === 'auto') && HEX.test(key) && [32, 48, 64].includes(key.length)) return Buffer.from(key, 'hex');
  if ((format === 'ascii' || format === 'auto') && [16, 24, 32].includes(key.length)) return Buffer.from(key, 'latin1');
  return null;
}

const algorithm = (key: Buffer): string => `aes-${key.length * 8}-cbc`;

/**
 * What decrypted content looks like once its padding is removed: an optional data-block
 * account (`#acct|`) or a bare `|`, printable data without brackets, `]`, x-data blocks
 * and the timestamp. Bytes 0x80–0xFF are allowed (UTF-8 text); controls are not (binary padding).
 */
// eslint-disable-next-line no-control-regex -- binary padding is told from content by its control bytes
const CONTENT = /^(?:#[0-9A-Fa-f]{0,16}\|)?\|?[^[\]|#\x00-\x1f\x7f]*\](?:\[[^\]]*\])*(_\d\d:\d\d:\d\d,\d\d-\d\d-\d{4})?$/;
/** After the padding's '|' only: the data block's account may also come without its '#' ("5004|…"). */
// eslint-disable-next-line no-control-regex -- as above
const CONTENT_AFTER_BAR = /^(?:#[0-9A-Fa-f]{0,16}\||[0-9A-Fa-f]{3,16}\|)?\|?[^[\]|#\x00-\x1f\x7f]*\](?:\[[^\]]*\])*(_\d\d:\d\d:\d\d,\d\d-\d\d-\d{4})?$/;
/** A content without timestamp: the data block's account and printable ASCII only. */
const LOOSE = /^#[0-9A-Fa-f]{3,16}\|[\x20-\x7e]*$/;
/** Padding fills whole 16-byte blocks; senders add at most a block or two more. Content starts within this many characters. */
const MAX_PAD = 48;

const isControl = (c: number): boolean => c < 0x20 || c === 0x7f;

export interface DecryptedBody {
  /** The content after the padding, e.g. "#1234|Nri1/BA001]_12:00:00,12-03-2026". */
  content: string;
  /** The padding was not followed by '|' (some wireless panels), or there was no padding at all. */
  padWithoutBar: boolean;
}

/**
 * Decrypts the hex part of an encrypted frame (everything after '['). Padding precedes
 * a '|'; senders pad with random, binary or zero characters, and some put no '|' after
 * the padding. The content is found by its shape, not by the padding: the first place
 * (right after a '|', at a '#', after binary padding or at the very start) from which the rest reads as data
 * block, x-data and timestamp. A wrong key gives random bytes that never read so: null.
 * A content without timestamp is taken only when no place gives one (the parser then
 * refuses it for the missing timestamp, a transport problem).
 */
export function decryptBodyDetailed(hex: string, key: Buffer): DecryptedBody | null {
  if (hex.length === 0 || hex.length % 32 !== 0 || !HEX.test(hex)) return null;
  let plain: Buffer;
  try {
    const decipher = createDecipheriv(algorithm(key), key, ZERO_IV);
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(Buffer.from(hex, 'hex')), decipher.final()]);
  } catch {
    return null;
  }
  const text = plain.toString('latin1');
  const starts: { at: number; bar: boolean }[] = [{ at: 0, bar: false }];
  for (let i = 0; i < Math.min(text.length, MAX_PAD + 1); i++) {
    if (text[i] === '|') starts.push({ at: i + 1, bar: true });
    else if (i > 0 && (text[i] === '#' || isControl(text.charCodeAt(i - 1)))) starts.push({ at: i, bar: false });
  }
  starts.sort((a, b) => a.at - b.at || Number(b.bar) - Number(a.bar));
  let loose: DecryptedBody | null = null;
  for (const s of starts) {
    const m = (s.bar ? CONTENT_AFTER_BAR : CONTENT).exec(text.slice(s.at));
    if (!m) continue;
    const found = { content: text.slice(s.at), padWithoutBar: !s.bar };
    if (m[1] !== undefined) return found;
    // Without a timestamp only a plainly readable content counts (random bytes of a wrong key must not).
    if (LOOSE.test(found.content)) loose ??= found;
  }
  return loose;
}

/** The content of an encrypted frame (see decryptBodyDetailed), or null when it cannot be read with this key. */
export function decryptBody(hex: string, key: Buffer): string | null {
  return decryptBodyDetailed(hex, key)?.content ?? null;
}

/**
 * Encrypts content for '[' … with random printable padding before '|' to fill whole
 * blocks; `bar: false` writes the padding without the '|' (as some wireless panels do).
 */
export function encryptBody(content: string, key: Buffer, options: { bar?: boolean } = {}): string {
  const bar = options.bar ?? true;
  const used = content.length + (bar ? 1 : 0);
  const padLength = (16 - (used % 16)) % 16;
  const pad = Array.from({ length: padLength }, () => String.fromCharCode(randomInt(0x41, 0x5b))).join('');
  const cipher = createCipheriv(algorithm(key), key, ZERO_IV);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.from(`${pad}${bar ? '|' : ''}${content}`, 'latin1')), cipher.final()])
    .toString('hex')
    .toUpperCase();
}
