import type { CapAlert } from './cap/cap-model.js';
import type { AlertRecord, Channel } from './model.js';

/** Event payloads of the alerts capability (type → data). */
export interface AlertEvents {
  'alerts.alert.drafted': { alert: AlertRecord };
  'alerts.alert.edited': { alertId: string; cap: CapAlert; channels: Channel[]; needsApproval: boolean };
  'alerts.alert.submitted': { alertId: string };
  'alerts.alert.rejected': { alertId: string; reason: string };
  /** Released: by the approver when approval was needed, else by the author. `cap.sent` is the time of issue. */
  'alerts.alert.issued': { alertId: string; sent: string; approvedBy: string | null };
  /** An issued alert ended by a later message (Cancel or Update) that references it. */
  'alerts.alert.ended': { alertId: string; by: string; how: 'cancelled' | 'superseded' };
  /** Another agency's alert. `xml`: the document, on imports recorded before it was stored in parts (alerts.alert.received). */
  'alerts.alert.imported': { alert: AlertRecord; xml?: string };
  /** A draft relaying another agency's imported alert to Vigil's subscribers (it then needs approval like any alert). */
  'alerts.alert.relay-drafted': { alertId: string; relayOf: string };
  /** One part of an imported document exactly as received (base64), recorded just before its alerts.alert.imported. */
  'alerts.alert.received': { alertId: string; part: number; base64: string };
}
