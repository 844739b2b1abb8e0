/**
 * The octets of a cell-broadcast message (3GPP TS 23.041 §9.4.2.2.5, TS 23.038 §5
 * and §6.1.2): each page is 82 octets — 93 GSM-7 septets packed, or 41 UCS-2
 * characters — padded with CR, followed by the length of its information. The
 * pages are those of the authoring preview (cellBroadcastPages), so what the
 * officer sees is what phones show.
 */
import { cellBroadcastText } from './channel-text.js';
import { CB_MAX_PAGES, cellBroadcastPages, gsmDecode, gsmEncode, type SmsEncoding } from './message-sizing.js';

export const CBS_PAGE_OCTETS = 82;
const CR = 0x0d;

/** TS 23.038 §5, coding groups 0000 and 0010: languages written in the GSM-7 default alphabet. */
const GSM7_LANGUAGE_DCS: Record<string, number> = {
  de: 0x00,
  en: 0x01,
  it: 0x02,
  fr: 0x03,
  es: 0x04,
  nl: 0x05,
  sv: 0x06,
  da: 0x07,
  pt: 0x08,
  fi: 0x09,
  no: 0x0a,
  nb: 0x0a,
  nn: 0x0a,
  el: 0x0b,
  tr: 0x0c,
  hu: 0x0d,
  pl: 0x0e,
  cs: 0x20,
  he: 0x21,
  ar: 0x22,
  ru: 0x23,
  is: 0x24,
};
/** GSM-7, language unspecified (coding group 0000, 1111). */
const DCS_GSM7_UNSPECIFIED = 0x0f;
/** General data coding, uncompressed, no class, UCS-2 (coding group 01xx): 41 characters a page, no language prefix. */
const DCS_UCS2 = 0x48;

/** The data coding scheme octet for a text's encoding and its CAP language tag. */
export function cbsDataCoding(encoding: SmsEncoding, language: string): number {
  if (encoding === 'UCS-2') return DCS_UCS2;
  return GSM7_LANGUAGE_DCS[language.toLowerCase().split('-')[0] ?? ''] ?? DCS_GSM7_UNSPECIFIED;
}

/** What a data coding scheme octet says about the alphabet (only the schemes Vigil writes, and the GSM-7 language groups). */
export function cbsEncodingOf(dcs: number): SmsEncoding {
  if (dcs === DCS_UCS2 || dcs === 0x11) return 'UCS-2';
  if (dcs >>> 4 === 0 || dcs >>> 4 === 2 || dcs === 0x10) return 'GSM-7';
  throw new RangeError(`data coding scheme 0x${dcs.toString(16)} is not one Vigil reads`);
}

/** Septets packed 8 to 7 octets, least significant bit first (TS 23.038 §6.1.2.1.1). */
export function packSeptets(septets: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.ceil((septets.length * 7) / 8));
  for (let i = 0; i < septets.length; i++) {
    const bit = i * 7;
    const at = bit >>> 3;
    const shift = bit & 7;
    const v = septets[i]! & 0x7f;
    out[at] = out[at]! | ((v << shift) & 0xff);
    if (shift > 1) out[at + 1] = out[at + 1]! | (v >>> (8 - shift));
  }
  return out;
}

export function unpackSeptets(octets: Uint8Array, count: number): Buffer {
  const out = Buffer.alloc(count);
  for (let i = 0; i < count; i++) {
    const bit = i * 7;
    const at = bit >>> 3;
    const shift = bit & 7;
    let v = octets[at]! >>> shift;
    if (shift > 1) v |= (octets[at + 1] ?? 0) << (8 - shift);
    out[i] = v & 0x7f;
  }
  return out;
}

export interface CbsPage {
  /** 82 octets, padded. */
  octets: Buffer;
  /** Octets of information before the padding. */
  length: number;
}

/** One page's text as its 82 octets: GSM-7 septets packed and padded with CR septets, or UCS-2 padded with U+000D. */
export function encodeCbsPage(text: string, encoding: SmsEncoding): CbsPage {
  if (encoding === 'GSM-7') {
    const septets = gsmEncode(text);
    const max = Math.floor((CBS_PAGE_OCTETS * 8) / 7);
    if (septets.length > max) throw new RangeError(`a GSM-7 page holds ${max} septets, not ${septets.length}`);
    const padded = Buffer.alloc(max, CR);
    septets.copy(padded);
    return { octets: packSeptets(padded), length: Math.ceil((septets.length * 7) / 8) };
  }
  const ucs2 = Buffer.from(text, 'utf16le').swap16();
  if (ucs2.length > CBS_PAGE_OCTETS) throw new RangeError(`a UCS-2 page holds ${CBS_PAGE_OCTETS / 2} characters, not ${ucs2.length / 2}`);
  const octets = Buffer.alloc(CBS_PAGE_OCTETS);
  for (let i = 0; i < CBS_PAGE_OCTETS; i += 2) octets.writeUInt16BE(CR, i);
  ucs2.copy(octets);
  return { octets, length: ucs2.length };
}

/**
 * A page back to text. GSM-7: the septets the information length covers, and any
 * trailing CR dropped — the last octet may hold a whole padding septet (TS 23.038
 * §6.1.2.3.1), and Vigil's page texts never end in CR (channel texts turn CR into LF).
 */
export function decodeCbsPage(page: CbsPage, encoding: SmsEncoding): string {
  if (page.octets.length !== CBS_PAGE_OCTETS) throw new RangeError(`a CBS page is ${CBS_PAGE_OCTETS} octets, not ${page.octets.length}`);
  if (page.length > CBS_PAGE_OCTETS) throw new RangeError(`information length ${page.length} is more than a page`);
  if (encoding === 'GSM-7') {
    const septets = unpackSeptets(page.octets, Math.floor((page.length * 8) / 7));
    let end = septets.length;
    while (end > 0 && septets[end - 1] === CR) end--;
    return gsmDecode(septets.subarray(0, end));
  }
  if (page.length % 2 !== 0) throw new RangeError('a UCS-2 page has an even information length');
  return Buffer.from(page.octets.subarray(0, page.length)).swap16().toString('utf16le');
}

export interface CbsContents {
  encoding: SmsEncoding;
  dataCodingScheme: number;
  pages: CbsPage[];
  /** Number of pages, then each page's 82 octets and its information length (TS 23.041 §9.4.2.2.5). */
  contents: Buffer;
}

/** A language's warning text as the pages a CBC broadcasts; refuses texts longer than 15 pages. */
export function cbsContents(text: string, language: string): CbsContents {
  const { encoding, pages: texts, fits } = cellBroadcastPages(cellBroadcastText(text));
  if (!fits) throw new RangeError(`the cell-broadcast text takes ${texts.length} pages; ${CB_MAX_PAGES} at most`);
  const pages = texts.map((t) => encodeCbsPage(t, encoding));
  const contents = Buffer.alloc(1 + pages.length * (CBS_PAGE_OCTETS + 1));
  contents[0] = pages.length;
  pages.forEach((p, i) => {
    const at = 1 + i * (CBS_PAGE_OCTETS + 1);
    p.octets.copy(contents, at);
    contents[at + CBS_PAGE_OCTETS] = p.length;
  });
  return { encoding, dataCodingScheme: cbsDataCoding(encoding, language), pages, contents };
}

/** The inverse of cbsContents' layout: the pages' texts, checked octet by octet. */
export function decodeCbsContents(contents: Uint8Array, dataCodingScheme: number): string[] {
  const encoding = cbsEncodingOf(dataCodingScheme);
  const count = contents[0] ?? 0;
  if (count < 1 || count > CB_MAX_PAGES) throw new RangeError(`a CBS message has 1 to ${CB_MAX_PAGES} pages, not ${count}`);
  if (contents.length !== 1 + count * (CBS_PAGE_OCTETS + 1))
    throw new RangeError(`${count} pages take ${1 + count * (CBS_PAGE_OCTETS + 1)} octets, not ${contents.length}`);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = 1 + i * (CBS_PAGE_OCTETS + 1);
    texts.push(decodeCbsPage({ octets: Buffer.from(contents.subarray(at, at + CBS_PAGE_OCTETS)), length: contents[at + CBS_PAGE_OCTETS]! }, encoding));
  }
  return texts;
}
