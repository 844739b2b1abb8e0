import type { Principal } from '../platform/access.js';
import type { EventLog, StoredEvent } from '../platform/event-log.js';
import { auditEntry, auditSees } from './audit-view.js';

export interface AuditQuery {
  /** Newest first, starting below this seq (exclusive); omit for the newest. */
  beforeSeq?: number;
  limit: number;
  actor?: string;
  typePrefix?: string;
  subject?: string;
}

export interface AuditPage {
  entries: StoredEvent[];
  /** Pass as beforeSeq for the next (older) page; null at the beginning of the log. */
  nextBeforeSeq: number | null;
}

const WINDOW = 2000;
/** Bounds the work of one page when filters match little: the client pages on from nextBeforeSeq. */
const MAX_SCANNED = 200_000;

/** The audit trail read newest first, narrowed to what the principal may see (audit-view.ts asks the policy per entry). */
export async function queryAudit(log: EventLog, principal: Principal, q: AuditQuery): Promise<AuditPage> {
  let upper = q.beforeSeq ?? (await log.lastSeq()) + 1; // exclusive
  const entries: StoredEvent[] = [];
  let scanned = 0;
  while (upper > 1 && entries.length < q.limit && scanned < MAX_SCANNED) {
    const from = Math.max(0, upper - 1 - WINDOW);
    const batch = await log.read({
      afterSeq: from,
      limit: upper - 1 - from,
      ...(q.typePrefix ? { typePrefixes: [q.typePrefix] } : {}),
      ...(q.subject ? { subject: q.subject } : {}),
    });
    scanned += upper - 1 - from;
    for (let i = batch.length - 1; i >= 0 && entries.length < q.limit; i--) {
      const e = batch[i]!;
      if (e.seq >= upper) continue;
      if (q.actor && e.actor !== q.actor) continue;
      if (!auditSees(principal, e)) continue;
      entries.push(auditEntry(principal, e));
    }
    upper = entries.length === q.limit ? entries[entries.length - 1]!.seq : from + 1;
  }
  return { entries, nextBeforeSeq: upper > 1 ? upper : null };
}
