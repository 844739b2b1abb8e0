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

/** ackToken for one alert and many recipients: the same tokens, the alert's part of the MAC input written once. */
export function ackTokens(secrets: SecretBox, alertId: string): (recipientId: string) => string {
  const sign = secrets.macWith('alert-ack', `${alertId}.`);
  return (recipientId) => `${alertId}.${recipientId}.${sign(recipientId)}`;
}

export function readAckToken(secrets: SecretBox, token: string): { alertId: string; recipientId: string } | null {
  const [alertId, recipientId, mac, ...rest] = token.split('.');
  if (!alertId || !recipientId || !mac || rest.length > 0) return null;
  const expected = Buffer.from(secrets.mac('alert-ack', `${alertId}.${recipientId}`));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { alertId, recipientId } : null;
}
