import type { CityReadPort } from '../city/contract.js';
import type { Principal } from '../platform/access.js';
import { canRead } from '../platform/policy.js';
import type { AlarmsState } from './alarms-state.js';

export interface AlarmFigures {
  alarms: number;
  open: number;
  acknowledged: number;
  within30s: number | null;
  within60s: number | null;
  medianAckSeconds: number | null;
  medianCloseSeconds: number | null;
  falseAlarmRate: number | null;
}

/** Figures over the alarms of the read model: EN 50518 acknowledgement times, false-alarm rates. */
export class AlarmStats {
  constructor(
    private readonly state: AlarmsState,
    private readonly city: CityReadPort,
  ) {}

  /**
   * False-alarm rates per site or per device (the device of the alarm's first
   * signal), over the closed alarms the principal may see, worst first.
   */
  falseAlarmRates(by: Principal, per: 'site' | 'device'): { id: string; name: string; closed: number; false: number; rate: number }[] {
    const rows = new Map<string, { closed: number; false: number }>();
    for (const a of this.state.alarms.values()) {
      if (!a.resolution || !canRead(by, a.orgId)) continue;
      const id = per === 'site' ? a.siteId : (this.state.signals.get(a.signalIds[0]!)?.deviceId ?? (a.account ? `account:${a.account}` : null));
      if (!id) continue;
      const row = rows.get(id) ?? { closed: 0, false: 0 };
      row.closed++;
      if (a.resolution.startsWith('false')) row.false++;
      rows.set(id, row);
    }
    return [...rows.entries()]
      .map(([id, r]) => {
        const name = per === 'site' ? (this.city.sites.get(id)?.name ?? this.city.sites.get(id)?.address ?? id) : (this.city.devices.get(id)?.label ?? id);
        return { id, name, closed: r.closed, false: r.false, rate: r.false / r.closed };
      })
      .sort((x, y) => y.rate - x.rate || y.closed - x.closed);
  }

  /** EN 50518-style figures over the alarms the principal may see. */
  stats(by: Principal | 'all'): AlarmFigures {
    const all = [...this.state.alarms.values()].filter((a) => by === 'all' || canRead(by, a.orgId));
    const ackTimes = all
      .filter((a) => a.acknowledgedAt)
      .map((a) => (Date.parse(a.acknowledgedAt!) - Date.parse(a.raisedAt)) / 1000)
      .sort((x, y) => x - y);
    const closed = all.filter((a) => a.resolution);
    const closeTimes = closed.map((a) => (Date.parse(a.closedAt!) - Date.parse(a.raisedAt)) / 1000).sort((x, y) => x - y);
    const share = (limit: number): number | null => (ackTimes.length ? ackTimes.filter((t) => t <= limit).length / ackTimes.length : null);
    return {
      alarms: all.length,
      open: all.filter((a) => a.status !== 'closed').length,
      acknowledged: ackTimes.length,
      within30s: share(30),
      within60s: share(60),
      medianAckSeconds: ackTimes.length ? ackTimes[Math.floor((ackTimes.length - 1) / 2)]! : null,
      medianCloseSeconds: closeTimes.length ? closeTimes[Math.floor((closeTimes.length - 1) / 2)]! : null,
      falseAlarmRate: closed.length ? closed.filter((a) => a.resolution!.startsWith('false')).length / closed.length : null,
    };
  }
}
