import { createCipheriv, createHmac, createDecipheriv, hash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { VigilError } from './errors.js';

const PREFIX = 'sealed:v1:';

/**
 * Secrets that must sit in the event log in a usable form (TOTP seeds, panel AES
 * keys) are sealed with AES-256-GCM under the installation's secret key, so a copy
 * of the log or database does not give them away. Values without the prefix are
 * read as they are (logs written before sealing).
 */
export class SecretBox {
  /** Per-purpose MAC keys, derived once (a warning to a million people makes a million links). */
  private readonly macKeys = new Map<string, Buffer>();

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new VigilError('bad_request', 'the secret key must be 32 bytes (64 hex characters)');
  }

  /** 32 bytes derived from the installation key for one purpose (e.g. the Web Push VAPID key), the same on every node. */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`vigil-derive:${purpose}`).digest();
  }

  /**
   * A short keyed MAC (HMAC-SHA256 under a key derived per purpose, 128 bits,
   * base64url): links Vigil hands out, valid on every node sharing the key.
   */
  mac(purpose: string, data: string): string {
    return createHmac('sha256', this.macKey(purpose)).update(data).digest().subarray(0, 16).toString('base64url');
  }

  /**
   * `mac(purpose, prefix + data)` for many `data` under one prefix (the link of each of a
   * million recipients of one alert): the same HMAC-SHA256 (RFC 2104: H(K⊕opad ‖ H(K⊕ipad ‖ m))),
   * computed with two one-shot hashes over buffers kept by the signer, the key's padded
   * blocks and the prefix written once — no Hmac object, key import or digest Buffer chain per
   * call. The same output as mac(); src/kernel/secrets.test.ts compares them.
   */
  macWith(purpose: string, prefix: string): (data: string) => string {
    if (typeof hash !== 'function') return (data) => this.mac(purpose, prefix + data); // Node < 20.12
    const key = this.macKey(purpose); // 32 bytes: shorter than SHA-256's 64-byte block, so padded, not hashed
    const outer = Buffer.alloc(64 + 32);
    let inner = Buffer.alloc(64 + Buffer.byteLength(prefix) + 256);
    for (let i = 0; i < 64; i++) {
      inner[i] = (key[i] ?? 0) ^ 0x36;
      outer[i] = (key[i] ?? 0) ^ 0x5c;
    }
    const start = 64 + inner.write(prefix, 64, 'utf8');
    return (data) => {
      // A UTF-16 unit is at most 3 UTF-8 bytes: room for the longest reading, or a bigger buffer.
      if (start + data.length * 3 > inner.length) {
        const grown = Buffer.alloc(start + data.length * 3);
        inner.copy(grown, 0, 0, start);
        inner = grown;
      }
      const end = start + inner.write(data, start, 'utf8');
      hash('sha256', inner.subarray(0, end), 'buffer').copy(outer, 64);
      return hash('sha256', outer, 'buffer').toString('base64url', 0, 16);
    };
  }

  /**
   * A keyed pseudo-random function over single 16-byte blocks, for one purpose and one
   * context (an alert): AES-128 under `HMAC-SHA256(macKey(purpose), context)[0..16]`.
   * The function encrypts any number of whole blocks in one call — ECB over independent
   * blocks, each block its own PRF evaluation (a PRP on a fixed 128-bit domain is a PRF, and
   * a PRF is a secure MAC for messages of exactly one block; docs/security.md). Callers must
   * encode their messages injectively into one block each; `blocks.length` must be a multiple of 16.
   */
  blockPrf(purpose: string, context: string): (blocks: Uint8Array) => Buffer {
    const key = createHmac('sha256', this.macKey(purpose)).update(context).digest().subarray(0, 16);
    // One cipher for the context: ECB without padding keeps no state between calls.
    const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    return (blocks) => {
      if (blocks.length % 16 !== 0) throw new VigilError('bad_request', 'blockPrf takes whole 16-byte blocks');
      return cipher.update(blocks);
    };
  }

  private macKey(purpose: string): Buffer {
    let key = this.macKeys.get(purpose);
    if (!key) this.macKeys.set(purpose, (key = createHmac('sha256', this.key).update(`vigil-mac:${purpose}`).digest()));
    return key;
  }

  seal(plain: string): string {
    return sealWithKey(this.key, plain);
  }

  /** The plain value, or null when it was sealed under another key (or altered). */
  open(value: string): string | null {
    return openWithKey(this.key, value);
  }
}

/** AES-256-GCM under `key` (32 bytes), random 96-bit IV, as "sealed:v1:<base64url iv‖tag‖ciphertext>". */
export function sealWithKey(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

/** The plain text of a sealed value, null when another key sealed it or it was altered; unsealed values as they are. */
export function openWithKey(key: Buffer, value: string): string | null {
  if (!value.startsWith(PREFIX)) return value;
  try {
    const raw = Buffer.from(value.slice(PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * The installation's secret key: VIGIL_SECRET_KEY (64 hex; every node of a cluster
 * must have the same) or, on one machine, a key file created in the data folder.
 */
export function loadSecretKey(fromEnv: string | null, keyFile: string): { key: Buffer; source: 'env' | 'file' | 'new-file' } {
  if (fromEnv) {
    if (!/^[0-9a-fA-F]{64}$/.test(fromEnv)) throw new VigilError('bad_request', 'VIGIL_SECRET_KEY must be 64 hexadecimal characters');
    return { key: Buffer.from(fromEnv, 'hex'), source: 'env' };
  }
  if (existsSync(keyFile)) {
    const hex = readFileSync(keyFile, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new VigilError('bad_request', `${keyFile} does not hold a 64-hex-character key`);
    return { key: Buffer.from(hex, 'hex'), source: 'file' };
  }
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, key.toString('hex'), { mode: 0o600, flag: 'wx' });
  chmodSync(keyFile, 0o600);
  return { key, source: 'new-file' };
}
