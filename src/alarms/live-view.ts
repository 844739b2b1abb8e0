import type { Role } from '../platform/access.js';
import { holds, liveView, managed, mayReadPersonal, readable, withData, type LiveView } from '../platform/live-view.js';
import { can } from '../platform/policy.js';
import type { AlarmEvents } from './events.js';

/** The roles of GET /api/alarms (the console); STEWARDS configure accounts, plans and keyholders. */
const VIEWERS: readonly Role[] = ['operator', 'supervisor', 'commander', 'admin'];
const STEWARDS: readonly Role[] = ['supervisor', 'admin'];

/**
 * `alarms.*` on the live feed: signals, alarms, accounts and plans to the roles of the
 * routes listing them, in organisations that may read them (never a key); failed plan
 * notifications (their URLs) only inside the owning organisation; keyholders' names and
 * phones only where the policy lets the principal read keyholders.
 */
export function alarmsLiveView(): LiveView {
  const seen = readable(VIEWERS);
  return liveView('alarms.', {
    'alarms.signal.received': seen,
    'alarms.path.failed': seen,
    'alarms.path.restored': seen,
    'alarms.receiver.failed': seen,
    'alarms.receiver.restored': seen,
    'alarms.alarm.raised': seen,
    'alarms.alarm.correlated': seen,
    'alarms.signal.held': seen,
    'alarms.hold.released': seen,
    'alarms.alarm.restored': seen,
    'alarms.alarm.claimed': seen,
    'alarms.alarm.acknowledged': seen,
    'alarms.step.done': seen,
    'alarms.alarm.escalated': seen,
    'alarms.alarm.closed': seen,
    // Configuration is read where GET /api/alarms/accounts and /plans list it (the owner and its partners); keys never travel.
    'alarms.account.configured': (p, e) => {
      if (!readable(STEWARDS)(p, e)) return null;
      const { keySecret: _key, ...config } = e.data as AlarmEvents['alarms.account.configured'];
      return withData(e, config);
    },
    'alarms.plan.defined': seen,
    'alarms.plan.removed': seen,
    'alarms.notification.failed': managed(VIEWERS),
    'alarms.keyholders.set': (p, e) => (holds(p, VIEWERS) && can(p, 'read', { orgId: e.orgId }) && mayReadPersonal(p, e.orgId, 'keyholders') ? e : null),
  });
}
