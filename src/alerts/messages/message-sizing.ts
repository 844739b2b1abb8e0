/**
 * How a text fits the narrow channels: SMS segments (GSM 03.38 7-bit alphabet or
 * UCS-2) and cell-broadcast pages. Shared by the authoring preview and the SMS and
 * cell-broadcast adapters, so what the officer sees is what is sent.
 */

// GSM 03.38 default alphabet in code order (0x1B, the escape, has no character) and the
// extension table reached through the escape: character → code.
const GSM_TABLE = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_CODE = new Map([...GSM_TABLE].map((ch, code) => [ch, code] as const).filter(([ch]) => ch !== '\u001b'));
const GSM_EXT_CODE = new Map<string, number>([
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
]);
const GSM_BASIC = new Set(GSM_CODE.keys());
const GSM_CHAR = [...GSM_TABLE];
const GSM_EXT_CHAR = new Map([...GSM_EXT_CODE].map(([ch, code]) => [code, ch] as const));
const GSM_EXTENDED = new Set(GSM_EXT_CODE.keys());

/** GSM-7 text as unpacked septets, one byte each (how SMPP carries data_coding 0); escape pairs for the extension table. */
export function gsmEncode(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const code = GSM_CODE.get(ch);
    if (code !== undefined) out.push(code);
    else {
      const ext = GSM_EXT_CODE.get(ch);
      if (ext === undefined) throw new RangeError(`"${ch}" is not in the GSM 7-bit alphabet`);
      out.push(0x1b, ext);
    }
  }
  return Buffer.from(out);
}

/** Unpacked septets back to text (the inverse of gsmEncode); an unknown escape code reads as the default-alphabet character of that code (TS 23.038 §6.2.1.1). */
export function gsmDecode(septets: Uint8Array): string {
  let out = '';
  for (let i = 0; i < septets.length; i++) {
    const code = septets[i]! & 0x7f;
    if (code === 0x1b) {
      const next = septets[++i];
      out += next === undefined ? '' : (GSM_EXT_CHAR.get(next & 0x7f) ?? GSM_CHAR[next & 0x7f]!);
    } else out += GSM_CHAR[code]!;
  }
  return out;
}

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** Septets the text takes in GSM-7, or null when a character is outside the alphabet (UCS-2 then). */
export function gsmSeptets(text: string): number | null {
  let n = 0;
  for (const ch of text) {
    if (GSM_BASIC.has(ch)) n += 1;
    else if (GSM_EXTENDED.has(ch)) n += 2;
    else return null;
  }
  return n;
}

export interface SmsSizing {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Units per segment for this message (single or concatenated). */
  perSegment: number;
}

const cost = (ch: string, encoding: SmsEncoding): number => (encoding === 'GSM-7' ? (GSM_EXTENDED.has(ch) ? 2 : 1) : ch.length);

/** Greedy split into chunks of at most `per` units, never cutting an escape pair or a surrogate pair. */
function split(text: string, encoding: SmsEncoding, per: number): string[] {
  const chunks: string[] = [];
  let current = '';
  let used = 0;
  for (const ch of text) {
    const c = cost(ch, encoding);
    if (used + c > per) {
      chunks.push(current);
      current = '';
      used = 0;
    }
    current += ch;
    used += c;
  }
  if (current || chunks.length === 0) chunks.push(current);
  return chunks;
}

/**
 * GSM-7: 160 septets in one SMS, 153 per part when concatenated (the UDH takes the
 * rest); UCS-2: 70 and 67. The part count is that of the actual split.
 */
export function smsSizing(text: string): SmsSizing {
  const septets = gsmSeptets(text);
  const [encoding, units, single, multi]: [SmsEncoding, number, number, number] =
    septets !== null ? ['GSM-7', septets, 160, 153] : ['UCS-2', text.length, 70, 67];
  if (units <= single) return { encoding, units, segments: 1, perSegment: single };
  return { encoding, units, segments: split(text, encoding, multi).length, perSegment: multi };
}

/** The concatenated-SMS parts of a text. */
export function smsParts(text: string): string[] {
  const sizing = smsSizing(text);
  return sizing.segments === 1 ? [text] : split(text, sizing.encoding, sizing.perSegment);
}

/** Cell broadcast (3GPP TS 23.041): 93 GSM-7 characters (82 octets) or 41 UCS-2 characters per page, at most 15 pages. */
export const CB_MAX_PAGES = 15;
export function cellBroadcastPages(text: string): { encoding: SmsEncoding; pages: string[]; fits: boolean } {
  const encoding: SmsEncoding = gsmSeptets(text) !== null ? 'GSM-7' : 'UCS-2';
  const pages = split(text, encoding, encoding === 'GSM-7' ? 93 : 41);
  return { encoding, pages, fits: pages.length <= CB_MAX_PAGES };
}
