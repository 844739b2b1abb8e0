import { createHash } from 'node:crypto';
import { VigilError, badRequest } from '../kernel/errors.js';
import type { EventLog } from './event-log.js';
import { erasedText, isSealed, type PersonalData, type Sealed } from './personal-data.js';

/** Small files kept in the log itself (base64 inside one event), under the 1 MB event limit. */
export const MAX_ATTACHMENT_BYTES = 512 * 1024;
/** Types accepted, each with the leading bytes its content must start with (null: text, checked as UTF-8). */
export const ATTACHMENT_TYPES: Record<string, number[] | null> = {
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47],
  'application/pdf': [0x25, 0x50, 0x44, 0x46],
  'text/plain': null,
};

export interface CheckedFile {
  name: string;
  contentType: string;
  bytes: number;
  sha256: string;
  base64: string;
}

/**
 * A file checked before it goes into the log: a clean name, not empty, within the
 * size limit, of an accepted type (`accept` narrows the list) whose content really
 * starts like that type.
 */
export function checkedFile(
  file: { name: string; contentType: string; bytes: Buffer },
  accept: readonly string[] = Object.keys(ATTACHMENT_TYPES),
): CheckedFile {
  // Control characters are exactly what a file name must not carry.
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\\/\u0000-\u001f]/g;
  const name = file.name.trim().replace(unsafe, '_').slice(0, 120);
  if (!name) throw badRequest('an attachment has a file name');
  if (file.bytes.length === 0) throw badRequest('the file is empty');
  if (file.bytes.length > MAX_ATTACHMENT_BYTES) throw new VigilError('payload_too_large', `attachments are at most ${MAX_ATTACHMENT_BYTES} bytes`);
  const contentType = file.contentType.split(';')[0]!.trim().toLowerCase();
  if (!(contentType in ATTACHMENT_TYPES) || !accept.includes(contentType)) throw badRequest(`attachments are ${accept.join(', ')}`);
  const magic = ATTACHMENT_TYPES[contentType];
  if (magic && !magic.every((b, k) => file.bytes[k] === b)) throw badRequest(`the file is not ${contentType}`);
  if (!magic && !isUtf8(file.bytes)) throw badRequest('a text attachment is UTF-8');
  return { name, contentType, bytes: file.bytes.length, sha256: createHash('sha256').update(file.bytes).digest('hex'), base64: file.bytes.toString('base64') };
}

/**
 * A stored file's bytes, read back from the event at `seq` and checked against the
 * recorded hash. Files written since retention are sealed under a key of their own
 * (personal-data.ts); once that key is shredded the file reads as erased (404).
 */
export async function fileFromLog(
  log: EventLog,
  seq: number,
  sha256: string,
  base64Of: (data: unknown) => string | Sealed | null,
  personal: Pick<PersonalData, 'open'>,
): Promise<Buffer> {
  const [event] = await log.read({ afterSeq: seq - 1, limit: 1 });
  const stored = event ? base64Of(event.data) : null;
  if (stored === null) throw new VigilError('internal', 'attachment event not found');
  const base64 = isSealed(stored) ? await personal.open<string>(stored) : stored;
  if (base64 === null) throw new VigilError('not_found', `this file was erased (${erasedText('retention')} or at the person's request)`);
  const bytes = Buffer.from(base64, 'base64');
  if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw new VigilError('internal', 'attachment does not match its hash');
  return bytes;
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
