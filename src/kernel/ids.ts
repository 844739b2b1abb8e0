import { randomBytes } from 'node:crypto';

/**
 * Time-ordered, URL-safe identifiers (ULID layout: 48-bit millisecond time + 80 random
 * bits, Crockford base32). Sorting ids sorts by creation time, which keeps B-tree
 * inserts append-only in both stores and makes ids readable in logs.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = 0;
let lastRandom: Uint8Array = new Uint8Array(10);

/**
 * Random bytes are drawn 4 KiB at a time, not 10 per id: a call into the CSPRNG per id
 * was a third of newId's cost on the alarm path (every frame recorded is an event with an id).
 */
const POOL_BYTES = 4096;
let pool: Buffer = Buffer.alloc(0);
let poolAt = 0;
/** Times the pool was refilled (tests: one draw serves hundreds of ids). */
export const randomDraws = { count: 0 };

function random10(): Uint8Array {
  if (poolAt + 10 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
    randomDraws.count++;
  }
  const out = pool.subarray(poolAt, poolAt + 10);
  poolAt += 10;
  return out;
}

export function newId(prefix?: string): string {
  const now = Date.now();
  let random: Uint8Array;
  if (now === lastTime) {
    // Monotonic within one millisecond: increment the previous random part.
    random = Uint8Array.from(lastRandom);
    for (let i = random.length - 1; i >= 0; i--) {
      if (random[i]! < 255) {
        random[i]!++;
        break;
      }
      random[i] = 0;
    }
  } else {
    random = random10();
  }
  lastTime = now;
  lastRandom = random;
  const id = encodeTime(now) + encodeRandom(random);
  return prefix ? `${prefix}_${id}` : id;
}

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits -> 16 base32 chars.
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** Time encoded in an id made by newId (milliseconds since epoch). */
export function idTime(id: string): number {
  const core = id.includes('_') ? id.slice(id.lastIndexOf('_') + 1) : id;
  let t = 0;
  for (const ch of core.slice(0, 10)) t = t * 32 + ALPHABET.indexOf(ch);
  return t;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
