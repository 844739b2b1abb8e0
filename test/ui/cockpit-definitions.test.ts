import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFINITIONS_FR, definitionIn } from '../../web/src/cockpit-definitions.js';

import { CATALOGUE_FILES } from '../../src/cockpit/catalogue.js';

const vigil = {
  indicators: CATALOGUE_FILES.flatMap(
    (f) => (JSON.parse(readFileSync(`src/cockpit/catalogue/${f}`, 'utf8')) as { indicators: { id: string; definition: { text: string } }[] }).indicators,
  ),
};

test('every indicator of the catalogue (the cockpit overview shows any with data) is defined in French, by indicator code', () => {
  const ids = vigil.indicators.map((i) => i.id);
  assert.deepEqual(
    ids.filter((id) => !DEFINITIONS_FR[id]),
    [],
    'indicators of the catalogue without a French definition',
  );
  for (const id of Object.keys(DEFINITIONS_FR)) assert.ok(ids.includes(id), `${id} is an indicator of the catalogue`);
  for (const i of vigil.indicators) {
    assert.notEqual(definitionIn('fr', i), i.definition.text, `${i.id} reads in French`);
    assert.equal(definitionIn('en', i), i.definition.text);
  }
  assert.equal(definitionIn('fr', { id: 'iso37120.other', definition: { text: 'English only' } }), 'English only');
});
