import type { AppContext } from './app-context.js';
import { PERSONAL_CLASSES, type ErasedWhy, type PersonalClass, type PrivacyEvents, type RetentionDays } from './personal-data.js';

const DAY_MS = 24 * 3600_000;
/** Keys erased per event: an erasure event stays far below the log's event size limit. */
const BATCH = 500;

/**
 * Records the erasure of these keys (durable first: projections replace the records
 * by "[erased: …]" at once, and a node stopped before shredding is caught by the next
 * run), then shreds them.
 */
export async function eraseRecords(ctx: Pick<AppContext, 'record' | 'personal'>, subjects: readonly string[], why: ErasedWhy, actor: string): Promise<number> {
  let shredded = 0;
  for (let i = 0; i < subjects.length; i += BATCH) {
    const batch = subjects.slice(i, i + BATCH);
    await ctx.record([
      {
        type: 'privacy.record.erased',
        subject: batch.length === 1 ? batch[0]! : `privacy:${why}`,
        orgId: null,
        actor,
        data: { subjects: batch, why } satisfies PrivacyEvents['privacy.record.erased'],
        reason: why === 'retention' ? 'retention period reached' : 'erasure asked by the data subject',
      },
    ]);
    shredded += await ctx.personal.shred(batch);
  }
  return shredded;
}

/**
 * One pass of the retention job: for every class with a period, the keys not used
 * for that long are erased. Returns how many keys each class lost.
 */
export async function runRetention(ctx: Pick<AppContext, 'record' | 'personal' | 'clock'>, days: RetentionDays): Promise<Record<PersonalClass, number>> {
  const now = ctx.clock.now();
  const counts = Object.fromEntries(PERSONAL_CLASSES.map((c) => [c, 0])) as Record<PersonalClass, number>;
  for (const kind of PERSONAL_CLASSES) {
    if (days[kind] <= 0) continue;
    const before = now - days[kind] * DAY_MS;
    for (;;) {
      const expired = await ctx.personal.vault.unusedSince(`${kind}:`, before, BATCH);
      if (expired.length === 0) break;
      const shredded = await eraseRecords(ctx, expired, 'retention', 'system:retention');
      counts[kind] += expired.length;
      if (shredded === 0) break; // another node shredded them meanwhile; nothing left to do here
    }
  }
  return counts;
}
