import { badRequest, forbidden } from '../kernel/errors.js';
import type { Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import {
  DEFAULT_RETENTION_DAYS,
  PERSONAL_CLASSES,
  PERSONAL_DATA_CATALOGUE,
  phoneDigits,
  type DataSubjectHolder,
  type DataSubjectQuery,
  type DataSubjectRecord,
  type PersonalClass,
} from '../platform/personal-data.js';
import { eraseRecords, runRetention } from '../platform/retention.js';
import type { PersonalRead, PrivacyState } from './privacy-state.js';

export interface PrivacyDeps {
  /** Capabilities holding personal data about people (callers, subscribers and their answers, citizen reporters, consultation participants and complainants). */
  holders: readonly DataSubjectHolder[];
  orgName(orgId: string): string | null;
  platformOrgId(): string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Data-subject rights and accountability: a person's export and erasure (by the phone
 * or e-mail they gave), the reads of personal data, and the retention job.
 */
export class PrivacyService {
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

  /** Every record about the person that `by`'s organisation holds. */
  private async find(query: { phone?: string | null; email?: string | null }, by: Principal): Promise<DataSubjectRecord[]> {
    if (!by.roles.includes('admin')) throw forbidden("a data subject's records are exported and erased by an administrator");
    const q = this.checkedQuery(query);
    const found = await Promise.all(this.deps.holders.map((h) => h.find(q)));
    return found.flat().filter((r) => this.holds(by, r));
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
