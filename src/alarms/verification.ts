import type { CityReadPort } from '../city/contract.js';
import type { Device } from '../city/contract.js';
import { haversineM } from '../kernel/geo.js';
import type { Principal } from '../platform/access.js';
import { filterVisible } from '../platform/policy.js';
import type { AlarmsState } from './alarms-state.js';
import type { Alarm, Signal } from './model.js';

export interface Verification {
  cameras: (Device & { distanceM: number })[];
  siteDevices: (Device & { lastSignal: Signal | null })[];
}

/**
 * Remote verification: the cameras nearest to the alarm (those of the caller's
 * organisation or shared with it) and the other detectors of the same site with
 * their latest signal — corroborating or contradicting the alarm.
 */
export function verification(a: Alarm, by: Principal, state: AlarmsState, city: CityReadPort): Verification {
  const origin = a.siteId ? city.sites.get(a.siteId)?.position : undefined;
  const devices = filterVisible(by, city.devices.values(), (d) => d.orgId);
  const cameras = origin
    ? devices
        .filter((d) => d.kind === 'camera')
        .map((d) => ({ ...d, distanceM: Math.round(haversineM(origin, d.position)) }))
        .sort((x, y) => x.distanceM - y.distanceM)
        .slice(0, 4)
    : [];
  const lastByDevice = new Map<string, Signal>();
  for (const sig of state.signals.values()) if (sig.deviceId && sig.siteId === a.siteId) lastByDevice.set(sig.deviceId, sig);
  const siteDevices = a.siteId
    ? devices.filter((d) => d.siteId === a.siteId && d.kind !== 'camera').map((d) => ({ ...d, lastSignal: lastByDevice.get(d.id) ?? null }))
    : [];
  return { cameras, siteDevices };
}
