import { timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../../kernel/secrets.js';

export const ANSWERS = ['safe', 'need-help'] as const;
export type Answer = (typeof ANSWERS)[number];

/**
 * The personal link in a warning message: which alert and which recipient, with a
 * MAC so nobody can answer for someone else. No account needed to answer.
 */
export function ackToken(secrets: SecretBox, alertId: string, recipientId: string): string {
  return `${alertId}.${recipientId}.${secrets.mac('alert-ack', `${alertId}.${recipientId}`)}`;
}

export function readAckToken(secrets: SecretBox, token: string): { alertId: string; recipientId: string } | null {
  const [alertId, recipientId, mac, ...rest] = token.split('.');
  if (!alertId || !recipientId || !mac || rest.length > 0) return null;
  const expected = Buffer.from(secrets.mac('alert-ack', `${alertId}.${recipientId}`));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { alertId, recipientId } : null;
}
