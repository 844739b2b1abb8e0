import type { Role } from '../platform/access.js';
import { liveView, readable, type LiveView } from '../platform/live-view.js';

/** The roles of GET /api/alerts/rules. */
const VIEWERS: readonly Role[] = ['alert-officer', 'admin', 'commander', 'analyst'];

/** `alerts.rule.*` (early warning's rules, inside alerts' namespace) to those who read the owning organisation's rules. */
export function earlyWarningLiveView(): LiveView {
  const seen = readable(VIEWERS);
  return liveView('alerts.rule.', { 'alerts.rule.defined': seen, 'alerts.rule.switched': seen });
}
