import { timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../../kernel/secrets.js';

export const ANSWERS = ['safe', 'need-help'] as const;
export type Answer = (typeof ANSWERS)[number];

/**
 * The personal link in a warning message: `<alertId>.<recipientId>.<tag>`, which alert and
 * which recipient, with a MAC so nobody can answer for someone else. No account needed to
 * answer. Two versions of the tag verify (docs/security.md, "The "are you safe?" link"):
 *
 * - v1, 22 characters: HMAC-SHA256 under the 'alert-ack' key over `<alertId>.<recipientId>`,
 *   128 bits, base64url — every link sent before v2, and still made for recipient ids v2
 *   cannot encode;
 * - v2, `2` + 20 characters: AES-128 under a key derived for the alert (SecretBox.blockPrf)
 *   over the recipient's id encoded injectively in one 16-byte block, 120 bits, base64url.
 *   One AES call makes the tags of a whole batch of recipients.
 */
const V2 = '2';
const V2_PURPOSE = 'alert-ack:v2';
const V2_CHARS = 20; // 15 bytes: base64url without padding, so a batch's tags are one string cut every 20 characters
const V2_BYTES = 15;

export function ackToken(secrets: SecretBox, alertId: string, recipientId: string): string {
  return ackTokens(secrets, alertId)([recipientId])[0]!;
}

/** The tokens of many recipients of one alert, in one call per batch: the same tokens `ackToken` gives. */
export function ackTokens(secrets: SecretBox, alertId: string): (recipientIds: readonly string[]) => string[] {
  const prf = secrets.blockPrf(V2_PURPOSE, alertId);
  const head = `${alertId}.`;
  let v1: ((data: string) => string) | null = null;
  let blocks = new Uint8Array(0);
  let encoded = new Uint8Array(0);
  return (ids) => {
    const n = ids.length;
    if (blocks.length < n * 16) {
      blocks = new Uint8Array(n * 16);
      encoded = new Uint8Array(n);
    }
    for (let j = 0; j < n; j++) encoded[j] = recipientBlock(ids[j]!, blocks, j * 16) ? 1 : 0;
    const out = prf(blocks.subarray(0, n * 16));
    // The first 15 bytes of every block, packed, then one base64url string for the batch.
    for (let j = 0; j < n; j++) for (let b = 0; b < V2_BYTES; b++) out[j * V2_BYTES + b] = out[j * 16 + b]!;
    const tags = out.toString('base64url', 0, n * V2_BYTES);
    const tokens = new Array<string>(n);
    for (let j = 0; j < n; j++) {
      const id = ids[j]!;
      tokens[j] = encoded[j]
        ? `${head}${id}.${V2}${tags.slice(j * V2_CHARS, (j + 1) * V2_CHARS)}`
        : `${head}${id}.${(v1 ??= secrets.macWith('alert-ack', head))(id)}`;
    }
    return tokens;
  };
}

export function readAckToken(secrets: SecretBox, token: string): { alertId: string; recipientId: string } | null {
  const [alertId, recipientId, tag, ...rest] = token.split('.');
  if (!alertId || !recipientId || !tag || rest.length > 0) return null;
  let expected: string;
  if (tag.length === V2.length + V2_CHARS && tag.startsWith(V2)) {
    const block = new Uint8Array(16);
    if (!recipientBlock(recipientId, block, 0)) return null;
    expected = V2 + secrets.blockPrf(V2_PURPOSE, alertId)(block).toString('base64url', 0, V2_BYTES);
  } else expected = secrets.mac('alert-ack', `${alertId}.${recipientId}`);
  const want = Buffer.from(expected);
  const given = Buffer.from(tag);
  return want.length === given.length && timingSafeEqual(want, given) ? { alertId, recipientId } : null;
}

/** Crockford base32 (ids.ts) value of each character code; -1 for every other, lower case included: one spelling per id. */
const BASE32 = new Int8Array(128).fill(-1);
for (const [i, c] of [...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'].entries()) BASE32[c.charCodeAt(0)] = i;
const SUB = 'sub_';

/**
 * Writes the 16-byte block of a subscriber id — `sub_` and a canonical ULID (ids.ts: 26
 * upper-case Crockford characters, the first 0–7, 128 bits) — at `at`, and says whether the
 * id has that form. The map is injective: exactly one id gives each block. Any other id
 * (none is made today) is signed with v1.
 */
export function recipientBlock(id: string, out: Uint8Array, at: number): boolean {
  if (id.length !== SUB.length + 26 || !id.startsWith(SUB)) return false;
  const c0 = base32At(id, 4);
  const c1 = base32At(id, 5);
  if (c0 < 0 || c0 > 7 || c1 < 0) return false;
  out[at] = (c0 << 5) | c1;
  return fiveBytes(id, 6, out, at + 1) && fiveBytes(id, 14, out, at + 6) && fiveBytes(id, 22, out, at + 11);
}

function base32At(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? BASE32[c]! : -1;
}

/** 8 base32 characters (40 bits) from `from` as 5 bytes at `at`. */
function fiveBytes(s: string, from: number, out: Uint8Array, at: number): boolean {
  let hi = 0;
  let lo = 0;
  for (let k = 0; k < 4; k++) {
    const h = base32At(s, from + k);
    const l = base32At(s, from + 4 + k);
    if (h < 0 || l < 0) return false;
    hi = (hi << 5) | h;
    lo = (lo << 5) | l;
  }
  out[at] = hi >>> 12;
  out[at + 1] = (hi >>> 4) & 0xff;
  out[at + 2] = ((hi & 0x0f) << 4) | (lo >>> 16);
  out[at + 3] = (lo >>> 8) & 0xff;
  out[at + 4] = lo & 0xff;
  return true;
}
