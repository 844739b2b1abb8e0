import { liveView, readable, type LiveView } from '../platform/live-view.js';

/** `audit.*` on the live feed: a chain verification to those who may read the audit trail of its organisation. */
export function auditLiveView(): LiveView {
  return liveView('audit.', { 'audit.chain.verified': readable(['admin', 'supervisor', 'csirt']) });
}
