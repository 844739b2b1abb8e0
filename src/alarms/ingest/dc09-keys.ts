import { parseKey } from '../../adapters/protocols/dc09/dc09-crypto.js';
import type { AccountSettings } from '../../adapters/protocols/dc09/dc09-message.js';

/** What the DC-09 receiver needs of an account (the main thread's AccountConfig, or its copy in the receiver thread). */
export interface Dc09AccountKeys {
  account: string;
  key: string | null;
  keyFormat: 'hex' | 'ascii' | 'auto';
  clockOffsetMinutes: number;
  relayFor?: readonly string[];
}

/**
 * A 32-character key of format "auto" reads as hex (AES-128); its ASCII bytes (AES-256) are
 * the second reading, tried when the first does not decrypt. Other keys have one reading.
 */
function asciiReading(key: string | null, format: 'hex' | 'ascii' | 'auto'): Buffer | null {
  return key !== null && format === 'auto' && key.length === 32 && /^[0-9A-Fa-f]+$/.test(key) ? parseKey(key, 'ascii') : null;
}

/** An account's key as bytes and its parse settings, made once per configuration (a reconfigured account is a new object). */
export interface ParsedKeys {
  key: Buffer | null;
  asciiKey: Buffer | null;
  ascii: Buffer | null;
  settings: AccountSettings;
}
const parsedKeys = new WeakMap<Dc09AccountKeys, ParsedKeys>();
export function keysOf(a: Dc09AccountKeys): ParsedKeys {
  let k = parsedKeys.get(a);
  if (!k) {
    const key = a.key ? parseKey(a.key, a.keyFormat) : null;
    const asciiKey = asciiReading(a.key, a.keyFormat);
    const settings: AccountSettings = { key, asciiKey, clockOffsetMinutes: a.clockOffsetMinutes, ...(a.relayFor ? { relayFor: a.relayFor } : {}) };
    k = { key, asciiKey, ascii: a.key ? parseKey(a.key, 'ascii') : null, settings };
    parsedKeys.set(a, k);
  }
  return k;
}
