import { createHash } from 'node:crypto';
import type { StoredEvent } from './event-log.js';

/**
 * Canonical JSON: keys sorted at every depth, no whitespace. Both stores hash the
 * same bytes for the same event, so a log can move between them and still verify.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export type HashedFields = Omit<StoredEvent, 'hash' | 'prevHash'>;

export function eventHash(prevHash: string, e: HashedFields): string {
  const content = canonicalJson({
    seq: e.seq, id: e.id, type: e.type, subject: e.subject, orgId: e.orgId,
    actor: e.actor, reason: e.reason, at: e.at, data: e.data,
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}
