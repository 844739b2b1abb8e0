import { createHash } from 'node:crypto';
import type { CapAlert } from './cap-model.js';

/** A resource's embedded content (derefUri) longer than this is kept only in the received document, not in the alert's record. */
export const INLINE_DEREF_CHARS = 8 * 1024;

/** An embedded resource left out of the alert's record: where, its length and SHA-256. */
export interface OmittedResource {
  info: number;
  resource: number;
  chars: number;
  sha256: string;
}

/** Moves long embedded resources out of the alert's record (the received document keeps them). */
export function withoutLongResources(cap: CapAlert): { cap: CapAlert; omitted: OmittedResource[] } {
  const omitted: OmittedResource[] = [];
  const copy: CapAlert = structuredClone(cap);
  for (const [n, info] of (copy.info ?? []).entries()) {
    for (const [k, r] of (info.resource ?? []).entries()) {
      if (r.derefUri !== undefined && r.derefUri.length > INLINE_DEREF_CHARS) {
        omitted.push({ info: n, resource: k, chars: r.derefUri.length, sha256: createHash('sha256').update(r.derefUri).digest('hex') });
        delete r.derefUri;
      }
    }
  }
  return { cap: copy, omitted };
}
