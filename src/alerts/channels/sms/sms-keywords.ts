import type { Answer } from '../../delivery/acknowledgements.js';

/** The words a person may answer a warning SMS with, in the city's languages (English, French). */
const KEYWORDS: Record<string, Answer> = { SAFE: 'safe', OK: 'safe', SAUF: 'safe', HELP: 'need-help', AIDE: 'need-help', SOS: 'need-help' };

/**
 * The answer an SMS reply means, from its first word, whatever the case and accents
 * ("sauf", "Aidé !", " ok."); null for any other text.
 */
export function keywordAnswer(text: string): Answer | null {
  const word = text
    .slice(0, 200)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .trim()
    .split(/[^\p{L}\p{N}]+/u)
    .find(Boolean);
  return word ? (KEYWORDS[word] ?? null) : null;
}

/** A phone number as digits only, for matching an SMSC's source_addr ("37760000001") with a subscriber's "+377 6000 0001". */
export function phoneKey(phone: string): string {
  return phone.replace(/\D/g, '').replace(/^00/, '');
}
