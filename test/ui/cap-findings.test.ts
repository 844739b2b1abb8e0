import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capFindings } from '../../src/alerts/cap/cap-rules.js';
import type { CapAlert } from '../../src/alerts/cap/cap-model.js';
import { CAP_IMPORT_SENTENCES, CAP_RULE_SENTENCES } from '../../web/src/cap-sentences.js';
import { ApiError } from '../../web/src/api.js';
import { capFindingText, errorText } from '../../web/src/errors.js';
import en from '../../web/src/locales/en.json' with { type: 'json' };
import fr from '../../web/src/locales/fr.json' with { type: 'json' };

const french = (k: string): string => (fr as Record<string, string>)[k] ?? k;
const english = (k: string): string => (en as Record<string, string>)[k] ?? k;

/** An imported alert CAP allows but Vigil would not write: a restriction on a Public alert, an expiry before it takes effect, a flat polygon. */
const doubtful: CapAlert = {
  identifier: 'W-1',
  sender: 'alertas@snet.example',
  sent: '2026-12-04T06:00:00-06:00',
  status: 'Actual',
  msgType: 'Alert',
  scope: 'Public',
  restriction: 'staff only',
  info: [
    {
      language: 'es-SV',
      category: ['Met'],
      event: 'Lluvias',
      urgency: 'Expected',
      severity: 'Moderate',
      certainty: 'Likely',
      expires: '2026-12-04T05:00:00-06:00',
      area: [{ areaDesc: 'San Salvador', polygon: ['13.1,-88.1 13.2,-88.2 13.3,-88.3 13.1,-88.1'] }],
    },
  ],
} as CapAlert;

test('CAP findings: each warning in French from its rule and what it names, in English as the server says it', () => {
  const findings = capFindings(doubtful);
  assert.deepEqual(
    findings.map((f) => f.rule),
    ['restriction-unused', 'polygon-area', 'expires-before-effective'],
  );
  assert.deepEqual(
    findings.map((f) => capFindingText(french, f)),
    [
      '<restriction> ne sert que pour la portée Restricted ; portée de cette alerte : Publique.',
      'Bloc d’information 1 (es-SV), zone « San Salvador » : le polygone n’a pas de surface (ses points sont alignés).',
      'Bloc d’information 1 (es-SV) : il expire (2026-12-04T05:00:00-06:00) avant de prendre effet (2026-12-04T06:00:00-06:00).',
    ],
  );
  // No English left in the French sentences: no placeholder unfilled.
  for (const f of findings) assert.doesNotMatch(capFindingText(french, f), /\{\w+\}|\bthe\b|\bpolygon\b/);
  // An English reader reads an English sentence, one per rule.
  assert.match(capFindingText(english, findings[1]!), /^Info block 1 \(es-SV\), area “San Salvador”: the polygon has no area/);
  // A warning kept before its params were (older imports): the stored message.
  assert.equal(capFindingText(french, { rule: 'polygon-area', message: 'info 1 (es-SV), …' }), 'info 1 (es-SV), …');
});

test('a refused CAP upload reads in French: the rule at fault, the version, the signature', () => {
  const unclosed = new ApiError(400, 'validation_failed', 'not accepted: info 1 (es-SV), area "X": a polygon is closed', null, 'cap.polygon-closed', {
    info: 1,
    language: 'es-SV',
    area: 'X',
  });
  assert.equal(errorText(french, unclosed), 'Bloc d’information 1 (es-SV), zone « X » : un polygone est fermé (son dernier point est le premier).');
  const v10 = new ApiError(415, 'unsupported_media_type', 'CAP 1.0 (…) is not accepted', null, 'cap.version-1.0', {});
  assert.equal(errorText(french, v10), 'Le CAP 1.0 n’est pas accepté : demandez le CAP 1.2 à l’expéditeur (le CAP 1.1 est converti).');
  const unsigned = new ApiError(400, 'validation_failed', 'x signs its alerts', null, 'cap.unsigned', { sender: 'alertas@snet.example' });
  assert.equal(errorText(french, unsigned), 'alertas@snet.example signe ses alertes, mais ce document n’est pas signé.');
  // Every sentence in both languages, translated.
  for (const key of [...Object.values(CAP_RULE_SENTENCES), ...Object.values(CAP_IMPORT_SENTENCES)]) {
    assert.ok((fr as Record<string, string>)[key], `${key} in French`);
    assert.notEqual(french(key), key, `${key} translated`);
  }
});
