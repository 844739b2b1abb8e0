import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { StoredEvent } from '../platform/event-log.js';
import type { SecretBox } from '../kernel/secrets.js';
import { runAlarmFramesScenario } from '../../test/support/alarm-frames-scenario.js';
import { AlarmsState } from './alarms-state.js';
import { decideSignals, frameDecisionEvent } from './rules.js';

/** The log the same script wrote with the rules before one event per signal (signal, then a separate decision event). */
const OLD_FORM: StoredEvent[] = (
  JSON.parse(readFileSync(new URL('../../test/support/alarm-frames-old-form.json', import.meta.url), 'utf8')) as StoredEvent[]
).map((e) => ({ ...e, prevHash: '', hash: '' }));

/** Everything the read model holds of signals and alarms (its private pins included). */
function snapshot(s: AlarmsState): unknown {
  return {
    alarms: [...s.alarms.values()],
    openByKey: [...s.openByKey],
    signals: [...s.signals.keys()].sort(),
    recentByAccount: [...s.recentByAccount],
    held: [...s.held],
    intrusionZones: [...s.intrusionZones].map(([k, v]) => [k, [...v]]),
    signalCount: s.signalCount,
    journalApplied: s.journalApplied,
    openClose: [...s.openClose],
    scheduleReported: [...s.scheduleReported],
    pinned: [...(s as unknown as { pinned: Set<string> }).pinned].sort(),
  };
}

const fresh = (): AlarmsState => new AlarmsState({} as SecretBox);

test('alarm frames: one event per signal; a log of the old two-event form replays to the same read model', () => {
  const state = fresh();
  const log = runAlarmFramesScenario(decideSignals, state);
  const signals = OLD_FORM.filter((e) => e.type === 'alarms.signal.received').length;
  assert.equal(log.filter((e) => e.type === 'alarms.signal.received').length, signals);
  assert.deepEqual(
    [...new Set(log.map((e) => e.type))],
    ['alarms.signal.received', 'alarms.alarm.closed'],
    'no separate decision event is written for a signal',
  );
  assert.ok(OLD_FORM.length > log.length);

  const old = fresh();
  for (const e of OLD_FORM) old.apply(e);
  assert.deepEqual(snapshot(state), snapshot(old), 'the new log and the old log give the same alarms, signals, holds and pins');
  const replayed = fresh();
  for (const e of log) replayed.apply(e);
  assert.deepEqual(snapshot(replayed), snapshot(state), 'replaying the new log gives what recording it gave');
  assert.ok(state.alarms.size >= 4 && state.held.size === 1);
});

test('alarm frames: each decision reads as the separate event the old rules wrote (type, subject, actor, organisation, data)', () => {
  const log = runAlarmFramesScenario(decideSignals, fresh());
  const fromNew = log.flatMap((e) => {
    if (e.type !== 'alarms.signal.received') return [e];
    const { decision: _d, ...data } = e.data as { decision?: unknown };
    const decided = frameDecisionEvent(e);
    return decided ? [{ ...e, data }, decided] : [{ ...e, data }];
  });
  const shape = (e: StoredEvent): unknown => ({ type: e.type, subject: e.subject, actor: e.actor, orgId: e.orgId, data: e.data });
  assert.deepEqual(fromNew.map(shape), OLD_FORM.map(shape));
  assert.equal(frameDecisionEvent(OLD_FORM[0]!), null, 'an old signal event carries no decision');
});
