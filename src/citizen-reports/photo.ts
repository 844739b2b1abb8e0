import type { Position } from '../kernel/geo.js';

/**
 * Photos from the street carry more than the picture: EXIF (camera, time, often the
 * GPS position of the person's home when taken there), XMP, comments. Vigil keeps
 * the picture only: JPEG APP1–APP15 segments (bar an ICC colour profile and Adobe's
 * APP14, which the decoder needs) and comments are removed, PNG text, time and EXIF
 * chunks too. The GPS position in the EXIF is read first and kept apart only when the
 * reporter consented. Anything that is not a well-formed JPEG or PNG is refused.
 */
export class PhotoError extends Error {}

export interface StrippedPhoto {
  contentType: 'image/jpeg' | 'image/png';
  data: Buffer;
  /** The EXIF GPS position found (before stripping), whatever the consent. */
  gps: Position | null;
  /** Bytes removed. */
  removed: number;
}

export function stripPhoto(input: Buffer): StrippedPhoto {
  if (input.length >= 3 && input[0] === 0xff && input[1] === 0xd8 && input[2] === 0xff) return stripJpeg(input);
  if (input.length >= 8 && input.subarray(0, 8).equals(PNG_SIGNATURE)) return stripPng(input);
  throw new PhotoError('the photo is not a JPEG or PNG image');
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function stripJpeg(input: Buffer): StrippedPhoto {
  const parts: Buffer[] = [input.subarray(0, 2)];
  let gps: Position | null = null;
  let scanned = false;
  let at = 2;
  for (;;) {
    if (at + 2 > input.length) throw new PhotoError('the JPEG ends before its end marker');
    if (input[at] !== 0xff) throw new PhotoError('the JPEG has a malformed segment');
    const marker = input[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd9) {
      if (!scanned) throw new PhotoError('the JPEG has no image data');
      parts.push(input.subarray(at, at + 2));
      break;
    }
    // Markers without a length (TEM, RSTn) carry nothing to strip.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      parts.push(input.subarray(at, at + 2));
      at += 2;
      continue;
    }
    if (at + 4 > input.length) throw new PhotoError('a JPEG segment runs past the end of the file');
    const length = input.readUInt16BE(at + 2);
    if (length < 2 || at + 2 + length > input.length) throw new PhotoError('a JPEG segment runs past the end of the file');
    const segment = input.subarray(at, at + 2 + length);
    if (marker === 0xda) {
      // Start of scan: the header, then entropy-coded data up to the next marker that is not a stuffed 0xFF00, a fill or a restart;
      // segments after a scan (progressive JPEGs, trailing APPn) are judged like those before it.
      let end = at + 2 + length;
      while (
        end + 1 < input.length &&
        !(input[end] === 0xff && input[end + 1] !== 0x00 && input[end + 1] !== 0xff && !(input[end + 1]! >= 0xd0 && input[end + 1]! <= 0xd7))
      )
        end++;
      if (end + 1 >= input.length) throw new PhotoError('the JPEG ends inside its image data');
      parts.push(input.subarray(at, end));
      scanned = true;
      at = end;
      continue;
    }
    const payload = segment.subarray(4);
    const isApp = marker >= 0xe0 && marker <= 0xef;
    const keep =
      !isApp && marker !== 0xfe
        ? true
        : marker === 0xe0 || marker === 0xee || (marker === 0xe2 && payload.subarray(0, 12).toString('latin1') === 'ICC_PROFILE\0');
    if (marker === 0xe1 && payload.subarray(0, 6).toString('latin1') === 'Exif\0\0') gps ??= exifGps(payload.subarray(6));
    if (keep) parts.push(segment);
    at += 2 + length;
  }
  const data = Buffer.concat(parts);
  return { contentType: 'image/jpeg', data, gps, removed: input.length - data.length };
}

/** Chunks a PNG keeps: the image, its colour and size; not text, time nor EXIF. */
const PNG_KEEP = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'sBIT', 'pHYs', 'bKGD']);

function stripPng(input: Buffer): StrippedPhoto {
  const parts: Buffer[] = [PNG_SIGNATURE];
  let at = 8;
  let ended = false;
  while (at < input.length) {
    if (at + 12 > input.length) throw new PhotoError('a PNG chunk runs past the end of the file');
    const length = input.readUInt32BE(at);
    if (length > input.length - at - 12) throw new PhotoError('a PNG chunk runs past the end of the file');
    const type = input.subarray(at + 4, at + 8).toString('latin1');
    if (!/^[A-Za-z]{4}$/.test(type)) throw new PhotoError('a PNG chunk has an invalid type');
    if (PNG_KEEP.has(type)) parts.push(input.subarray(at, at + 12 + length));
    at += 12 + length;
    if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!ended) throw new PhotoError('the PNG has no end chunk');
  const data = Buffer.concat(parts);
  return { contentType: 'image/png', data, gps: null, removed: input.length - data.length };
}

/** The GPS position of an EXIF block (TIFF header onward), or null. Every offset is bounds-checked. */
export function exifGps(tiff: Buffer): Position | null {
  if (tiff.length < 8) return null;
  const order = tiff.subarray(0, 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const u16 = (o: number): number | null => (o >= 0 && o + 2 <= tiff.length ? (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o)) : null);
  const u32 = (o: number): number | null => (o >= 0 && o + 4 <= tiff.length ? (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o)) : null);
  if (u16(2) !== 42) return null;
  const ifd0 = u32(4);
  if (ifd0 === null) return null;
  const entries = (ifd: number): Map<number, { type: number; count: number; valueAt: number }> => {
    const out = new Map<number, { type: number; count: number; valueAt: number }>();
    const n = u16(ifd);
    if (n === null || n > 500) return out;
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + i * 12;
      const tag = u16(e);
      const type = u16(e + 2);
      const count = u32(e + 4);
      if (tag === null || type === null || count === null) break;
      const size = ({ 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 } as Record<number, number>)[type] ?? 0;
      const valueAt = size * count <= 4 ? e + 8 : (u32(e + 8) ?? -1);
      out.set(tag, { type, count, valueAt });
    }
    return out;
  };
  const gpsPointer = entries(ifd0).get(0x8825);
  const gpsIfd = gpsPointer ? u32(gpsPointer.valueAt) : null;
  if (gpsIfd === null) return null;
  const g = entries(gpsIfd);
  const ref = (tag: number): string | null => {
    const e = g.get(tag);
    return e && e.type === 2 && e.valueAt >= 0 && e.valueAt < tiff.length ? String.fromCharCode(tiff[e.valueAt]!) : null;
  };
  const dms = (tag: number): number | null => {
    const e = g.get(tag);
    if (!e || e.type !== 5 || e.count !== 3) return null;
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const num = u32(e.valueAt + i * 8);
      const den = u32(e.valueAt + i * 8 + 4);
      if (num === null || den === null || den === 0) return null;
      value += num / den / 60 ** i;
    }
    return value;
  };
  const lat = dms(2);
  const lon = dms(4);
  const latRef = ref(1);
  const lonRef = ref(3);
  if (lat === null || lon === null || lat > 90 || lon > 180) return null;
  return [Number((lonRef === 'W' ? -lon : lon).toFixed(6)), Number((latRef === 'S' ? -lat : lat).toFixed(6))];
}
