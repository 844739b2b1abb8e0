/**
 * Splits a TCP byte stream into DC-09 frames, whatever the segmentation: several
 * frames in one segment, one frame over several. A frame is found by its header
 * (LF, CRC as 4 hex characters or as 2 raw bytes, 0LLL length, opening quote) and
 * ended where the declared length says — the length read as hex, or as decimal for
 * panels that write it so — and a CR must be there. Only if neither fits is the
 * first CR within the size limit taken (a frame with a wrong length, answered NAK),
 * also when it comes before the declared end with no LF before it: a frame whose
 * length is too long is answered at once instead of waiting for bytes that never come.
 * Raw CRC bytes may be LF or CR, which is why frames are not split on those bytes.
 *
 * Work is linear in the bytes received: the CR search never looks further than the
 * largest frame, and its result is remembered while the buffer only shifts, so a
 * chunk of junk full of header-like candidates is not searched again per candidate.
 */
export const MAX_FRAME_BYTES = 1024;

export interface RawFrame {
  /** From the opening quote of the id up to, not including, the CR: what CRC and length cover. */
  body: Buffer;
  crc: number;
  crcForm: 'hex' | 'binary';
  declaredLength: number;
  lengthForm: 'hex' | 'decimal' | 'wrong';
}

export interface FramerResult {
  frames: RawFrame[];
  /** Bytes thrown away as not belonging to any frame. */
  discarded: number;
}

const isHex = (b: number | undefined): boolean => b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
/** A hex digit's value (the byte is known to be one). */
const hexValue = (b: number): number => (b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x57);
const LF = 0x0a;
/** No LF in b[from, to) (no subarray: this runs for every frame). */
const noLfBetween = (b: Buffer, from: number, to: number): boolean => {
  const lf = b.indexOf(LF, from);
  return lf < 0 || lf >= to;
};
const CR = 0x0d;
const QUOTE = 0x22;
const ZERO = 0x30;

export class Dc09Framer {
  private buf: Buffer = Buffer.alloc(0);
  /** The remembered CR search: `buf[knownFrom, knownTo)` was scanned; crAt is its first CR (then knownTo = crAt + 1) or -1. */
  private knownFrom = 0;
  private knownTo = 0;
  private crAt = -1;
  /** Bytes examined by the CR search since this framer was made (the figure tests bound). */
  crBytesScanned = 0;

  push(chunk: Buffer): FramerResult {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: RawFrame[] = [];
    let discarded = 0;
    for (;;) {
      const start = this.buf.indexOf(LF);
      if (start < 0) {
        discarded += this.buf.length;
        this.reset();
        break;
      }
      if (start > 0) {
        discarded += start;
        this.shift(start);
      }
      const found = this.frameAt();
      if (found === 'wait') break;
      if (found === 'junk') {
        discarded += 1;
        this.shift(1);
        continue;
      }
      frames.push(found.frame);
      this.shift(found.consumed);
    }
    // Never hold more than one frame's worth of an unfinished frame.
    if (this.buf.length > MAX_FRAME_BYTES + 16) {
      discarded += this.buf.length;
      this.reset();
    }
    return { frames, discarded };
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  private shift(bytes: number): void {
    this.buf = this.buf.subarray(bytes);
    if (this.knownTo - bytes <= 0) return this.forget(0);
    this.knownFrom = Math.max(0, this.knownFrom - bytes);
    this.knownTo -= bytes;
    if (this.crAt >= 0) this.crAt -= bytes;
  }

  private reset(): void {
    this.buf = Buffer.alloc(0);
    this.forget(0);
  }

  private forget(at: number): void {
    this.knownFrom = at;
    this.knownTo = at;
    this.crAt = -1;
  }

  private scan(from: number, to: number): number {
    const hit = this.buf.subarray(from, to).indexOf(CR);
    this.crBytesScanned += hit < 0 ? to - from : hit + 1;
    return hit < 0 ? -1 : from + hit;
  }

  /** First CR in [from, limit), or -1; each held byte is scanned about once, whatever the candidates. */
  private crBetween(from: number, limit: number): number {
    const end = Math.min(limit, this.buf.length);
    if (from < this.knownFrom && this.knownFrom - from <= 16) {
      // A candidate header a few bytes before the last one: scan only the gap.
      const hit = this.scan(from, this.knownFrom);
      if (hit >= 0) {
        this.knownTo = hit + 1;
        this.crAt = hit;
      }
      this.knownFrom = from;
    } else if (from < this.knownFrom || from > this.knownTo) {
      this.forget(from);
    }
    if (this.crAt >= from) return this.crAt < end ? this.crAt : -1;
    if (this.crAt >= 0) this.forget(from);
    if (this.knownTo >= end) return -1;
    const hit = this.scan(this.knownTo, end);
    if (hit < 0) {
      this.knownTo = end;
      return -1;
    }
    this.crAt = hit;
    this.knownTo = hit + 1;
    return hit;
  }

  private frameAt(): { frame: RawFrame; consumed: number } | 'wait' | 'junk' {
    const b = this.buf;
    if (b.length < 9) return 'wait';
    let crcForm: 'hex' | 'binary';
    let lengthAt: number;
    if (isHex(b[1]) && isHex(b[2]) && isHex(b[3]) && isHex(b[4]) && b[5] === ZERO && (b.length < 10 || b[9] === QUOTE)) {
      if (b.length < 10) return 'wait';
      crcForm = 'hex';
      lengthAt = 5;
    } else if (b[3] === ZERO && b[7] === QUOTE) {
      crcForm = 'binary';
      lengthAt = 3;
    } else {
      return b.length < 10 ? 'wait' : 'junk';
    }
    // The length read from its three bytes: as hex, and (all digits, another value) as decimal.
    const l0 = b[lengthAt + 1]!;
    const l1 = b[lengthAt + 2]!;
    const l2 = b[lengthAt + 3]!;
    const bodyStart = lengthAt + 4;
    if (!isHex(l0) || !isHex(l1) || !isHex(l2)) return 'junk';
    const hexLength = (hexValue(l0) << 8) | (hexValue(l1) << 4) | hexValue(l2);
    const decimal = isDigit(l0) && isDigit(l1) && isDigit(l2) ? (l0 - ZERO) * 100 + (l1 - ZERO) * 10 + (l2 - ZERO) : -1;
    const decimalLength = decimal !== hexLength ? decimal : -1;
    let waiting = false;
    for (let k = 0; k < 2; k++) {
      const length = k === 0 ? hexLength : decimalLength;
      if (length < 0) break;
      const end = bodyStart + length;
      if (end >= b.length) {
        waiting = true;
        continue;
      }
      // A body holds no LF: a CR at the declared end with an LF before it is another frame's (this one's length is wrong).
      if (b[end] === CR && noLfBetween(b, bodyStart, end)) return this.take(bodyStart, end, crcForm, length, k === 0 ? 'hex' : 'decimal');
    }
    if (waiting && b.length <= bodyStart + Math.max(hexLength, decimalLength)) {
      // The CR came before the declared end: a frame body holds neither CR nor LF, so if the
      // bytes before that CR hold no LF, it ends the frame (a length error, answered NAK at once,
      // not a stall until more bytes come). Junk with LFs in it keeps waiting.
      const cr = this.crBetween(bodyStart, b.length);
      if (cr >= 0 && noLfBetween(b, bodyStart, cr)) return this.take(bodyStart, cr, crcForm, hexLength, 'wrong');
      return 'wait';
    }
    const cr = this.crBetween(bodyStart, bodyStart + MAX_FRAME_BYTES + 1);
    if (cr < 0) return b.length > bodyStart + MAX_FRAME_BYTES ? 'junk' : 'wait';
    return this.take(bodyStart, cr, crcForm, hexLength, 'wrong');
  }

  private take(
    bodyStart: number,
    end: number,
    crcForm: 'hex' | 'binary',
    declaredLength: number,
    lengthForm: RawFrame['lengthForm'],
  ): { frame: RawFrame; consumed: number } {
    const b = this.buf;
    const crc = crcForm === 'hex' ? (hexValue(b[1]!) << 12) | (hexValue(b[2]!) << 8) | (hexValue(b[3]!) << 4) | hexValue(b[4]!) : b.readUInt16BE(1);
    // Copy: the frame outlives the connection buffer it came from.
    return { frame: { body: Buffer.from(b.subarray(bodyStart, end)), crc, crcForm, declaredLength, lengthForm }, consumed: end + 1 };
  }
}
