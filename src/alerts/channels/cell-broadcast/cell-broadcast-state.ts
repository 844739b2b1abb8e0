import type { StoredEvent } from '../../../platform/event-log.js';
import type { Projection } from '../../../platform/projection.js';

/** One CBS message Vigil asked the CBC to broadcast or stop, and what the CBC answered. */
export interface CbsMessageRecord {
  requestId: string;
  operation: 'write-replace' | 'stop';
  language: string;
  messageIdentifier: number;
  serialNumber: number;
  messageCode: number;
  updateNumber: number;
  pages: number;
  dataCodingScheme: number;
  cells: string[];
  answer: { accepted: number; failed: number; error: string | null } | null;
}

export interface CellBroadcastEvents {
  /** Recorded before the CBC is asked: the message code and update number are allocated durably, so a retry or a restart reuses them. */
  'alerts.cell-broadcast.requested': { alertId: string; rootAlertId: string; messages: Omit<CbsMessageRecord, 'answer'>[] };
  'alerts.cell-broadcast.answered': { alertId: string; requestId: string; accepted: number; failed: number; error: string | null };
}

/**
 * Cell-broadcast messages per alert, and what is on air per alert series (an alert
 * and its Updates share a root): an Update replaces with the next update number,
 * a Cancel stops what is on air.
 */
export class CellBroadcastState implements Projection {
  readonly name = 'alert-cell-broadcast';
  readonly typePrefixes = ['alerts.cell-broadcast.'];
  readonly byAlert = new Map<string, CbsMessageRecord[]>();
  readonly rootOf = new Map<string, string>();
  /** root alert → language → the message on air. */
  readonly onAir = new Map<string, Map<string, CbsMessageRecord>>();
  /** Message codes handed out so far; the next one starts after them. */
  private allocated = 0;

  apply(e: StoredEvent): void {
    if (e.type === 'alerts.cell-broadcast.requested') {
      const d = e.data as CellBroadcastEvents['alerts.cell-broadcast.requested'];
      this.rootOf.set(d.alertId, d.rootAlertId);
      const list = this.byAlert.get(d.alertId) ?? [];
      const air = this.onAir.get(d.rootAlertId) ?? new Map<string, CbsMessageRecord>();
      for (const m of d.messages) {
        const record: CbsMessageRecord = { ...m, answer: null };
        list.push(record);
        if (m.operation === 'stop') {
          if (air.get(m.language)?.serialNumber === m.serialNumber) air.delete(m.language);
        } else {
          if (m.updateNumber === 0 && !air.has(m.language)) this.allocated++;
          air.set(m.language, record);
        }
      }
      this.byAlert.set(d.alertId, list);
      if (air.size > 0) this.onAir.set(d.rootAlertId, air);
      else this.onAir.delete(d.rootAlertId);
      return;
    }
    if (e.type === 'alerts.cell-broadcast.answered') {
      const d = e.data as CellBroadcastEvents['alerts.cell-broadcast.answered'];
      const m = this.byAlert.get(d.alertId)?.find((x) => x.requestId === d.requestId);
      if (m) m.answer = { accepted: d.accepted, failed: d.failed, error: d.error };
    }
  }

  /** The next free message codes (10 bits), skipping those on air: codes go round, so a phone never confuses a new warning with one it still shows. */
  nextMessageCodes(count: number): number[] {
    const busy = new Set([...this.onAir.values()].flatMap((m) => [...m.values()].map((x) => x.messageCode)));
    const out: number[] = [];
    for (let k = 0; out.length < count && k < 1024 * 2; k++) {
      const code = (this.allocated + k) % 1024;
      if (!busy.has(code) && !out.includes(code)) out.push(code);
    }
    if (out.length < count) throw new Error('all 1024 cell-broadcast message codes are on air');
    return out;
  }
}
