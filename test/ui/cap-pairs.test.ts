import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CAP_PAIR_WORDS, capPairParts } from '../../web/src/labels.js';
import en from '../../web/src/locales/en.json' with { type: 'json' };
import fr from '../../web/src/locales/fr.json' with { type: 'json' };

/** The visible text of a CAP label and value pair in a language (what CapPair renders). */
function pair(lang: string, field: 'severity' | 'urgency' | 'certainty' | 'scope', code: string): string {
  const dict = (lang === 'fr' ? fr : en) as Record<string, string>;
  return capPairParts((k) => dict[k] ?? k, field, code)
    .join('')
    .replace(/\u00a0/g, ' ');
}

test('a CAP label and its value read as a phrase in English and in French', () => {
  assert.equal(pair('en', 'certainty', 'Observed'), 'Certainty: Observed');
  assert.equal(pair('fr', 'certainty', 'Observed'), 'Certitude : observée');
  assert.equal(pair('fr', 'certainty', 'Unknown'), 'Certitude : inconnue');
  assert.equal(pair('fr', 'severity', 'Moderate'), 'Gravité : modérée');
  assert.equal(pair('fr', 'urgency', 'Expected'), 'Urgence : attendue sous peu');
  assert.equal(pair('fr', 'scope', 'Public'), 'Portée : publique');
  assert.equal(pair('en', 'scope', 'Restricted'), 'Scope: Restricted');
});

test('French values after a feminine label agree with it and take no capital after the colon', () => {
  const french = fr as Record<string, string>;
  for (const table of Object.values(CAP_PAIR_WORDS))
    for (const key of Object.values(table)) {
      const word = french[key];
      assert.ok(word, `${key} has French`);
      assert.equal(word, word.toLowerCase(), `${key}: « ${word} » starts without a capital`);
      // gravité, urgence, certitude, portée are feminine: not the masculine « observé », « inconnu », « public »…
      assert.ok(
        !/(^|\s)(observé|inconnu|attendu|public|restreint|privé|modéré|passé|mineur|futur)(?!\p{L})/u.test(word),
        `${key}: « ${word} » agrees with a feminine label`,
      );
      assert.ok(!/(certitude|gravité|urgence) inconnue/.test(word), `${key}: the label is not repeated`);
    }
});

test('the alert review and detail show CAP fields as label and value pairs, never a bare label before a word', () => {
  for (const file of ['web/src/components/AlertReview.tsx', 'web/src/pages/AlertsPage.tsx']) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /\{t\('(Severity|Urgency|Certainty|Scope)'\)\}\s*(\{' '\}\s*)?<CapWord/, `${file}: a label followed by a bare CapWord`);
  }
  assert.match(readFileSync('web/src/components/AlertReview.tsx', 'utf8'), /<CapPair field="certainty"/);
});
