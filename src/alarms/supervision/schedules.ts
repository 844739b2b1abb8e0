import type { CityReadPort } from '../../city/contract.js';
import { badRequest } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { zonedParts } from '../../kernel/time.js';
import type { AppContext } from '../../platform/app-context.js';
import type { AlarmsState } from '../alarms-state.js';
import type { AccountSchedule, Signal } from '../model.js';
import type { SignalRecorder } from '../signal-recorder.js';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** Opening hours as an account may be given them (throws 400 with the reason). */
export function checkSchedule(schedule: AccountSchedule): void {
  if (schedule.days.length !== 7) throw badRequest('a schedule has 7 days, Sunday first (null for a closed day)');
  for (const day of schedule.days) {
    if (day === null) continue;
    if (!HHMM.test(day.open) || !HHMM.test(day.close)) throw badRequest('opening and closing times are HH:MM');
    if (minutesOf(day.open) >= minutesOf(day.close)) throw badRequest('a day opens before it closes');
  }
  if (!(schedule.graceMinutes >= 0 && schedule.graceMinutes <= 240)) throw badRequest('grace is 0–240 minutes');
}

/** Opening-hours supervision of accounts that have a schedule. */
export class ScheduleWatch {
  constructor(
    private readonly ctx: AppContext,
    private readonly state: AlarmsState,
    private readonly city: CityReadPort,
    private readonly signals: SignalRecorder,
  ) {}

  /**
   * Late to open / late to close: for accounts with opening hours, no opening
   * (disarm) by opening time + grace, or no closing (arm) by closing time + grace,
   * on a scheduled day in the city's time zone raises an alarm, once per day.
   */
  async scheduleTick(): Promise<number> {
    const now = this.ctx.clock.now();
    const local = zonedParts(now, this.ctx.config.timeZone);
    const signals: Signal[] = [];
    for (const a of this.state.accounts.values()) {
      const day = a.schedule?.days[local.weekday];
      if (!a.schedule || !day) continue;
      const last = this.state.openClose.get(a.account);
      const openedToday = last?.openDate === local.date;
      const closedToday = last?.closeDate === local.date && (last.closeMinutes ?? 0) >= minutesOf(day.open);
      const checks: [boolean, 'open' | 'close', string][] = [
        [local.minutesOfDay >= minutesOf(day.open) + a.schedule.graceMinutes && !openedToday, 'open', 'Late to open'],
        [local.minutesOfDay >= minutesOf(day.close) + a.schedule.graceMinutes && openedToday && !closedToday, 'close', 'Late to close'],
      ];
      for (const [late, which, description] of checks) {
        const mark = `${a.account}:${local.date}:${which}`;
        if (!late || this.state.scheduleReported.has(mark)) continue;
        const device = this.city.devicesByAccount.get(a.account);
        signals.push({
          signalId: newId('sig'),
          account: a.account,
          protocol: 'supervision',
          code: which === 'open' ? 'CT' : 'OT',
          kind: 'schedule',
          phase: 'alarm',
          description: `${description} (${which === 'open' ? day.open : day.close} + ${a.schedule.graceMinutes} min)`,
          zone: null,
          user: null,
          area: null,
          occurredAt: null,
          receivedAt: new Date(now).toISOString(),
          text: mark,
          position: device?.position ?? null,
          siteId: device?.siteId ?? null,
          deviceId: device?.id ?? null,
          flags: [],
        });
      }
    }
    if (signals.length > 0) await this.signals.recordSignals(signals);
    return signals.length;
  }
}
