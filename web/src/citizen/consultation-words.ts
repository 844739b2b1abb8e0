import type { Effect } from '../../../src/engagement/contract.js';

// The figures of a consultation as the public reads them: a count, or "fewer than k" where it was withheld
// (the server sends null for 1 … k−1 people: src/engagement/service.ts publicConsultation).

/** Short words for the effects, in the public count of a decision. */
const EFFECT_COUNT_TEXT: Record<Effect, string> = {
  adopted: 'adopted',
  'partly-adopted': 'partly adopted',
  'considered-not-adopted': 'considered, not adopted',
  'out-of-scope': 'outside the question',
};

/** A count the public reads: the number, or "fewer than k" when it was withheld (null: 1 … k−1 people). */
const countText = (t: (key: string) => string, n: number | null, k: number): string => (n === null ? t('fewer than {n}').replace('{n}', String(k)) : String(n));

/** "12 answers" / "fewer than 5 answers". */
export const answersText = (t: (key: string) => string, n: number | null, k: number): string =>
  n === null ? t('fewer than {n} answers').replace('{n}', String(k)) : `${n} ${t('answers')}`;

/**
 * How the answers counted, effect by effect (those with none left out): "adopted: 7 · partly adopted: fewer than 5".
 * Shown only when the number of answers is published: below k it would only repeat "fewer than k".
 */
export function decisionCountsText(t: (key: string) => string, counts: Record<Effect, number | null>, k: number): string {
  const parts = (Object.keys(EFFECT_COUNT_TEXT) as Effect[])
    .filter((e) => counts[e] !== 0)
    .map((e) =>
      t('{what}: {n}')
        .replace('{what}', t(EFFECT_COUNT_TEXT[e]))
        .replace('{n}', countText(t, counts[e], k)),
    );
  return parts.length > 0 ? parts.join(' · ') : t('no answers');
}
