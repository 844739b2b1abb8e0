/**
 * A scripted run of the alarm rules over a few premises — raised, joined (two-trip, confirmed,
 * more urgent), restored, held and released, held for good, schedules, a burst in one batch, an
 * alarm closed and a new one, a sensor outside any site, journalled frames, more signals than the
 * read model keeps — written to a log as the rules of the code under test write it. Takes the rules
 * and the read model as parameters, so the same script ran on the code before one event per signal
 * wrote test/support/alarm-frames-old-form.json (the two-event form).
 */
import type { NewEvent, StoredEvent } from '../../src/platform/event-log.js';
import type { RulesInput, RulesView } from '../../src/alarms/rules.js';
import type { Signal } from '../../src/alarms/model.js';

type Decide = (signals: readonly Signal[], orgIdOf: (signal: Signal) => string | null, input: RulesInput) => NewEvent[];

const T0 = Date.parse('2026-01-01T10:00:00.000Z');

/**
 * A decoded alarm signal for the rules' tests: a SIA burglary alarm, zone 3, of account 1234 at
 * site:1, received at 2026-01-01T10:00:00Z; `over` names it and changes what it says.
 */
export function alarmSignal({ signalId, ...over }: Partial<Signal> & { signalId: string }): Signal {
  return {
    signalId,
    account: '1234',
    protocol: 'sia-dcs',
    code: 'BA',
    kind: 'burglary',
    phase: 'alarm',
    description: 'Burglary',
    zone: '3',
    user: null,
    area: null,
    occurredAt: null,
    receivedAt: new Date(T0).toISOString(),
    text: null,
    position: null,
    siteId: 'site:1',
    deviceId: null,
    flags: [],
    ...over,
  };
}

function signal(id: string, account: string | null, seconds: number, over: Partial<Signal> = {}): Signal {
  return alarmSignal({ signalId: id, account, receivedAt: new Date(T0 + seconds * 1000).toISOString(), siteId: account ? `site:${account}` : null, ...over });
}

/** The batches in order; a string is an alarm to close (by the account's open alarm) at that point. */
function batches(): (Signal[] | { close: string; seconds: number })[] {
  const statuses: Signal[] = [];
  for (let i = 0; i < 55; i++)
    statuses.push(signal(`st${i}`, '1005', 100 + i, { code: 'OP', kind: 'open', phase: 'status', zone: null, description: 'Opening' }));
  return [
    [signal('s1', '1001', 0)],
    [signal('s2', '1001', 10)],
    [signal('s3', '1001', 20, { zone: '5' }), signal('s4', '1001', 20, { code: 'FA', kind: 'fire', zone: '1', description: 'Fire' })],
    [signal('s5', '1001', 25, { code: 'FR', kind: 'fire', phase: 'restore', zone: '1', description: 'Fire restore' })],
    [signal('s6', '1002', 30, { code: 'YT', kind: 'trouble', zone: null, description: 'Trouble' })],
    [signal('s7', '1002', 40, { code: 'YR', kind: 'trouble', phase: 'restore', zone: null, description: 'Trouble restore' })],
    [signal('s8', '1003', 45, { code: 'YT', kind: 'trouble', zone: null, description: 'Trouble' })],
    [signal('s9', '1001', 50, { code: 'OP', kind: 'open', phase: 'status', zone: null, description: 'Opening' })],
    [signal('s10', '1002', 51, { code: 'CL', kind: 'close', phase: 'status', zone: null, description: 'Closing' })],
    [signal('s11', '1004', 60, { zone: '1' }), signal('s12', '1004', 60, { zone: '2' }), signal('s12b', '1004', 61, { zone: '2' })],
    { close: '1001', seconds: 70 },
    [signal('s13', '1001', 80, { code: 'PA', kind: 'panic', zone: null, description: 'Panic' })],
    [
      signal('s14', null, 85, {
        protocol: 'mqtt',
        code: 'WA',
        kind: 'water',
        zone: null,
        description: 'Water level above alarm at the river gauge',
        deviceId: 'dev_9',
      }),
    ],
    [
      signal('s15', '1006', 90, { journal: 7 }),
      signal('s16', '1006', 91, { journal: 8, code: 'BR', phase: 'restore', zone: '3', description: 'Burglary restore' }),
    ],
    [signal('s17', '1005', 95, { code: 'SCH', kind: 'schedule', phase: 'status', zone: null, description: 'Late to open', text: '1005:2026-01-01:open' })],
    statuses,
  ];
}

/** Runs the script: each batch decided against the read model as it stands, its events applied, as a log would. */
export function runAlarmFramesScenario(decideSignals: Decide, state: RulesView & { apply(e: StoredEvent): void }): StoredEvent[] {
  const log: StoredEvent[] = [];
  let n = 0;
  const input: RulesInput = {
    view: state,
    sites: new Map(['1001', '1002', '1003', '1004', '1005', '1006'].map((a) => [`site:${a}`, { name: `Site ${a}`, address: null }])),
    newAlarmId: () => `alm_${++n}`,
  };
  const orgIdOf = (s: Signal): string | null => (s.account && s.account < '1004' ? 'org_A' : null);
  const append = (events: NewEvent[], at: string): void => {
    for (const e of events) {
      const stored: StoredEvent = { ...e, seq: log.length + 1, id: `evt_${log.length + 1}`, at, prevHash: '', hash: '' } as StoredEvent;
      log.push(stored);
      state.apply(stored);
    }
  };
  for (const b of batches()) {
    if (Array.isArray(b)) append(decideSignals(b, orgIdOf, input), b[0]!.receivedAt);
    else {
      const alarmId = state.openByKey.get(b.close)!;
      const at = new Date(T0 + b.seconds * 1000).toISOString();
      append(
        [
          {
            type: 'alarms.alarm.closed',
            subject: `alarm:${alarmId}`,
            orgId: 'org_A',
            actor: 'user:op',
            data: { alarmId, by: 'user:op', resolution: 'genuine', note: null },
            reason: null,
          },
        ],
        at,
      );
    }
  }
  return log;
}
