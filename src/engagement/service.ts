import { createHash } from 'node:crypto';
import { VigilError, badRequest, conflict, notFound } from '../kernel/errors.js';
import { newId, randomToken } from '../kernel/ids.js';
import type { Principal } from '../platform/access.js';
import type { AppContext } from '../platform/app-context.js';
import { publishable, suppressSmall } from '../kernel/disclosure.js';
import { assertCan, can, filterVisible, type PolicyAction, type PolicyResource } from '../platform/policy.js';
import { isSealed, personalSubject, type DataSubjectHolder, type DataSubjectRecord, type Sealed, type SealedCandidate } from '../platform/personal-data.js';
import {
  consentInExport,
  noticeErrorForStaff,
  type ComposedNotice,
  type NoticeAddresses,
  type NoticeChannel,
  type NoticeStateView,
  type PersonalMessenger,
  type PushSubscriptionJson,
} from '../platform/notices.js';
import { engagementEvent, type EngagementEvents } from './events.js';
import {
  ACKNOWLEDGE_WITHIN_MS,
  EFFECTS,
  EFFECT_TEXT,
  RESOLVE_WITHIN_MS,
  consultationProblems,
  consultationStatus,
  decisionProblems,
  grievanceTimes,
  quadrantOf,
  stakeholderProblems,
  type Consultation,
  type ConsultationInput,
  type Contribution,
  type Effect,
  type Grievance,
  type GrievanceFollowView,
  type InteractionKind,
  type LogEntry,
  type Outcome,
  type ParticipantContact,
  type ParticipantView,
  type Position,
  type PublicConsultation,
  type Relation,
  type RelationKind,
  type Stakeholder,
  type StakeholderInput,
} from './model.js';
import type { DueDecisionNotice, EngagementState } from './state.js';

export interface EngagementDeps {
  orgs(): readonly { id: string; name: string }[];
  /** The city's platform organisation: it takes grievances about no consultation in particular. */
  platformOrgId(): string | null;
  /** The e-mail and Web Push channels that tell participants the decision. Absent: notices stay due. */
  messenger?: PersonalMessenger;
}

/** A public participant's request to be told the decision: the channels, their push subscription, their language. */
export interface NotifyRequest {
  channels: NoticeChannel[];
  push: PushSubscriptionJson | null;
  lang: 'en' | 'fr';
}

export const hashFollowToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const trimOrNull = (s: string | null | undefined): string | null => (s && s.trim() ? s.trim() : null);

/** A contribution as staff read it: the participant's contact only for the owner organisation (the read recorded). */
export type StaffContribution = Omit<Contribution, 'followHash'> & {
  stakeholderName: string | null;
  contact: ParticipantContact | null;
  outcome: Outcome | null;
  /** The notices of the decision to the participant who asked for them (channel, when, what became of each). */
  notices: NoticeStateView[];
};
export type StaffConsultation = Consultation & { status: string; organisation: string; contributionCount: number; mayManage: boolean };
export type StaffGrievance = Omit<Grievance, 'followHash'> & {
  organisation: string;
  stakeholderName: string | null;
  contact: ParticipantContact | null;
  mayAct: boolean;
} & ReturnType<typeof grievanceTimes>;

/** Stakeholders, consultations and grievances of the organisations that engage with the city's people and partners. */
export class EngagementService {
  constructor(
    private readonly ctx: AppContext,
    readonly state: EngagementState,
    private readonly deps: EngagementDeps,
  ) {}

  private now(): number {
    return this.ctx.clock.now();
  }
  /** Called after a decision is recorded (set by the capability to wake its notice sender). */
  noticesMayBeDue: () => void = () => {};
  orgName(orgId: string): string {
    return this.deps.orgs().find((o) => o.id === orgId)?.name ?? orgId;
  }
  private res(orgId: string, personal?: PolicyResource['personal']): PolicyResource {
    return { orgId, ...(personal ? { personal } : {}) };
  }
  private ownOrg(by: Principal): string {
    if (!by.orgId) throw new VigilError('forbidden', 'engagement records belong to an organisation: sign in as a member of one');
    return by.orgId;
  }

  private stakeholderFor(id: string, by: Principal, action: PolicyAction): Stakeholder {
    const s = this.state.stakeholders.get(id);
    if (!s) throw notFound('stakeholder', id);
    assertCan(by, action, this.res(s.orgId), 'stakeholder', id);
    return s;
  }
  private consultationFor(id: string, by: Principal, action: PolicyAction): Consultation {
    const c = this.state.consultations.get(id);
    if (!c) throw notFound('consultation', id);
    assertCan(by, action, this.res(c.orgId), 'consultation', id);
    return c;
  }
  private grievanceFor(id: string, by: Principal, action: PolicyAction): Grievance {
    const g = this.state.grievances.get(id);
    if (!g) throw notFound('grievance', id);
    assertCan(by, action, this.res(g.orgId), 'grievance', id);
    return g;
  }

  // ── the registry ───────────────────────────────────────────────────────────

  async registerStakeholder(input: StakeholderInput, by: Principal): Promise<Stakeholder> {
    const orgId = this.ownOrg(by);
    const problems = stakeholderProblems(input);
    if (input.parentId) {
      const parent = this.stakeholderFor(input.parentId, by, 'manage');
      if (parent.kind === 'representative') problems.push('a representative represents an organisation or a group, not another representative');
    }
    if (problems.length > 0) throw badRequest(problems.join('; '), { problems });
    const at = new Date(this.now()).toISOString();
    const stakeholder: Stakeholder = { ...input, name: input.name.trim(), stakeholderId: newId('stk'), orgId, registeredAt: at, updatedAt: at };
    await this.ctx.record([engagementEvent('engagement.stakeholder.registered', `stakeholder:${stakeholder.stakeholderId}`, orgId, by.actor, { stakeholder })]);
    return this.state.stakeholders.get(stakeholder.stakeholderId)!;
  }

  async updateStakeholder(id: string, changes: Partial<StakeholderInput>, by: Principal): Promise<Stakeholder> {
    const s = this.stakeholderFor(id, by, 'manage');
    const next = { ...s, ...changes };
    const problems = stakeholderProblems(next);
    if (changes.parentId) {
      if (changes.parentId === id) problems.push('a stakeholder cannot belong to itself');
      else this.stakeholderFor(changes.parentId, by, 'manage');
    }
    if (problems.length > 0) throw badRequest(problems.join('; '), { problems });
    await this.ctx.record([engagementEvent('engagement.stakeholder.updated', `stakeholder:${id}`, s.orgId, by.actor, { stakeholderId: id, changes })]);
    return this.state.stakeholders.get(id)!;
  }

  async addRelation(input: { fromId: string; toId: string; kind: RelationKind; note?: string | null }, by: Principal): Promise<Relation> {
    const from = this.stakeholderFor(input.fromId, by, 'manage');
    this.stakeholderFor(input.toId, by, 'read');
    if (input.fromId === input.toId) throw badRequest('a relation links two stakeholders');
    for (const r of this.state.relations.values())
      if (r.fromId === input.fromId && r.toId === input.toId && r.kind === input.kind)
        throw conflict('this relation is already on the map', { relationId: r.relationId });
    const relation: Relation = {
      relationId: newId('rel'),
      orgId: from.orgId,
      fromId: input.fromId,
      toId: input.toId,
      kind: input.kind,
      note: trimOrNull(input.note),
    };
    await this.ctx.record([engagementEvent('engagement.relation.added', `stakeholder:${input.fromId}`, from.orgId, by.actor, { relation })]);
    return relation;
  }

  async logInteraction(id: string, input: { kind: InteractionKind; summary: string; at?: string }, by: Principal): Promise<LogEntry[]> {
    const s = this.stakeholderFor(id, by, 'act');
    const at = input.at ? Date.parse(input.at) : this.now();
    if (!Number.isFinite(at)) throw badRequest('at is an ISO 8601 time');
    if (at > this.now() + 60_000) throw badRequest('an interaction is logged once it happened');
    const summary = input.summary.trim();
    if (!summary) throw badRequest('say what was discussed');
    await this.ctx.record([
      engagementEvent('engagement.interaction.logged', `stakeholder:${id}`, s.orgId, by.actor, {
        stakeholderId: id,
        kind: input.kind,
        summary,
        at: new Date(at).toISOString(),
      }),
    ]);
    return this.log(id, by);
  }

  log(id: string, by: Principal): LogEntry[] {
    this.stakeholderFor(id, by, 'read');
    return [...(this.state.logs.get(id) ?? [])];
  }

  // ── consultations ──────────────────────────────────────────────────────────

  async draftConsultation(input: ConsultationInput, by: Principal): Promise<StaffConsultation> {
    const orgId = this.ownOrg(by);
    const problems = consultationProblems(input);
    for (const id of input.invitedIds) this.stakeholderFor(id, by, 'read');
    if (new Set(input.invitedIds).size !== input.invitedIds.length) problems.push('a stakeholder is invited twice');
    if (problems.length > 0) throw badRequest(problems.join('; '), { problems });
    const consultation = {
      ...input,
      title: input.title.trim(),
      opensAt: new Date(Date.parse(input.opensAt)).toISOString(),
      closesAt: new Date(Date.parse(input.closesAt)).toISOString(),
      consultationId: newId('cns'),
      orgId,
      createdAt: new Date(this.now()).toISOString(),
    };
    await this.ctx.record([
      engagementEvent('engagement.consultation.drafted', `consultation:${consultation.consultationId}`, orgId, by.actor, { consultation }),
    ]);
    return this.staffConsultation(this.state.consultations.get(consultation.consultationId)!, by);
  }

  async publish(id: string, by: Principal): Promise<StaffConsultation> {
    const c = this.consultationFor(id, by, 'manage');
    if (c.publishedAt) throw conflict(`consultation ${id} is already published`);
    if (Date.parse(c.closesAt) <= this.now()) throw conflict(`consultation ${id} would close before it is published: change its times`);
    await this.ctx.record([engagementEvent('engagement.consultation.published', `consultation:${id}`, c.orgId, by.actor, { consultationId: id })]);
    return this.staffConsultation(c, by);
  }

  async close(id: string, by: Principal): Promise<StaffConsultation> {
    const c = this.consultationFor(id, by, 'manage');
    const status = consultationStatus(c, this.now());
    if (status !== 'open' && status !== 'published') throw conflict(`consultation ${id} is ${status}: only a published or open one is closed`, { status });
    await this.ctx.record([engagementEvent('engagement.consultation.closed', `consultation:${id}`, c.orgId, by.actor, { consultationId: id })]);
    return this.staffConsultation(c, by);
  }

  private async contribute(
    c: Consultation,
    input: {
      stakeholderId: string | null;
      text: string;
      position: Position;
      contact: ParticipantContact | null;
      via: Contribution['via'];
      notify?: NotifyRequest | null;
    },
    actor: string,
  ): Promise<{ contribution: Contribution; followToken: string }> {
    const status = consultationStatus(c, this.now());
    if (status !== 'open')
      throw conflict(`consultation ${c.consultationId} is ${status === 'published' ? 'not open yet' : status}: answers are taken while it is open`, {
        status,
      }).because(status === 'published' ? 'engagement.consultation-not-open-yet' : 'engagement.consultation-closed');
    const text = input.text.trim();
    if (text.length < 2) throw badRequest('an answer says something').because('engagement.answer-empty');
    const followToken = randomToken(24);
    const contribution: Contribution = {
      contributionId: newId('ctb'),
      consultationId: c.consultationId,
      orgId: c.orgId,
      stakeholderId: input.stakeholderId,
      text,
      position: input.position,
      receivedAt: new Date(this.now()).toISOString(),
      via: input.via,
      followHash: hashFollowToken(followToken),
      notify: input.notify ? { channels: input.notify.channels, lang: input.notify.lang, at: new Date(this.now()).toISOString() } : null,
    };
    const subject = personalSubject('participant', contribution.contributionId);
    const contact = input.contact && (input.contact.name || input.contact.email) ? await this.ctx.personal.seal(subject, input.contact) : null;
    // Where to tell them the decision, under the same key as their contact: one erasure removes both.
    const notice = input.notify
      ? await this.ctx.personal.seal(subject, {
          email: input.notify.channels.includes('email') ? (input.contact?.email ?? null) : null,
          push: input.notify.push,
          followToken,
        } satisfies NoticeAddresses)
      : null;
    await this.ctx.record([
      engagementEvent('engagement.contribution.received', `consultation:${c.consultationId}`, c.orgId, actor, { contribution, contact, notice }),
    ]);
    return { contribution, followToken };
  }

  /** A stakeholder's answer (a letter, a meeting's minutes), recorded by staff; its personal link goes to the stakeholder. */
  async recordContribution(
    id: string,
    input: { stakeholderId: string; text: string; position: Position },
    by: Principal,
  ): Promise<{ contributionId: string; followToken: string }> {
    const c = this.consultationFor(id, by, 'act');
    this.stakeholderFor(input.stakeholderId, by, 'read');
    if (!c.invitedIds.includes(input.stakeholderId)) throw conflict(`stakeholder ${input.stakeholderId} is not invited to consultation ${id}`);
    const { contribution, followToken } = await this.contribute(c, { ...input, contact: null, via: 'staff' }, by.actor);
    return { contributionId: contribution.contributionId, followToken };
  }

  /** An answer from the public (citizen app, no account); the personal link shows them the decision later. */
  async answerPublic(
    id: string,
    input: {
      text: string;
      position: Position;
      name?: string | null;
      email?: string | null;
      /** Tell me the decision: by e-mail (needs `email`), by Web Push (needs `push`), in `lang`. */
      notify?: NoticeChannel[];
      push?: PushSubscriptionJson | null;
      lang?: 'en' | 'fr';
    },
  ): Promise<{ contributionId: string; followToken: string }> {
    const c = this.state.consultations.get(id);
    if (!c || !c.publishedAt || !c.openToPublic) throw notFound('consultation', id).because('engagement.consultation-not-found');
    const contact = { name: trimOrNull(input.name), email: trimOrNull(input.email) };
    const channels = [...new Set(input.notify ?? [])];
    if (channels.includes('email') && !contact.email)
      throw badRequest('to be told the decision by e-mail, give your e-mail address').because('notice.email-needed');
    if (channels.includes('push') && !input.push)
      throw badRequest("to be told the decision on this device, give the browser's push subscription").because('notice.push-needed');
    const notify = channels.length > 0 ? { channels, push: channels.includes('push') ? (input.push ?? null) : null, lang: input.lang ?? 'en' } : null;
    const { contribution, followToken } = await this.contribute(
      c,
      { stakeholderId: null, text: input.text, position: input.position, contact, via: 'citizen-app', notify },
      'public',
    );
    return { contributionId: contribution.contributionId, followToken };
  }

  /** The decision: every contribution linked to it with how it affected it (core value: each contribution is heard). */
  async decide(id: string, input: { summary: string; outcomes: Outcome[] }, by: Principal): Promise<StaffConsultation> {
    const c = this.consultationFor(id, by, 'manage');
    const status = consultationStatus(c, this.now());
    if (status !== 'closed') throw conflict(`consultation ${id} is ${status}: a decision follows its close`, { status });
    const summary = input.summary.trim();
    const problems = decisionProblems(
      input.outcomes,
      (this.state.contributions.get(id) ?? []).map((x) => x.contributionId),
    );
    if (!summary) problems.unshift('a decision says what was decided');
    if (problems.length > 0) throw badRequest(problems.join('; '), { problems });
    const decision = {
      summary,
      decidedAt: new Date(this.now()).toISOString(),
      outcomes: input.outcomes.map((o) => ({ contributionId: o.contributionId, effect: o.effect, explanation: o.explanation.trim() })),
    };
    await this.ctx.record([engagementEvent('engagement.consultation.decided', `consultation:${id}`, c.orgId, by.actor, { consultationId: id, decision })]);
    this.noticesMayBeDue();
    return this.staffConsultation(c, by);
  }

  staffConsultation(c: Consultation, by: Principal): StaffConsultation {
    return {
      ...c,
      status: consultationStatus(c, this.now()),
      organisation: this.orgName(c.orgId),
      contributionCount: this.state.contributions.get(c.consultationId)?.length ?? 0,
      mayManage: can(by, 'manage', this.res(c.orgId)),
    };
  }

  /** One consultation with its contributions; public participants' names and e-mails only for its organisation (the read recorded first). */
  async consultation(id: string, by: Principal, purpose: string): Promise<{ consultation: StaffConsultation; contributions: StaffContribution[] }> {
    const c = this.consultationFor(id, by, 'read');
    const list = this.state.contributions.get(id) ?? [];
    const contacts = new Map<string, ParticipantContact | null>();
    if (can(by, 'personal', this.res(c.orgId, 'participants'))) {
      const sealed = await this.sealedContacts('engagement.contribution.received', `consultation:${id}`, (d) => {
        const x = d as EngagementEvents['engagement.contribution.received'];
        return [x.contribution.contributionId, x.contact];
      });
      if (sealed.size > 0) {
        await this.ctx.personal.recordReads(
          by,
          [...sealed.values()].map((s) => ({ subject: s.key, orgId: c.orgId, label: `consultation ${c.title}` })),
          purpose,
        );
        for (const [cid, s] of sealed) contacts.set(cid, await this.ctx.personal.open<ParticipantContact>(s));
      }
    }
    const outcomes = new Map((c.decision?.outcomes ?? []).map((o) => [o.contributionId, o]));
    const contributions = list.map(({ followHash: _f, ...x }) => ({
      ...x,
      stakeholderName: x.stakeholderId ? (this.state.stakeholders.get(x.stakeholderId)?.name ?? null) : null,
      contact: contacts.get(x.contributionId) ?? null,
      outcome: outcomes.get(x.contributionId) ?? null,
      notices: (this.state.noticesOf.get(x.contributionId) ?? []).flatMap((noticeId) => {
        const n = this.state.notices.get(noticeId);
        return n ? [{ what: n.what, channel: n.channel, state: n.state, attempts: n.attempts, error: noticeErrorForStaff(n.error), at: n.at }] : [];
      }),
    }));
    return { consultation: this.staffConsultation(c, by), contributions };
  }

  private async sealedContacts(type: string, subject: string, pick: (data: unknown) => [string, unknown]): Promise<Map<string, Sealed>> {
    const out = new Map<string, Sealed>();
    for (const e of await this.ctx.log.read({ typePrefixes: [type], subject, limit: 100_000 })) {
      const [id, sealed] = pick(e.data);
      if (isSealed(sealed)) out.set(id, sealed);
    }
    return out;
  }

  // ── the public ─────────────────────────────────────────────────────────────

  publicConsultation(c: Consultation): PublicConsultation {
    const k = this.ctx.config.openDataMinCount;
    const raw = Object.fromEntries(EFFECTS.map((e) => [e, 0])) as Record<Effect, number>;
    for (const o of c.decision?.outcomes ?? []) raw[o.effect]++;
    const total = this.state.contributions.get(c.consultationId)?.length ?? 0;
    // The total is the margin of the counts by effect: below k, every count but 0 (nobody) is withheld with it.
    const hidden =
      total > 0 && total < k
        ? EFFECTS.map((e) => raw[e] > 0)
        : suppressSmall(
            EFFECTS.map((e) => raw[e]),
            k,
          );
    const counts = Object.fromEntries(EFFECTS.map((e, i) => [e, hidden[i] ? null : raw[e]])) as Record<Effect, number | null>;
    return {
      consultationId: c.consultationId,
      title: c.title,
      question: c.question,
      information: c.information,
      organisation: this.orgName(c.orgId),
      opensAt: c.opensAt,
      closesAt: c.closesAt,
      status: consultationStatus(c, this.now()),
      openToPublic: c.openToPublic,
      contributions: publishable(total, k) ? total : null,
      minCount: k,
      decision: c.decision ? { summary: c.decision.summary, decidedAt: c.decision.decidedAt, counts } : null,
    };
  }

  /** Published consultations (their information is public from publication), newest first. */
  publicList(): PublicConsultation[] {
    return [...this.state.consultations.values()]
      .filter((c) => c.publishedAt)
      .sort((a, b) => b.opensAt.localeCompare(a.opensAt))
      .map((c) => this.publicConsultation(c));
  }

  publicOne(id: string): PublicConsultation {
    const c = this.state.consultations.get(id);
    if (!c || !c.publishedAt) throw notFound('consultation', id);
    return this.publicConsultation(c);
  }

  /** What a participant (or a complainant) reads through their personal link; an unknown link is a 404. */
  follow(token: string): ParticipantView | GrievanceFollowView {
    const hit = this.state.byFollowHash.get(hashFollowToken(token));
    if (hit?.kind === 'contribution') {
      const x = this.state.contributionById.get(hit.id)!;
      const c = this.state.consultations.get(x.consultationId)!;
      const o = c.decision?.outcomes.find((y) => y.contributionId === x.contributionId);
      return {
        kind: 'contribution',
        contributionId: x.contributionId,
        consultation: this.publicConsultation(c),
        text: x.text,
        position: x.position,
        receivedAt: x.receivedAt,
        outcome: o ? { effect: o.effect, explanation: o.explanation } : null,
      };
    }
    if (hit?.kind === 'grievance') {
      const g = this.state.grievances.get(hit.id)!;
      const from = Date.parse(g.receivedAt);
      return {
        kind: 'grievance',
        grievanceId: g.grievanceId,
        subject: g.subject,
        organisation: this.orgName(g.orgId),
        status: g.status,
        receivedAt: g.receivedAt,
        acknowledgedAt: g.acknowledgedAt,
        resolvedAt: g.resolvedAt,
        response: g.response,
        acknowledgeBy: new Date(from + ACKNOWLEDGE_WITHIN_MS).toISOString(),
        resolveBy: new Date(from + RESOLVE_WITHIN_MS).toISOString(),
      };
    }
    throw notFound('contribution', 'with this link');
  }

  // ── notices to participants ────────────────────────────────────────────────

  /** The participant's sealed contact and notice addresses, read back from the event that carried them. */
  private async sealedOfRecord(id: string): Promise<{ contact: Sealed | null; notice: Sealed | null }> {
    const at = this.state.contactSeq.get(id);
    if (!at) return { contact: null, notice: null };
    const [e] = await this.ctx.log.read({ afterSeq: at.seq - 1, limit: 1 });
    const d = e?.data as { contact?: unknown; notice?: unknown } | undefined;
    return { contact: isSealed(d?.contact) ? d.contact : null, notice: isSealed(d?.notice) ? d.notice : null };
  }

  /** The decision, and how the participant's answer counted, with their personal link; skipped when their data were erased. */
  async composeNotice(n: DueDecisionNotice): Promise<ComposedNotice> {
    const x = this.state.contributionById.get(n.contributionId);
    const c = x ? this.state.consultations.get(x.consultationId) : undefined;
    if (!x || !c?.decision) return { skip: 'the consultation or its decision is unknown' };
    const { notice } = await this.sealedOfRecord(x.contributionId);
    const to = notice ? await this.ctx.personal.open<NoticeAddresses>(notice) : null;
    if (!to) return { skip: "the participant's data were erased" };
    const address = n.channel === 'email' ? to.email : to.push ? JSON.stringify(to.push) : null;
    if (!address) return { skip: `no ${n.channel} address was given` };
    const lang = x.notify?.lang ?? 'en';
    const fr = lang === 'fr';
    const o = c.decision.outcomes.find((y) => y.contributionId === x.contributionId);
    const link = `${this.ctx.publicUrl()}/citizen?answer=${encodeURIComponent(to.followToken)}`;
    const org = this.orgName(c.orgId);
    const subject = fr ? `Décision sur « ${c.title} » : comment votre avis a compté` : `Decision on "${c.title}": how your answer counted`;
    const counted = o ? `${EFFECT_TEXT[o.effect][lang]}. ${o.explanation}` : fr ? 'Votre avis a été lu.' : 'Your answer was read.';
    const lines = fr
      ? [
          `${org} a décidé : ${c.decision.summary}`,
          '',
          `Votre avis (${x.receivedAt.slice(0, 10)}) : ${counted}`,
          '',
          `Votre avis, la décision et son explication : ${link}`,
          '',
          `Vous recevez ce message parce que vous avez demandé à connaître la décision (le ${x.notify?.at.slice(0, 10) ?? ''}).`,
        ]
      : [
          `${org} decided: ${c.decision.summary}`,
          '',
          `Your answer (${x.receivedAt.slice(0, 10)}): ${counted}`,
          '',
          `Your answer, the decision and its explanation: ${link}`,
          '',
          `You get this message because you asked to be told the decision (on ${x.notify?.at.slice(0, 10) ?? ''}).`,
        ];
    const headers = { 'X-Vigil-Consultation': c.consultationId, 'X-Vigil-Notice': n.noticeId };
    if (n.channel === 'push')
      return {
        message: { address, subject: '', text: JSON.stringify({ title: subject, body: counted, url: link, consultationId: c.consultationId }), headers },
      };
    return { message: { address, subject, text: lines.join('\n'), headers } };
  }

  async recordNoticeSent(n: DueDecisionNotice): Promise<void> {
    const x = this.state.contributionById.get(n.contributionId);
    if (!x) return;
    await this.ctx.record([
      engagementEvent('engagement.notice.sent', `consultation:${x.consultationId}`, x.orgId, 'system:notices', {
        contributionId: x.contributionId,
        noticeId: n.noticeId,
        channel: n.channel,
      }),
    ]);
  }

  async recordNoticeFailed(n: DueDecisionNotice, error: string, final: boolean): Promise<void> {
    const x = this.state.contributionById.get(n.contributionId);
    if (!x) return;
    await this.ctx.record([
      engagementEvent('engagement.notice.failed', `consultation:${x.consultationId}`, x.orgId, 'system:notices', {
        contributionId: x.contributionId,
        noticeId: n.noticeId,
        channel: n.channel,
        error,
        final,
      }),
    ]);
  }

  // ── participants' personal data (privacy: export and erasure) ───────────────

  /** Participants and complainants, sealed, to be found by the e-mail they gave, with their answers and grievances (export and erasure). */
  readonly dataSubjects: DataSubjectHolder = {
    sealedCandidates: async (query): Promise<SealedCandidate[]> => {
      if (!query.email?.trim()) return [];
      const out: SealedCandidate[] = [];
      for (const [id, at] of this.state.contactSeq) {
        const orgId = at.kind === 'contribution' ? this.state.contributionById.get(id)?.orgId : this.state.grievances.get(id)?.orgId;
        if (orgId === undefined) continue;
        const sealed = await this.sealedOfRecord(id);
        out.push({
          orgId,
          sealed: [sealed.contact, sealed.notice],
          // By e-mail only: the contact's and the one they are told at.
          match: { email: [0, 1], phone: [] },
          record: ([contact, notice]) =>
            this.participantRecord(id, at.kind, (contact ?? null) as ParticipantContact | null, (notice ?? null) as NoticeAddresses | null),
        });
      }
      return out;
    },
  };

  private participantRecord(id: string, kind: string, contact: ParticipantContact | null, notice: NoticeAddresses | null): DataSubjectRecord | null {
    if (kind === 'contribution') {
      const x = this.state.contributionById.get(id);
      const c = x ? this.state.consultations.get(x.consultationId) : undefined;
      if (!x || !c) return null;
      const o = c.decision?.outcomes.find((y) => y.contributionId === id);
      return {
        subject: personalSubject('participant', id),
        kind: 'participant',
        orgId: x.orgId,
        label: `answer to the consultation "${c.title}" (${x.receivedAt.slice(0, 10)})`,
        at: x.receivedAt,
        data: {
          contact,
          answer: {
            consultation: c.title,
            text: x.text,
            position: x.position,
            receivedAt: x.receivedAt,
            outcome: o ? { effect: o.effect, explanation: o.explanation } : null,
          },
          notify: consentInExport(x.notify, notice),
        },
      };
    } else {
      const g = this.state.grievances.get(id);
      if (!g) return null;
      return {
        subject: personalSubject('participant', id),
        kind: 'participant',
        orgId: g.orgId,
        label: `grievance "${g.subject}" (${g.receivedAt.slice(0, 10)})`,
        at: g.receivedAt,
        data: { contact, grievance: { subject: g.subject, text: g.text, status: g.status, receivedAt: g.receivedAt, response: g.response } },
      };
    }
  }

  // ── grievances ─────────────────────────────────────────────────────────────

  private async file(
    orgId: string,
    input: {
      subject: string;
      text: string;
      consultationId: string | null;
      stakeholderId: string | null;
      contact: ParticipantContact | null;
      via: Grievance['via'];
    },
    actor: string,
  ): Promise<{ grievanceId: string; followToken: string }> {
    const subject = input.subject.trim();
    const text = input.text.trim();
    if (!subject || text.length < 2) throw badRequest('a grievance has a subject and says what is wrong').because('engagement.grievance-empty');
    const followToken = randomToken(24);
    const grievance = {
      grievanceId: newId('grv'),
      orgId,
      subject,
      text,
      consultationId: input.consultationId,
      stakeholderId: input.stakeholderId,
      receivedAt: new Date(this.now()).toISOString(),
      via: input.via,
      followHash: hashFollowToken(followToken),
    };
    const contact =
      input.contact && (input.contact.name || input.contact.email)
        ? await this.ctx.personal.seal(personalSubject('participant', grievance.grievanceId), input.contact)
        : null;
    await this.ctx.record([engagementEvent('engagement.grievance.filed', `grievance:${grievance.grievanceId}`, orgId, actor, { grievance, contact })]);
    return { grievanceId: grievance.grievanceId, followToken };
  }

  /** A grievance from the public: to the consultation's organisation, or the city's. */
  async fileGrievancePublic(input: { subject: string; text: string; consultationId?: string | null; name?: string | null; email?: string | null }) {
    let orgId = this.deps.platformOrgId();
    if (input.consultationId) {
      const c = this.state.consultations.get(input.consultationId);
      if (!c || !c.publishedAt) throw notFound('consultation', input.consultationId).because('engagement.consultation-not-found');
      orgId = c.orgId;
    }
    if (!orgId) throw new VigilError('unavailable', 'no organisation takes grievances on this installation yet').because('engagement.no-grievance-desk');
    return this.file(
      orgId,
      {
        subject: input.subject,
        text: input.text,
        consultationId: input.consultationId ?? null,
        stakeholderId: null,
        contact: { name: trimOrNull(input.name), email: trimOrNull(input.email) },
        via: 'citizen-app',
      },
      'public',
    );
  }

  /** A stakeholder's grievance, recorded by staff of the organisation it is addressed to. */
  async recordGrievance(input: { subject: string; text: string; stakeholderId: string; consultationId?: string | null }, by: Principal) {
    const orgId = this.ownOrg(by);
    this.stakeholderFor(input.stakeholderId, by, 'read');
    if (input.consultationId) this.consultationFor(input.consultationId, by, 'read');
    return this.file(
      orgId,
      {
        subject: input.subject,
        text: input.text,
        consultationId: input.consultationId ?? null,
        stakeholderId: input.stakeholderId,
        contact: null,
        via: 'staff',
      },
      by.actor,
    );
  }

  private staffGrievance(g: Grievance, by: Principal, contact: ParticipantContact | null): StaffGrievance {
    const { followHash: _f, ...rest } = g;
    return {
      ...rest,
      ...grievanceTimes(g, this.now()),
      organisation: this.orgName(g.orgId),
      stakeholderName: g.stakeholderId ? (this.state.stakeholders.get(g.stakeholderId)?.name ?? null) : null,
      contact,
      mayAct: can(by, 'act', this.res(g.orgId)),
    };
  }

  async grievance(id: string, by: Principal, purpose: string): Promise<StaffGrievance> {
    const g = this.grievanceFor(id, by, 'read');
    let contact: ParticipantContact | null = null;
    if (can(by, 'personal', this.res(g.orgId, 'participants'))) {
      const sealed = await this.sealedContacts('engagement.grievance.filed', `grievance:${id}`, (d) => {
        const x = d as EngagementEvents['engagement.grievance.filed'];
        return [x.grievance.grievanceId, x.contact];
      });
      const s = sealed.get(id);
      if (s) {
        await this.ctx.personal.recordReads(by, [{ subject: s.key, orgId: g.orgId, label: `grievance ${g.subject}` }], purpose);
        contact = await this.ctx.personal.open<ParticipantContact>(s);
      }
    }
    return this.staffGrievance(g, by, contact);
  }

  async acknowledgeGrievance(id: string, note: string | null, by: Principal): Promise<StaffGrievance> {
    const g = this.grievanceFor(id, by, 'act');
    if (g.status !== 'received') throw conflict(`grievance ${id} is already ${g.status}`);
    await this.ctx.record([
      engagementEvent('engagement.grievance.acknowledged', `grievance:${id}`, g.orgId, by.actor, { grievanceId: id, note: trimOrNull(note) }),
    ]);
    return this.staffGrievance(g, by, null);
  }

  async resolveGrievance(id: string, response: string, by: Principal): Promise<StaffGrievance> {
    const g = this.grievanceFor(id, by, 'act');
    if (g.status === 'resolved') throw conflict(`grievance ${id} is already resolved`);
    const text = response.trim();
    if (!text) throw badRequest('a resolution answers the complainant');
    await this.ctx.record([engagementEvent('engagement.grievance.resolved', `grievance:${id}`, g.orgId, by.actor, { grievanceId: id, response: text })]);
    return this.staffGrievance(g, by, null);
  }

  // ── the staff page ─────────────────────────────────────────────────────────

  /** Everything the principal may read: the registry with quadrants, relations, consultations, grievances, and figures. */
  overview(by: Principal) {
    const now = this.now();
    const stakeholders = filterVisible(by, this.state.stakeholders.values(), (s) => s.orgId).map((s) => ({
      ...s,
      quadrant: quadrantOf(s),
      mayManage: can(by, 'manage', this.res(s.orgId)),
    }));
    const relations = filterVisible(by, this.state.relations.values(), (r) => r.orgId);
    const consultations = filterVisible(by, this.state.consultations.values(), (c) => c.orgId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((c) => this.staffConsultation(c, by));
    const grievances = filterVisible(by, this.state.grievances.values(), (g) => g.orgId)
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
      .map((g) => this.staffGrievance(g, by, null));
    const median = (xs: number[]): number | null => {
      if (xs.length === 0) return null;
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    };
    return {
      stakeholders,
      relations,
      consultations,
      grievances,
      figures: {
        stakeholders: stakeholders.length,
        openConsultations: consultations.filter((c) => consultationStatus(c, now) === 'open').length,
        openGrievances: grievances.filter((g) => g.status !== 'resolved').length,
        medianHoursToAcknowledge: median(grievances.flatMap((g) => (g.hoursToAcknowledge === null ? [] : [g.hoursToAcknowledge]))),
        medianHoursToResolve: median(grievances.flatMap((g) => (g.hoursToResolve === null ? [] : [g.hoursToResolve]))),
        grievancesLate: grievances.filter((g) => (g.status === 'received' && g.acknowledgeLate) || (g.status !== 'resolved' && g.resolveLate)).length,
      },
    };
  }
}

export type EngagementOverview = ReturnType<EngagementService['overview']>;
