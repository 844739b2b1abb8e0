import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from '../../src/platform/event-log.js';
import { feedLines, fill } from '../../web/src/feed-sentences.js';

const ev = (seq: number, type: string, data: unknown, subject = 'account:1001'): StoredEvent => ({
  seq,
  id: `evt_${seq}`,
  type,
  subject,
  orgId: 'org_A',
  actor: 'device:1001',
  reason: null,
  at: '2026-01-01T10:00:00.000Z',
  data,
  prevHash: '',
  hash: '',
});
const signal = { signalId: 's1', account: '1001', kind: 'burglary', phase: 'alarm', receivedAt: '2026-01-01T10:00:00.000Z', siteId: null, signalIds: [] };

test('live feed: a signal that raised or joined an alarm reads as that decision; one that decided nothing stays a signal line', () => {
  const events = [
    ev(3, 'alarms.signal.received', { signal: { ...signal, signalId: 's3', phase: 'status', kind: 'open' } }),
    ev(2, 'alarms.signal.received', { decision: { alarmId: 'alm_1', priority: 2, rule: 'correlated' }, signal: { ...signal, signalId: 's2' } }),
    ev(1, 'alarms.signal.received', { decision: { alarmId: 'alm_1', priority: 3, rule: 'raised', title: 'Burglary — School' }, signal }),
  ];
  const lines = feedLines(events, new Map(), (ref) => ref, { thing: '(earlier)' });
  assert.deepEqual(
    lines.map((l) => [l.type, fill(l.template, l.vars)]),
    [
      ['alarms.signal.received', 'Signals received'],
      ['alarms.alarm.correlated', 'Another signal for the alarm “Burglary — School”'],
      ['alarms.alarm.raised', 'New alarm: “Burglary — School”'],
    ],
  );
});
