import type { CityReadPort } from '../city/contract.js';
import { newId } from '../kernel/ids.js';
import type { AppContext } from '../platform/app-context.js';
import type { NewEvent } from '../platform/event-log.js';
import type { PlanNotifier } from './accounts-plans/plan-notifier.js';
import type { AlarmsState } from './alarms-state.js';
import type { AlarmSignalsPort } from './contract.js';
import type { AlarmEvents } from './events.js';
import type { Alarm, Signal } from './model.js';
import { decideSignals, raisedAlarm, type RulesInput } from './rules.js';

/**
 * Where every signal becomes durable, whatever brought it (DC-09, MQTT, camera,
 * supervision, crowd): each signal with what the rules decide of it, one event each, in one commit, then the
 * automatic notifications of the alarms raised.
 */
export class SignalRecorder implements AlarmSignalsPort {
  private readonly rules: RulesInput;

  constructor(
    private readonly ctx: AppContext,
    state: AlarmsState,
    private readonly city: CityReadPort,
    private readonly notifier: PlanNotifier,
  ) {
    this.rules = { view: state, sites: city.sites, newAlarmId: () => newId('alm') };
  }

  /** Appends signals and what the rules make of them in one durable commit (`ownerOrgId` may be chosen per signal). */
  async recordSignals(signals: Signal[], before: NewEvent[] = [], ownerOrgId: string | null | ((signal: Signal) => string | null) = null): Promise<void> {
    const orgIdOf = (signal: Signal): string | null => {
      const device = signal.account ? this.city.devicesByAccount.get(signal.account) : undefined;
      return device?.orgId ?? (typeof ownerOrgId === 'function' ? ownerOrgId(signal) : ownerOrgId);
    };
    await this.recordAndNotify([...before, ...decideSignals(signals, orgIdOf, this.rules)]);
  }

  /** Records events; alarms they raise start their plan's automatic notifications once durable. */
  async recordAndNotify(events: NewEvent[]): Promise<void> {
    await this.ctx.record(events);
    const raised: Alarm[] = [];
    for (const e of events) {
      if (e.type === 'alarms.alarm.raised') raised.push((e.data as AlarmEvents['alarms.alarm.raised']).alarm);
      else if (e.type === 'alarms.signal.received') {
        const { decision, signal } = e.data as AlarmEvents['alarms.signal.received'];
        if (decision?.rule === 'raised') raised.push(raisedAlarm(signal, e.orgId, decision));
      }
    }
    if (raised.length > 0) this.notifier.alarmsRaised(raised);
  }
}
