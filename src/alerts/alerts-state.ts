import type { StoredEvent } from '../platform/event-log.js';
import type { Projection } from '../platform/projection.js';
import { capReference } from './cap/cap-model.js';
import type { AlertEvents } from './events.js';
import type { AlertRecord } from './model.js';

/** Alerts and their states, rebuilt from `alerts.*` events. */
export class AlertsState implements Projection {
  readonly name = 'alerts';
  readonly typePrefixes = ['alerts.'];
  readonly alerts = new Map<string, AlertRecord>();
  /** 'sender,identifier,sent' → alertId: how Update and Cancel messages find what they reference. */
  readonly byReference = new Map<string, string>();
  /** The document as received, for alerts imported before documents were stored in parts. */
  readonly receivedXml = new Map<string, string>();
  /** Where the parts of each imported document are in the log (sequence numbers, in order): read back on demand. */
  readonly receivedParts = new Map<string, number[]>();

  apply(e: StoredEvent): void {
    switch (e.type as keyof AlertEvents) {
      case 'alerts.alert.drafted':
        this.put((e.data as AlertEvents['alerts.alert.drafted']).alert);
        break;
      case 'alerts.alert.imported': {
        const d = e.data as AlertEvents['alerts.alert.imported'];
        this.put(d.alert);
        if (d.xml !== undefined) this.receivedXml.set(d.alert.alertId, d.xml);
        break;
      }
      case 'alerts.alert.relay-drafted': {
        const d = e.data as AlertEvents['alerts.alert.relay-drafted'];
        const a = this.alerts.get(d.alertId);
        if (a) a.relayOf = d.relayOf;
        break;
      }
      case 'alerts.alert.received': {
        const d = e.data as AlertEvents['alerts.alert.received'];
        const seqs = this.receivedParts.get(d.alertId) ?? [];
        seqs[d.part] = e.seq;
        this.receivedParts.set(d.alertId, seqs);
        break;
      }
      case 'alerts.alert.edited': {
        const d = e.data as AlertEvents['alerts.alert.edited'];
        const a = this.alerts.get(d.alertId);
        if (a) Object.assign(a, { cap: d.cap, channels: d.channels, needsApproval: d.needsApproval, state: 'draft', rejected: null });
        break;
      }
      case 'alerts.alert.submitted': {
        const a = this.alerts.get((e.data as AlertEvents['alerts.alert.submitted']).alertId);
        if (a) Object.assign(a, { state: 'pending-approval', submittedAt: e.at });
        break;
      }
      case 'alerts.alert.rejected': {
        const d = e.data as AlertEvents['alerts.alert.rejected'];
        const a = this.alerts.get(d.alertId);
        if (a) Object.assign(a, { state: 'rejected', rejected: { by: e.actor, reason: d.reason, at: e.at } });
        break;
      }
      case 'alerts.alert.issued': {
        const d = e.data as AlertEvents['alerts.alert.issued'];
        const a = this.alerts.get(d.alertId);
        if (!a) break;
        Object.assign(a, { state: 'issued', issuedAt: e.at, approvedBy: d.approvedBy, cap: { ...a.cap, sent: d.sent } });
        this.byReference.set(capReference(a.cap), a.alertId);
        break;
      }
      case 'alerts.alert.ended': {
        const d = e.data as AlertEvents['alerts.alert.ended'];
        const a = this.alerts.get(d.alertId);
        if (a) Object.assign(a, { state: d.how, endedBy: d.by });
        break;
      }
    }
  }

  private put(alert: AlertRecord): void {
    this.alerts.set(alert.alertId, alert);
    if (alert.state === 'imported') this.byReference.set(capReference(alert.cap), alert.alertId);
  }

  /** Issued public alerts still in force: for the feed and the public page. */
  active(now: number): AlertRecord[] {
    return [...this.alerts.values()]
      .filter(
        (a) =>
          a.state === 'issued' &&
          a.cap.scope === 'Public' &&
          a.cap.msgType !== 'Cancel' &&
          !(a.cap.info ?? []).every((i) => i.expires && Date.parse(i.expires) < now),
      )
      .sort((x, y) => Date.parse(y.cap.sent) - Date.parse(x.cap.sent));
  }
}
