import { DOMParser, XMLSerializer, type Element as XmlElement } from '@xmldom/xmldom';
import { badRequest } from '../../kernel/errors.js';

/** Largest EDXL document Vigil reads (envelope with its content); a hub sends far less. */
export const MAX_EDXL_BYTES = 1_048_576;

export type { XmlElement };

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** `<name>text</name>`, or nothing when the value is absent. */
export const el = (name: string, value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? '' : `<${name}>${esc(String(value))}</${name}>`;

/**
 * Parses an EDXL document: bounded size, no DOCTYPE (no entity expansion, no external
 * fetch), well-formed, the expected root in the expected namespace.
 */
export function parseXmlRoot(xml: string, namespaces: readonly string[], rootName: string, what: string): XmlElement {
  if (Buffer.byteLength(xml, 'utf8') > MAX_EDXL_BYTES) throw badRequest(`${what} is over ${MAX_EDXL_BYTES} bytes`);
  if (/<!DOCTYPE/i.test(xml)) throw badRequest(`${what}: a DOCTYPE is not accepted`);
  let root: XmlElement | null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
    root = doc.documentElement;
  } catch (error) {
    throw badRequest(
      `${what} is not well-formed XML: ${String((error as Error).message)
        .split('\n')[0]!
        .slice(0, 200)}`,
    );
  }
  if (!root) throw badRequest(`${what} is empty`);
  if (root.localName !== rootName || !namespaces.includes(root.namespaceURI ?? ''))
    throw badRequest(`${what}: the root element is {${root.namespaceURI ?? ''}}${root.localName}, expected {${namespaces[0]}}${rootName}`);
  return root;
}

/** Element children (any namespace) with this local name. */
export function children(parent: XmlElement, localName?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (localName === undefined || (n as XmlElement).localName === localName)) out.push(n as XmlElement);
  }
  return out;
}

export const child = (parent: XmlElement, localName: string): XmlElement | undefined => children(parent, localName)[0];

export const text = (e: XmlElement | undefined): string | undefined => (e ? (e.textContent ?? '').trim() : undefined);

export const childText = (parent: XmlElement, localName: string): string | undefined => text(child(parent, localName));

/** A required child's text, or a 400 naming it. */
export function required(parent: XmlElement, localName: string, what: string): string {
  const v = childText(parent, localName);
  if (v === undefined || v === '') throw badRequest(`${what}: <${localName}> is missing`);
  return v;
}

export const serialize = (e: XmlElement): string => new XMLSerializer().serializeToString(e);

/** The XML without its declaration (to embed a document in another). */
export const withoutDeclaration = (xml: string): string => xml.replace(/^\uFEFF?\s*<\?xml[^?]*\?>\s*/, '');

/** xsd:dateTime with a zone, as EDXL requires. */
export const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
