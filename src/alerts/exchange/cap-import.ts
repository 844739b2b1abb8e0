import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { VigilError } from '../../kernel/errors.js';
import type { CapAlert } from '../cap/cap-model.js';
import { capFindings, type CapFinding } from '../cap/cap-rules.js';
import { validateCapXml } from '../cap/cap-validate.js';
import { CAP_TOO_LARGE, MAX_CAP_BYTES, capToXml, parseCapXml } from '../cap/cap-xml.js';
import { readCapOffThread, type ReadCap } from '../cap/cap-worker.js';
import { INLINE_DEREF_CHARS, withoutLongResources, type OmittedResource } from '../cap/cap-resources.js';
import { decodeXml } from './charset.js';
import { capVersionOf, convertCap11 } from './cap-versions.js';
import { looksSigned, verifyCapSignature, type SignatureCheck, type SignerKey } from './cap-signature.js';

/** The received document is stored in parts of at most this many bytes (each one event, base64, under the log's 1 MiB per event). */
export const RECEIVED_PART_BYTES = 512 * 1024;
/** The alert's record without embedded resources (JSON) must fit in one event with room to spare. */
export const MAX_RECORD_CHARS = 900 * 1024;

/** How an imported document was received and read, kept with the alert. */
export interface ImportDetails {
  via: 'upload' | 'feed' | 'link';
  feedId?: string;
  /** Received over the AMQP link (src/exchange): the partner agency that sent it. */
  agency?: string;
  version: '1.1' | '1.2';
  /** The encoding the bytes were read in, and what decided it. */
  encoding: string;
  encodingBy: 'bom' | 'content-type' | 'declaration' | 'default';
  /** CAP 1.1 only: what conversion to 1.2 changed. */
  converted?: string[];
  /** What CAP allows but Vigil would not write itself (cap/cap-rules.ts). */
  warnings: CapFinding[];
  signature: SignatureCheck;
  /** The document exactly as received: size, SHA-256, and in how many parts it is stored. */
  received: { bytes: number; sha256: string; parts: number; contentType: string };
  /** Embedded resources (derefUri) kept only in the received document: where, their length and SHA-256. */
  omitted?: OmittedResource[];
}

/** A document read, checked and ready to record. */
export interface CheckedImport {
  cap: CapAlert;
  details: ImportDetails;
  /** The received bytes, in parts. */
  parts: Buffer[];
}

export { INLINE_DEREF_CHARS, withoutLongResources };

const sha256 = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');

/**
 * Reads another agency's document: bytes within the limit, decoded by BOM, Content-Type
 * charset or XML declaration; CAP 1.2 as is, CAP 1.1 converted, CAP 1.0 and anything
 * else refused (415); the 1.2 schema; the same rules as authoring (errors refuse,
 * warnings are kept); the XML signature verified with the sender's trusted keys.
 */
export async function checkImport(
  bytes: Buffer,
  options: {
    charset?: string | null;
    contentType?: string;
    via: 'upload' | 'feed' | 'link';
    feedId?: string;
    agency?: string;
    keysFor: (sender: string) => SignerKey[];
  },
): Promise<CheckedImport> {
  if (bytes.length === 0) throw new VigilError('validation_failed', 'empty document').because('cap.empty');
  if (bytes.length > MAX_CAP_BYTES)
    throw new VigilError('payload_too_large', `${CAP_TOO_LARGE} (${bytes.length} bytes)`, {
      limit: MAX_CAP_BYTES,
      bytes: bytes.length,
    }).because('cap.too-large', { limit: MAX_CAP_BYTES });
  const decoded = decodeXml(bytes, options.charset);
  const version = capVersionOf(decoded.text);
  let cap: CapAlert;
  let converted: string[] | undefined;
  let signature: SignatureCheck = { status: 'unsigned' };
  /** CAP 1.2: read, checked against the rules and stripped of long resources in the worker pool. */
  let read: ReadCap | null = null;
  if (version === '1.1') {
    const c = convertCap11(decoded.text);
    [cap, converted] = [c.cap, c.changes];
    const validation = await validateCapXml(capToXml(cap));
    if (!validation.valid)
      throw new VigilError('validation_failed', `not valid CAP once converted from 1.1 to 1.2: ${validation.errors[0] ?? 'not well-formed'}`, {
        errors: validation.errors,
        converted,
      }).because('cap.schema-converted');
    if (looksSigned(decoded.text))
      signature = { status: 'unverified', reason: 'a CAP 1.1 signature is not verified: it signed the 1.1 document, and Vigil keeps the 1.2 conversion' };
  } else {
    const validation = await validateCapXml(decoded.text);
    if (!validation.valid)
      throw new VigilError('validation_failed', `not valid CAP 1.2: ${validation.errors[0] ?? 'not well-formed'}`, { errors: validation.errors }).because(
        'cap.schema',
      );
    // Read and checked in the worker pool: a MiB of areas is 60–110 ms of CPU to parse and as much
    // again for the rules and the copy without long resources, which the alarm path must not wait for.
    read = await readCapOffThread(decoded.text);
    cap = read.cap;
    const keys = options.keysFor(cap.sender);
    const check = looksSigned(decoded.text) ? verifyCapSignature(decoded.text, keys) : ({ status: 'unsigned' } as const);
    if (check.status === 'invalid')
      throw new VigilError('validation_failed', `the XML signature is refused: ${check.reason}`, { signature: check }).because('cap.signature-refused');
    if (check.status === 'unsigned' && keys.length > 0)
      throw new VigilError(
        'validation_failed',
        `${cap.sender} signs its alerts (trusted signers: ${keys.map((k) => k.name).join(', ')}) but this document is not signed`,
      ).because('cap.unsigned', { sender: cap.sender });
    if (check.status === 'valid') {
      // The alert is what was signed, never nodes of the document beside it.
      const signed = parseCapXml(check.signed!);
      if (!isDeepStrictEqual(signed, cap))
        throw new VigilError('validation_failed', 'the XML signature does not cover the whole alert').because('cap.signature-partial');
      const { signed: _s, ...rest } = check;
      signature = rest;
    } else signature = check;
  }
  const findings = read?.findings ?? capFindings(cap);
  const errors = findings.filter((f) => f.level === 'error');
  // The first error by its rule and what it names (the client words it); every finding in the details.
  if (errors.length > 0)
    throw new VigilError('validation_failed', `not accepted: ${errors[0]!.message}`, { findings }).because(`cap.${errors[0]!.rule}`, errors[0]!.params ?? {});
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += RECEIVED_PART_BYTES) parts.push(bytes.subarray(at, at + RECEIVED_PART_BYTES));
  const { cap: kept, omitted } = read ? { cap: read.kept ?? cap, omitted: read.omitted } : withoutLongResources(cap);
  const details: ImportDetails = {
    via: options.via,
    ...(options.feedId ? { feedId: options.feedId } : {}),
    ...(options.agency ? { agency: options.agency } : {}),
    version,
    encoding: decoded.encoding,
    encodingBy: decoded.by,
    ...(converted ? { converted } : {}),
    warnings: findings.filter((f) => f.level === 'warning'),
    signature,
    received: { bytes: bytes.length, sha256: sha256(bytes), parts: parts.length, contentType: options.contentType ?? 'application/cap+xml' },
    ...(omitted.length ? { omitted } : {}),
  };
  // The length of JSON.stringify({ kept, details }), without stringifying the alert again on this thread when the worker measured it.
  const recordChars = read
    ? '{"kept":'.length + read.keptChars + ',"details":'.length + JSON.stringify(details).length + 1
    : JSON.stringify({ kept, details }).length;
  if (recordChars > MAX_RECORD_CHARS)
    throw new VigilError(
      'payload_too_large',
      `the alert's text, without embedded resources, is ${recordChars} characters; Vigil keeps at most ${MAX_RECORD_CHARS} per alert (long content belongs in resources)`,
      { limit: MAX_RECORD_CHARS, chars: recordChars },
    ).because('cap.record-too-long', { limit: MAX_RECORD_CHARS });
  return { cap: kept, details, parts };
}

const describe = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 120));

/**
 * What differs between two messages with the same sender, identifier and sent time:
 * paths and both values ("info[0].severity: \"Moderate\" → \"Severe\""), at most `max`.
 */
export function capDifferences(before: unknown, after: unknown, max = 20, path = ''): string[] {
  if (isDeepStrictEqual(before, after)) return [];
  const bothObjects = typeof before === 'object' && before !== null && typeof after === 'object' && after !== null;
  if (!bothObjects || Array.isArray(before) !== Array.isArray(after)) return [`${path || '(document)'}: ${describe(before)} → ${describe(after)}`];
  const out: string[] = [];
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length !== after.length && before.some((b) => typeof b !== 'object')) return [`${path}: ${describe(before)} → ${describe(after)}`];
    for (let k = 0; k < Math.max(before.length, after.length) && out.length < max; k++)
      out.push(...capDifferences(before[k], after[k], max - out.length, `${path}[${k}]`));
    return out;
  }
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])]) {
    if (out.length >= max) break;
    out.push(...capDifferences(b[key], a[key], max - out.length, path ? `${path}.${key}` : key));
  }
  return out;
}
