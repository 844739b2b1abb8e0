import { badRequest, forbidden } from '../kernel/errors.js';
import type { Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import { JobGate, type ReportProgress } from '../platform/heavy/job-gate.js';
import { runInWorker } from '../platform/heavy/worker-pool.js';
import {
  DEFAULT_RETENTION_DAYS,
  PERSONAL_CLASSES,
  PERSONAL_DATA_CATALOGUE,
  phoneDigits,
  type DataSubjectHolder,
  type DataSubjectQuery,
  type DataSubjectRecord,
  type PersonalClass,
  type SealedCandidate,
} from '../platform/personal-data.js';
import { eraseRecords, runRetention } from '../platform/retention.js';
import type { PersonalRead, PrivacyState } from './privacy-state.js';
import type { MatchInput, MatchOutput } from './subject-match-worker.js';

export interface PrivacyDeps {
  /** Capabilities holding personal data about people (callers, subscribers and their answers, citizen reporters, consultation participants and complainants). */
  holders: readonly DataSubjectHolder[];
  orgName(orgId: string): string | null;
  platformOrgId(): string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Sealed candidates opened per pool task: progress moves between tasks, and no task holds a thread long. */
const MATCH_BATCH = 2000;

/**
 * Data-subject rights and accountability: a person's export and erasure (by the phone
 * or e-mail they gave), the reads of personal data, and the retention job.
 */
export class PrivacyService {
  /**
   * A search for a person opens every sealed record of the organisation's reporters and participants:
   * one search at a time per administrator, two on the node, four waiting (429 beyond); the same search
   * asked again while it runs (the same organisation, address and number) joins it.
   */
  readonly searches = new JobGate('data-subject search', { concurrency: 2, queue: 4, perUser: 1, retryAfterSeconds: 5 });
  /** The pool thread that opened the last batch of sealed records (tests show it was not the main thread). */
  lastMatchThreadId: number | null = null;

  constructor(
    private readonly ctx: AppContext,
    readonly state: PrivacyState,
    private readonly deps: PrivacyDeps,
  ) {}

  /** The organisations whose records `by` answers for: its own; public subscriptions (no owner) belong to the platform organisation. */
  private holds(by: Principal, record: { orgId: string | null }): boolean {
    if (!by.orgId) return false;
    return record.orgId === by.orgId || (record.orgId === null && by.orgId === this.deps.platformOrgId());
  }

  private checkedQuery(query: { phone?: string | null; email?: string | null }): DataSubjectQuery {
    const email = query.email?.trim() || null;
    const phone = query.phone?.trim() || null;
    if (!email && !phone) throw badRequest('give the phone number or the e-mail address the person gave');
    if (email && !EMAIL.test(email)) throw badRequest(`"${email}" is not an e-mail address`);
    if (phone && !phoneDigits(phone)) throw badRequest('a phone number has at least 6 digits');
    return { email, phone };
  }

  /** Every record about the person that `by`'s organisation holds: behind the search gate, sealed records opened in the worker pool. */
  private async find(query: { phone?: string | null; email?: string | null }, by: Principal): Promise<DataSubjectRecord[]> {
    if (!by.roles.includes('admin')) throw forbidden("a data subject's records are exported and erased by an administrator");
    const q = this.checkedQuery(query);
    const key = [by.orgId ?? '', q.email?.toLowerCase() ?? '', phoneDigits(q.phone) ?? ''].join('\u0000');
    return this.searches.run({ user: by.actor, key }, async (report) => {
      const found: DataSubjectRecord[] = [];
      const candidates: SealedCandidate[] = [];
      for (const h of this.deps.holders) {
        if ('find' in h) found.push(...h.find(q));
        else candidates.push(...(await h.sealedCandidates(q)).filter((c) => this.holds(by, c)));
      }
      found.push(...(await this.matchOffThread(q, candidates, report)));
      return found.filter((r) => this.holds(by, r));
    });
  }

  /** Opens the candidates' sealed values and keeps those about the person, in the worker pool, a batch per task. */
  private async matchOffThread(q: DataSubjectQuery, candidates: readonly SealedCandidate[], report: ReportProgress): Promise<DataSubjectRecord[]> {
    const email = q.email?.toLowerCase() ?? null;
    const digits = phoneDigits(q.phone);
    const out: DataSubjectRecord[] = [];
    report('opening', 0, candidates.length);
    for (let from = 0; from < candidates.length; from += MATCH_BATCH) {
      const batch = candidates.slice(from, from + MATCH_BATCH);
      const keys = await this.ctx.personal.vault.get([...new Set(batch.flatMap((c) => c.sealed.flatMap((v) => (v ? [v.key] : []))))]);
      const input: MatchInput = {
        email,
        digits,
        items: batch.map((c) => ({
          values: c.sealed.map((v) => {
            const k = v ? keys.get(v.key) : undefined;
            return v && k ? { key: new Uint8Array(k), sealed: v.sealed } : null;
          }),
          email: c.match.email,
          phone: c.match.phone,
        })),
      };
      const result = await runInWorker<MatchOutput>({ module: new URL('./subject-match-worker.ts', import.meta.url), fn: 'matchSealed', input });
      this.lastMatchThreadId = result.threadId;
      for (const hit of result.hits) {
        const record = batch[hit.index]!.record(hit.opened);
        if (record) out.push(record);
      }
      report('opening', Math.min(from + MATCH_BATCH, candidates.length), candidates.length);
    }
    return out;
  }

  /** The person's export: every record about them, the read recorded first (who, which records, why). */
  async exportSubject(
    query: { phone?: string | null; email?: string | null },
    by: Principal,
    purpose: string,
  ): Promise<{ records: (DataSubjectRecord & { organisation: string | null })[] }> {
    const records = await this.find(query, by);
    if (records.length > 0) await this.ctx.personal.recordReads(by, records, purpose);
    return { records: records.map((r) => ({ ...r, organisation: r.orgId ? this.deps.orgName(r.orgId) : null })) };
  }

  /** The person's erasure: their records' keys shredded (recorded first); what was erased, by name. */
  async eraseSubject(query: { phone?: string | null; email?: string | null }, by: Principal): Promise<{ erased: { kind: PersonalClass; label: string }[] }> {
    const records = await this.find(query, by);
    await eraseRecords(
      this.ctx,
      records.map((r) => r.subject),
      'request',
      by.actor,
    );
    return { erased: records.map((r) => ({ kind: r.kind, label: r.label })) };
  }

  /** Recorded reads of the personal data `by` may see: its organisation's (admins, supervisors); every organisation's for the CSIRT. */
  reads(by: Principal, limit: number): (PersonalRead & { organisation: string | null })[] {
    const everyOrg = by.roles.includes('csirt');
    const lists = everyOrg ? [...this.state.reads.values()] : by.orgId ? [this.state.reads.get(by.orgId) ?? []] : [];
    if (!everyOrg && by.orgId && by.orgId === this.deps.platformOrgId()) lists.push(this.state.reads.get(null) ?? []);
    return lists
      .flat()
      .sort((a, b) => b.seq - a.seq)
      .slice(0, limit)
      .map((r) => ({ ...r, organisation: r.orgId ? this.deps.orgName(r.orgId) : null }));
  }

  /**
   * How many records retention and erasure requests destroyed, platform-wide: the platform
   * organisation's and the CSIRT's to see; another organisation learns nothing of the others'
   * data subjects from it (null).
   */
  erasureTotals(by: Principal): { retention: number; request: number } | null {
    const platformWide = by.roles.includes('csirt') || (by.orgId !== null && by.orgId === this.deps.platformOrgId());
    return platformWide ? { ...this.state.erased } : null;
  }

  /** The retention periods in force (days; 0 keeps a class until the person's erasure). */
  retention(): {
    classes: { kind: PersonalClass; days: number; defaultDays: number; label: string; holds: string; legalBasis: string; readers: string }[];
    everyMinutes: number;
  } {
    return {
      classes: PERSONAL_CLASSES.map((kind) => ({
        kind,
        days: this.ctx.config.retentionDays[kind],
        defaultDays: DEFAULT_RETENTION_DAYS[kind],
        ...PERSONAL_DATA_CATALOGUE[kind],
      })),
      everyMinutes: this.ctx.config.retentionEveryMs / 60_000,
    };
  }

  /** One pass of the retention job now. */
  async runRetention(): Promise<Record<PersonalClass, number>> {
    const counts = await runRetention(this.ctx, this.ctx.config.retentionDays);
    const total = PERSONAL_CLASSES.reduce((n, c) => n + counts[c], 0);
    if (total > 0) this.ctx.logger.info({ counts }, 'retention: personal data keys shredded');
    return counts;
  }
}
