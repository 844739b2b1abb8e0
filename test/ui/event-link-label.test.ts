import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventLinkLabel } from '../../web/src/pages/events/link-label.js';
import fr from '../../web/src/locales/fr.json' with { type: 'json' };
import type { EventView } from '../../web/src/pages/events/types.js';

const view = {
  features: [{ featureId: 'f1', name: 'Gate B' }],
  uploads: [{ uploadId: 'u1', name: 'Gate briefing' }],
  messages: [{ messageId: 'm1', author: 'Olivia Operator', text: 'Gate B closes at 14:00; send spectators to Gate A.' }],
} as unknown as Pick<EventView, 'features' | 'uploads' | 'messages'>;
// The reader's directory: the incidents it may read have their title there; the others are absent.
const dir = {
  unit: (id: string) => (id === 'u-amb-1' ? 'Ambulance 1' : null),
  incident: (id: string) => (id === 'inc_readable' ? 'Crowd crush at Gate B' : null),
};
const en = (k: string): string => k;
const french = (k: string): string => (fr as Record<string, string>)[k] ?? k;

test('an event message link reads as a name, never as its kind and id', () => {
  const cases = [
    { kind: 'feature', id: 'f1' },
    { kind: 'upload', id: 'u1' },
    { kind: 'message', id: 'm1' },
    { kind: 'unit', id: 'u-amb-1' },
    { kind: 'incident', id: 'inc_01J9ZX3' },
    { kind: 'incident', id: 'inc_readable' },
    { kind: 'unit', id: 'u-gone' },
    { kind: 'feature', id: 'f-gone' },
  ] as const;
  const labels = cases.map((l) => eventLinkLabel(l, view, dir, en));
  assert.deepEqual(labels, [
    'Gate B',
    'Gate briefing',
    'message from Olivia Operator: “Gate B closes at 14:00; send spectators…”',
    'Ambulance 1',
    'the linked incident',
    'Crowd crush at Gate B',
    'a unit',
    'a map feature',
  ]);
  for (const [i, l] of cases.entries()) {
    assert.ok(!labels[i]!.includes(l.id), `${l.kind}:${l.id} shows no id`);
    assert.notEqual(labels[i], `${l.kind} ${l.id}`, `${l.kind}:${l.id} is not shown as kind and id`);
  }
  assert.equal(eventLinkLabel({ kind: 'message', id: 'm1' }, view, dir, french), 'message de Olivia Operator : « Gate B closes at 14:00; send spectators… »');
  assert.equal(eventLinkLabel({ kind: 'incident', id: 'x' }, view, dir, french), 'l’incident lié');
});
