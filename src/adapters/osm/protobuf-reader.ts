/**
 * A minimal protocol-buffers wire-format reader: just what OSM PBF needs (varints,
 * zigzag, length-delimited fields, packed arrays). Every read is bounds-checked and
 * fails with a ProtobufError instead of reading past the buffer.
 */
export class ProtobufError extends Error {}

export class ProtobufReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Unsigned varint up to 2^53 (OSM ids and coordinates fit). */
  varint(): number {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * shift;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) throw new ProtobufError('varint beyond 2^53');
        return result;
      }
      shift *= 128;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  /**
   * A non-negative `int32`/`int64` field (OSM ids, offsets in practice). Negative
   * values are 10-byte varints beyond 2^53 and are refused by `varint()`.
   */
  int(): number {
    return this.varint();
  }

  /** Zigzag-decoded sint32/sint64. */
  sint(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  /** Field key: [field number, wire type]. */
  key(): [number, number] {
    const k = this.varint();
    return [Math.floor(k / 8), k % 8];
  }

  /** A length-delimited field's bounds, advancing past it. */
  bytes(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new ProtobufError('length-delimited field runs past its message');
    this.pos += len;
    return [start, start + len];
  }

  sub(): ProtobufReader {
    const [s, e] = this.bytes();
    return new ProtobufReader(this.buf, s, e);
  }

  string(): string {
    const [s, e] = this.bytes();
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + s, e - s).toString('utf8');
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }

  /** Packed repeated varints (wire type 2); tolerates an unpacked single value (wire type 0). */
  packed(wireType: number, read: (r: ProtobufReader) => number): number[] {
    if (wireType === 0) return [read(this)];
    const r = this.sub();
    const out: number[] = [];
    while (!r.done) out.push(read(r));
    return out;
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new ProtobufError('truncated fixed-width field');
    this.pos += n;
  }
}

export const readVarint = (r: ProtobufReader): number => r.varint();
export const readSint = (r: ProtobufReader): number => r.sint();
