import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answersText, decisionCountsText } from '../../web/src/citizen/consultation-words.js';
import en from '../../web/src/locales/en.json' with { type: 'json' };
import fr from '../../web/src/locales/fr.json' with { type: 'json' };

const english = (k: string): string => (en as Record<string, string>)[k] ?? `MISSING ${k}`;
const french = (k: string): string => (fr as Record<string, string>)[k] ?? `MISSING ${k}`;

test('a consultation’s public figures: the count, or "fewer than k" where the server withheld it, in English and French', () => {
  assert.equal(answersText(english, 12, 5), '12 answers');
  assert.equal(answersText(english, null, 5), 'fewer than 5 answers');
  assert.equal(answersText(french, null, 10), 'moins de 10 réponses');
  const counts = { adopted: 7, 'partly-adopted': null, 'considered-not-adopted': null, 'out-of-scope': 0 };
  assert.equal(decisionCountsText(english, counts, 5), 'adopted: 7 · partly adopted: fewer than 5 · considered, not adopted: fewer than 5');
  assert.equal(decisionCountsText(french, counts, 5), 'retenues : 7 · retenues en partie : moins de 5 · examinées, non retenues : moins de 5');
  assert.equal(decisionCountsText(english, { adopted: 0, 'partly-adopted': 0, 'considered-not-adopted': 0, 'out-of-scope': 0 }, 5), 'no answers');
});
