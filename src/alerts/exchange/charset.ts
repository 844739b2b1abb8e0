import { VigilError } from '../../kernel/errors.js';

/** What a document's bytes were read as, and how that was decided. */
export interface DecodedXml {
  /** The document as text, its XML declaration (if any) saying UTF-8: what the validator and parser read. */
  text: string;
  /** The encoding the bytes were read in (canonical name). */
  encoding: string;
  /** What decided it: a byte order mark, the Content-Type charset, the XML declaration, or the default (UTF-8). */
  by: 'bom' | 'content-type' | 'declaration' | 'default';
}

/** Canonical names of the encodings Vigil reads, by the labels people write (case-insensitive). */
const LABELS: Record<string, string> = {
  'utf-8': 'UTF-8',
  utf8: 'UTF-8',
  'utf-16': 'UTF-16',
  utf16: 'UTF-16',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
  'iso-8859-1': 'ISO-8859-1',
  'iso8859-1': 'ISO-8859-1',
  'iso_8859-1': 'ISO-8859-1',
  latin1: 'ISO-8859-1',
  'latin-1': 'ISO-8859-1',
  l1: 'ISO-8859-1',
  'us-ascii': 'US-ASCII',
  ascii: 'US-ASCII',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'iso-8859-15': 'ISO-8859-15',
  latin9: 'ISO-8859-15',
  'iso-8859-2': 'ISO-8859-2',
  'windows-1250': 'windows-1250',
  'iso-8859-7': 'ISO-8859-7',
  'windows-1251': 'windows-1251',
  'koi8-r': 'KOI8-R',
};

export const SUPPORTED_ENCODINGS = [...new Set(Object.values(LABELS))];

/** The canonical name of an encoding label, or null when Vigil does not read it. */
export function encodingOf(label: string): string | null {
  return LABELS[label.trim().toLowerCase()] ?? null;
}

const DECLARATION = /^<\?xml\s[^?]*?\?>/;
const ENCODING_ATTR = /\sencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/;

function unsupported(label: string): VigilError {
  return new VigilError(
    'unsupported_media_type',
    `the document is in ${label.slice(0, 40)}, which Vigil does not read; it reads ${SUPPORTED_ENCODINGS.join(', ')}`,
    {
      encoding: label.slice(0, 40),
    },
  );
}

function decodeAs(bytes: Uint8Array, encoding: string): string {
  // ISO-8859-1 is exactly the first 256 code points (WHATWG's decoder would read it as windows-1252).
  if (encoding === 'ISO-8859-1') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (encoding === 'US-ASCII') {
    const bad = bytes.findIndex((b) => b > 0x7f);
    if (bad >= 0) throw new VigilError('validation_failed', `the document says US-ASCII but byte ${bad} is 0x${bytes[bad]!.toString(16)}`);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
  try {
    return new TextDecoder(encoding === 'UTF-16' ? 'utf-16le' : encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new VigilError(
      'validation_failed',
      `the document is not valid ${encoding}${encoding === 'UTF-8' ? ` (at byte ${firstBadUtf8(bytes)}; declare its encoding, e.g. <?xml version="1.0" encoding="ISO-8859-1"?>)` : ''}`,
    );
  }
}

/** The offset of the first byte of the sequence that breaks UTF-8 (for the sender to find it). */
function firstBadUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return i - start <= 3 ? start : i;
    }
    if (bytes[i]! < 0x80 || bytes[i]! >= 0xc0) start = i;
  }
  return start;
}

/** The encoding the XML declaration names, read from the first bytes in an ASCII-compatible way. */
function declaredIn(head: string): string | null {
  const decl = DECLARATION.exec(head);
  return decl ? (ENCODING_ATTR.exec(decl[0])?.[2] ?? null) : null;
}

/**
 * Reads an XML document's bytes as text the way XML 1.0 (appendix F) and RFC 7303 say:
 * a byte order mark decides; else the charset of the Content-Type; else the XML
 * declaration's encoding (UTF-16 without a mark recognised by its "<?" in two bytes);
 * else UTF-8. Bytes invalid in the encoding are refused, never replaced, so "Usulután"
 * in ISO-8859-1 stays "Usulután". The text returned declares UTF-8, which it now is.
 */
export function decodeXml(bytes: Uint8Array, contentTypeCharset?: string | null): DecodedXml {
  let encoding: string;
  let by: DecodedXml['by'];
  let body = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    [encoding, by, body] = ['UTF-8', 'bom', bytes.subarray(3)];
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    [encoding, by, body] = ['UTF-16LE', 'bom', bytes.subarray(2)];
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    [encoding, by, body] = ['UTF-16BE', 'bom', bytes.subarray(2)];
  } else if (contentTypeCharset) {
    const named = encodingOf(contentTypeCharset);
    if (!named) throw unsupported(contentTypeCharset);
    [encoding, by] = [named === 'UTF-16' ? 'UTF-16BE' : named, 'content-type'];
  } else if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] === 0x3f && bytes[3] === 0x00) {
    [encoding, by] = ['UTF-16LE', 'declaration'];
  } else if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] === 0x3f) {
    [encoding, by] = ['UTF-16BE', 'declaration'];
  } else {
    const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
    const declared = declaredIn(head);
    if (declared === null) [encoding, by] = ['UTF-8', 'default'];
    else {
      const named = encodingOf(declared);
      if (!named) throw unsupported(declared);
      if (named.startsWith('UTF-16'))
        throw new VigilError(
          'validation_failed',
          `the document declares ${declared} but its bytes are not UTF-16 (no byte order mark, "<?xml" in single bytes)`,
        );
      [encoding, by] = [named, 'declaration'];
    }
  }
  let text = decodeAs(body, encoding);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A UTF-8 mark with a declaration of another single-byte encoding is a contradiction the sender must fix.
  const declared = declaredIn(text.slice(0, 200));
  if (declared !== null && by === 'bom') {
    const named = encodingOf(declared);
    const family = (e: string | null): string => (e?.startsWith('UTF-16') ? 'UTF-16' : (e ?? declared));
    if (family(named) !== family(encoding))
      throw new VigilError('validation_failed', `the document starts with a ${encoding} byte order mark but declares encoding="${declared}"`);
  }
  return { text: declared === null ? text : text.replace(ENCODING_ATTR, ' encoding="UTF-8"'), encoding, by };
}

/** The charset parameter of a Content-Type header, if any. */
export function charsetOf(contentType: string | undefined): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m ? m[1]! : null;
}

/** The type a received document is served back as: its XML media type and charset as sent, nothing else of the header. */
export function xmlMediaType(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const charset = charsetOf(contentType);
  const safe = ['application/cap+xml', 'application/xml', 'text/xml'].includes(type) ? type : 'application/cap+xml';
  return charset && /^[A-Za-z0-9._-]{1,40}$/.test(charset) ? `${safe}; charset=${charset}` : safe;
}
