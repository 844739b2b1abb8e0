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
 * Decrypts the hex part of an encrypted frame (everything after '['). Padding
 * precedes a '|'; senders pad with random, binary or zero characters, so the
 * content is taken after the first '|' that is followed by what content starts
 * with: '#' (account) or ']' (empty data block).
 */
export function decryptBody(hex: string, key: Buffer): string | null {
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
  for (let i = text.indexOf('|'); i >= 0 && i < 48; i = text.indexOf('|', i + 1)) {
    const next = text[i + 1];
    if (next === '#' || next === ']') return text.slice(i + 1);
  }
  return null;
}

/** Encrypts content for '[' … with random printable padding before '|' to fill whole blocks. */
export function encryptBody(content: string, key: Buffer): string {
  const padLength = (16 - ((content.length + 1) % 16)) % 16;
  const pad = Array.from({ length: padLength }, () => String.fromCharCode(randomInt(0x41, 0x5b))).join('');
  const cipher = createCipheriv(algorithm(key), key, ZERO_IV);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.from(`${pad}|${content}`, 'latin1')), cipher.final()])
    .toString('hex')
    .toUpperCase();
}
