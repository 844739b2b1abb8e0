import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engagementLogText } from '../../web/src/engagement-log.js';
import fr from '../../web/src/locales/fr.json' with { type: 'json' };

const french = (k: string): string => (fr as Record<string, string>)[k] ?? k;
const english = (k: string): string => k;

test("a stakeholder's engagement log reads in the reader language: the sentence ours, slugs by their words, what people wrote as written", () => {
  const line = (kind: string, params: Record<string, string> | undefined, summary = 'english line') => ({ kind: kind as never, params, summary });
  assert.equal(engagementLogText(french, line('registered', { kind: 'group' })), 'Enregistré comme Groupe');
  assert.equal(engagementLogText(french, line('updated', { fields: 'influence,interest' })), 'Modifié : Influence, Intérêt');
  assert.equal(
    engagementLogText(french, line('answered', { title: 'Port Hercule works', effect: 'partly-adopted', explanation: 'night works moved' })),
    'Décision sur « Port Hercule works » : Retenue en partie — night works moved',
  );
  assert.equal(
    engagementLogText(french, line('contributed', { title: 'Port Hercule works', position: 'oppose' })),
    'A répondu à « Port Hercule works » (Contre)',
  );
  assert.equal(engagementLogText(english, line('contributed', { title: 'Port Hercule works', position: 'oppose' })), 'Answered “Port Hercule works” (Against)');
  // A recorded meeting is its author's text; a line without params (older) keeps the English the server wrote.
  assert.equal(engagementLogText(french, line('meeting', undefined, 'Met the harbour master')), 'Met the harbour master');
  assert.equal(engagementLogText(french, line('registered', undefined, 'Registered as group')), 'Registered as group');
});
