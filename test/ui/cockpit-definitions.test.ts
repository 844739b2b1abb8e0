import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFINITIONS_FR, definitionIn } from '../../web/src/cockpit-definitions.js';

const vigil = JSON.parse(readFileSync('src/cockpit/catalogue/vigil.json', 'utf8')) as { indicators: { id: string; definition: { text: string } }[] };

test("Vigil's own indicators (the cockpit overview's operational ones) are defined in French, by indicator code", () => {
  const ids = vigil.indicators.map((i) => i.id);
  assert.deepEqual(
    ids.filter((id) => !DEFINITIONS_FR[id]),
    [],
    'indicators of vigil.json without a French definition',
  );
  for (const id of Object.keys(DEFINITIONS_FR)) assert.ok(ids.includes(id), `${id} is an indicator of the catalogue`);
  for (const i of vigil.indicators) {
    assert.notEqual(definitionIn('fr', i), i.definition.text, `${i.id} reads in French`);
    assert.equal(definitionIn('en', i), i.definition.text);
  }
  assert.equal(definitionIn('fr', { id: 'iso37120.other', definition: { text: 'English only' } }), 'English only');
});
