import type { StoredEvent } from '../platform/event-log.js';
import { classOf, type PersonalClass, type PrivacyEvents } from '../platform/personal-data.js';
import type { Projection } from '../platform/projection.js';

/** One recorded read of personal data, as the reads view shows it. */
export interface PersonalRead {
  seq: number;
  at: string;
  /** The reader's name (never only an id). */
  by: string;
  actor: string;
  /** The organisation holding the records read. */
  orgId: string | null;
  reason: string;
  records: { kind: PersonalClass | null; label: string; subject: string }[];
}

/** Reads kept per organisation for the view; the log keeps them all (the audit trail). */
const KEEP_PER_ORG = 5000;

/** The latest recorded reads of personal data per holding organisation, and erasure totals, from `privacy.*`. */
export class PrivacyState implements Projection {
  readonly name = 'privacy';
  readonly typePrefixes = ['privacy.'];
  readonly reads = new Map<string | null, PersonalRead[]>();
  readonly erased = { retention: 0, request: 0 };

  apply(e: StoredEvent): void {
    if (e.type === 'privacy.personal.read') {
      const d = e.data as PrivacyEvents['privacy.personal.read'];
      const list = this.reads.get(e.orgId) ?? [];
      list.push({
        seq: e.seq,
        at: e.at,
        by: d.by,
        actor: e.actor,
        orgId: e.orgId,
        reason: d.reason,
        records: d.records.map((r) => ({ kind: classOf(r.subject), label: r.label, subject: r.subject })),
      });
      if (list.length > KEEP_PER_ORG) list.splice(0, list.length - KEEP_PER_ORG);
      this.reads.set(e.orgId, list);
    } else if (e.type === 'privacy.record.erased') {
      const d = e.data as PrivacyEvents['privacy.record.erased'];
      this.erased[d.why] += d.subjects.length;
    }
  }
}
