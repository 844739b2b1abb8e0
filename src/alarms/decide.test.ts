import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alarm, Signal } from './model.js';
import { decideSignals, frameDecisionEvent, type RulesInput } from './rules.js';
import { alarmSignal } from '../../test/support/alarm-frames-scenario.js';

const signal = (id: string, over: Partial<Signal>): Signal => alarmSignal({ signalId: id, ...over });

function input(view: Partial<RulesInput['view']> = {}): RulesInput {
  let n = 0;
  return {
    view: { openByKey: new Map(), alarms: new Map(), held: new Map(), signals: new Map(), intrusionZones: new Map(), ...view },
    sites: new Map([['site:1', { name: 'School', address: null }]]),
    newAlarmId: () => `alm_${++n}`,
  };
}

test('rules (pure): a burst of one premise in one batch is one alarm; the fire raises its priority; one event per signal, carrying the decision', () => {
  const events = decideSignals([signal('s1', {}), signal('s2', { code: 'FA', kind: 'fire', zone: '1', description: 'Fire' })], () => 'org_A', input());
  assert.deepEqual(
    events.map((e) => e.type),
    ['alarms.signal.received', 'alarms.signal.received'],
  );
  assert.deepEqual((events[0]!.data as { decision: unknown }).decision, { alarmId: 'alm_1', priority: 3, rule: 'raised', title: 'Burglary — zone 3 — School' });
  assert.deepEqual((events[1]!.data as { decision: unknown }).decision, {
    alarmId: 'alm_1',
    kind: 'fire',
    priority: 1,
    rule: 'correlated',
    title: 'Fire — zone 1 — School',
  });
  // Read as the separate events of older logs: the same alarm raised, the same correlation.
  const stored = events.map((e, i) => ({ ...e, reason: null, seq: i + 1, id: `evt_${i}`, at: '2026-01-01T10:00:00.000Z', prevHash: '', hash: '' }));
  const raised = (frameDecisionEvent(stored[0]!)!.data as { alarm: Alarm }).alarm;
  assert.equal(frameDecisionEvent(stored[0]!)!.type, 'alarms.alarm.raised');
  assert.equal(raised.alarmId, 'alm_1');
  assert.equal(raised.orgId, 'org_A');
  assert.deepEqual(raised.signalIds, ['s1']);
  assert.equal(raised.title, 'Burglary — zone 3 — School');
  assert.deepEqual(frameDecisionEvent(stored[1]!)!.data, { alarmId: 'alm_1', signalId: 's2', priority: 1, kind: 'fire', title: 'Fire — zone 1 — School' });
  assert.ok(events.every((e) => e.orgId === 'org_A' && e.actor !== undefined));
});

test('rules (pure): trouble is held first; its restore releases it; status signals raise nothing', () => {
  const held = decideSignals([signal('t1', { kind: 'trouble', code: 'YT', zone: null })], () => null, input());
  assert.equal(held.length, 1);
  assert.equal((held[0]!.data as { decision: { rule: string } }).decision.rule, 'held');
  const trouble = signal('t1', { kind: 'trouble', code: 'YT', zone: null });
  const view = { held: new Map([['t1', { until: Date.parse('2026-01-01T10:02:00Z'), correlationKey: '1234' }]]), signals: new Map([['t1', trouble]]) };
  const released = decideSignals([signal('r1', { kind: 'trouble', phase: 'restore', code: 'YR', zone: null })], () => null, input(view));
  assert.deepEqual(
    released.map((e) => [e.type, (e.data as { decision?: unknown }).decision]),
    [['alarms.signal.received', { rule: 'released', signalId: 't1' }]],
  );
  const status = decideSignals([signal('o1', { kind: 'open', phase: 'status', code: 'OP' })], () => null, input());
  assert.deepEqual(
    status.map((e) => e.type),
    ['alarms.signal.received'],
  );
  assert.equal('decision' in (status[0]!.data as object), false, 'no decision, no key');
});
