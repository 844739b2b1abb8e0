import { SaxesParser } from 'saxes';
import { VigilError } from '../../kernel/errors.js';
import { CAP_NS, RESPONSE_TYPES, type CapAlert } from '../cap/cap-model.js';
import { parseCapXml } from '../cap/cap-xml.js';

export const CAP_11_NS = 'urn:oasis:names:tc:emergency:cap:1.1';
export const CAP_10_NS = 'http://www.incident.com/cap/1.0';

export type CapVersion = '1.0' | '1.1' | '1.2';

const FOUND = Symbol('root found');

/** The root element's name and namespace, read without reading the rest (null: no element). */
export function rootOf(xml: string): { local: string; uri: string } | null {
  const parser = new SaxesParser({ xmlns: true });
  let root: { local: string; uri: string } | null = null;
  parser.on('opentag', (tag) => {
    root = { local: tag.local, uri: tag.uri };
    throw FOUND;
  });
  parser.on('doctype', () => {
    throw new VigilError('validation_failed', 'a CAP document must not carry a DOCTYPE').because('cap.doctype');
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    if (error !== FOUND) {
      if (error instanceof VigilError) throw error;
      throw new VigilError('validation_failed', `not well-formed XML: ${(error as Error).message}`).because('cap.not-xml');
    }
  }
  return root;
}

/** Which CAP a document is, by its root's namespace; anything else is refused with what it is. */
export function capVersionOf(xml: string): Exclude<CapVersion, '1.0'> {
  const root = rootOf(xml);
  if (!root) throw new VigilError('validation_failed', 'empty document: no element').because('cap.empty');
  if (root.local === 'alert' && root.uri === CAP_NS) return '1.2';
  if (root.local === 'alert' && root.uri === CAP_11_NS) return '1.1';
  if (root.local === 'alert' && root.uri === CAP_10_NS)
    throw new VigilError(
      'unsupported_media_type',
      'CAP 1.0 (http://www.incident.com/cap/1.0) is not accepted: its codes and areas have another form. Ask the sender for CAP 1.2 (CAP 1.1 is converted)',
      { version: '1.0' },
    ).because('cap.version-1.0');
  throw new VigilError(
    'unsupported_media_type',
    `not a CAP alert: the root is <${root.local}> in namespace "${root.uri}"; Vigil accepts CAP 1.2 (${CAP_NS}) and CAP 1.1`,
    {
      root: root.local,
      namespace: root.uri,
    },
  ).because('cap.not-cap', { root: root.local });
}

const TIME_FIELDS = ['effective', 'onset', 'expires'] as const;

/** A CAP 1.1 time as CAP 1.2 writes it: 1.2 forbids "Z" and fractions of a second. */
function time12(t: string): string {
  return t.replace(/\.\d+(?=([-+]\d\d:\d\d|Z)$)/, '').replace(/Z$/, '+00:00');
}

/**
 * A CAP 1.1 document as CAP 1.2 (docs/cap-exchange.md). The two differ little: the
 * namespace; 1.2 writes times with an explicit offset ("Z" was allowed by 1.1's
 * xs:dateTime); <mimeType> of a resource became required; <responseType> gained Avoid
 * and AllClear (a 1.1 document cannot carry them, nothing to do). What was changed is
 * returned, for the officer to see. The result is validated against the 1.2 schema by
 * the caller; a 1.1 document's signature does not survive conversion (it signed 1.1).
 */
export function convertCap11(xml: string): { cap: CapAlert; changes: string[] } {
  const cap = parseCapXml(xml, { namespace: CAP_11_NS, defaultMimeType: '' });
  const changes = [`namespace ${CAP_11_NS} → ${CAP_NS}`];
  const sent = time12(cap.sent);
  if (sent !== cap.sent) changes.push(`<sent> ${cap.sent} → ${sent}`);
  cap.sent = sent;
  for (const [n, info] of (cap.info ?? []).entries()) {
    for (const f of TIME_FIELDS) {
      const v = info[f];
      if (v === undefined) continue;
      const t = time12(v);
      if (t !== v) changes.push(`info ${n + 1} <${f}> ${v} → ${t}`);
      info[f] = t;
    }
    for (const r of info.resource ?? []) {
      if (r.mimeType === '') {
        r.mimeType = 'application/octet-stream';
        changes.push(`info ${n + 1} resource "${r.resourceDesc.slice(0, 60)}": no <mimeType> (required in 1.2) → application/octet-stream`);
      }
    }
    if (info.responseType?.some((r) => !(RESPONSE_TYPES as readonly string[]).includes(r)))
      changes.push(`info ${n + 1}: unknown <responseType> kept for the schema to judge`);
  }
  // References name earlier messages by their own sent time, converted the same way so they still match.
  if (cap.references) {
    const refs = cap.references
      .split(/\s+/)
      .filter(Boolean)
      .map((r) => {
        const parts = r.split(',');
        if (parts.length !== 3) return r;
        return `${parts[0]},${parts[1]},${time12(parts[2]!)}`;
      })
      .join(' ');
    if (refs !== cap.references) changes.push('<references> times written as CAP 1.2 writes them');
    cap.references = refs;
  }
  return { cap, changes };
}
