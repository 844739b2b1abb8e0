/**
 * A small mutation engine for the fuzz targets: byte flips, inserted and deleted
 * runs, repeated slices, splices of two inputs and the target's own tokens, driven
 * by a seeded PRNG so a run can be repeated (`--seed`).
 */
export class Rng {
  constructor(private state: number) {}
  /** mulberry32 */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

const INTERESTING = [0x00, 0x0a, 0x0d, 0x22, 0x23, 0x2f, 0x3c, 0x3e, 0x5b, 0x5d, 0x7c, 0x7f, 0x80, 0xff];

/** One to a few mutations of `input`; `tokens` are the format's words (tags, ids, delimiters). */
export function mutate(input: Buffer, rng: Rng, tokens: readonly string[], others: readonly Buffer[], maxBytes: number): Buffer {
  let b = Buffer.from(input);
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = b.length === 0 ? 0 : rng.int(b.length + 1);
    switch (rng.int(10)) {
      case 0: // flip a bit
        if (b.length > 0) b[rng.int(b.length)]! ^= 1 << rng.int(8);
        break;
      case 1: // set an interesting byte
        if (b.length > 0) b[rng.int(b.length)] = rng.pick(INTERESTING);
        break;
      case 2: // insert random bytes
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + rng.int(8) }, () => rng.int(256))), b.subarray(at)]);
        break;
      case 3: {
        // delete a run
        const n = 1 + rng.int(Math.max(1, Math.min(64, b.length - at)));
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
        break;
      }
      case 4: {
        // repeat a slice (deep nesting, long lists)
        const from = rng.int(b.length + 1);
        const slice = b.subarray(from, from + 1 + rng.int(32));
        const times = 1 + rng.int(rng.next() < 0.1 ? 200 : 8);
        b = Buffer.concat([b.subarray(0, at), ...Array.from({ length: times }, () => slice), b.subarray(at)]);
        break;
      }
      case 5:
      case 6: // insert a token
        if (tokens.length > 0) b = Buffer.concat([b.subarray(0, at), Buffer.from(rng.pick(tokens), 'latin1'), b.subarray(at)]);
        break;
      case 7: {
        // splice with another input
        if (others.length > 0) {
          const o = rng.pick(others);
          const from = rng.int(o.length + 1);
          b = Buffer.concat([b.subarray(0, at), o.subarray(from, from + rng.int(o.length - from + 1))]);
        }
        break;
      }
      case 8: // truncate
        b = b.subarray(0, at);
        break;
      case 9: {
        // change a number's digits
        const text = b.toString('latin1');
        const digits = [...text.matchAll(/\d+/g)];
        if (digits.length > 0) {
          const d = rng.pick(digits);
          const n = rng.pick(['0', '-1', '9999999999999999999', '1e309', 'NaN', String(rng.int(70000)), '00', '4294967296']);
          b = Buffer.from(text.slice(0, d.index) + n + text.slice(d.index! + d[0].length), 'latin1');
        }
        break;
      }
    }
  }
  return b.length > maxBytes ? b.subarray(0, maxBytes) : b;
}
